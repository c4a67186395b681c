// An issuance log event, built where a token was issued or refused and admitted again where it is
// stored: both ends apply the same rule, so nothing caller-chosen is ever kept. A name is kept
// only when the stack registers it for that kind of requester; an audience only when it is in
// that requester's allow-list (else OTHER_AUDIENCE); a code only when it has the shape of ours.

import type { RuntimeSettings } from "../runtime-config/types.js";
import { type ActivityChannel, type ActivityEvent, type ActivityOutcome, OTHER_AUDIENCE } from "./types.js";

/** A code of ours (worker/error-codes/): anything else is logged as ERR_INTERNAL. */
const ERROR_CODE = /^ERR_[A-Z0-9_]{1,64}$/;
const CHANNELS: ReadonlySet<unknown> = new Set<ActivityChannel>(["rpc", "workflow", "exchange"]);

/** The registered requester the request resolved to, if it got that far. */
export interface ResolvedRequester {
  readonly name: string;
  readonly audiences: readonly string[];
}

export interface Occurrence {
  readonly at: number;
  readonly channel: ActivityChannel;
  readonly requester: ActivityEvent["requester"];
  /** Undefined while the request named no registered requester (or before it was resolved). */
  readonly resolved: ResolvedRequester | undefined;
  /** The audience argument as the caller sent it: never stored unless the requester may have it. */
  readonly audience: unknown;
  /** Undefined for an issuance; the refusal's code otherwise (undefined code: ERR_INTERNAL). */
  readonly refused?: { readonly code: string | undefined };
}

/** How an issuance path reports an occurrence: the issuer stamps the time (worker/issuer/issuance.ts). */
export type ActivityReport = (occurrence: Omit<Occurrence, "at">) => void;

/** The event to report for one issuance or refusal. */
export function activityEvent(occurrence: Occurrence): ActivityEvent {
  const { resolved, refused } = occurrence;
  const outcome: ActivityOutcome = refused === undefined ? "issued" : "refused";
  return {
    at: occurrence.at,
    channel: occurrence.channel,
    requester: occurrence.requester,
    name: resolved?.name ?? null,
    audience: recordedAudience(occurrence.audience, resolved?.audiences ?? []),
    outcome,
    code: refused === undefined ? null : safeCode(refused.code),
  };
}

function recordedAudience(audience: unknown, allowed: readonly string[]): string | null {
  if (audience === undefined || audience === null) return null;
  return typeof audience === "string" && allowed.includes(audience) ? audience : OTHER_AUDIENCE;
}

function safeCode(code: unknown): string {
  return typeof code === "string" && ERROR_CODE.test(code) ? code : "ERR_INTERNAL";
}

/**
 * An event as the key store received it over RPC, admitted under the same rule against the
 * store's own runtime config (the isolate's copy is the same document): undefined when it is
 * not an event at all, and otherwise one that holds only registered names and allowed audiences.
 */
export function admitEvent(value: unknown, config: RuntimeSettings): ActivityEvent | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { at, channel, requester, name, audience, outcome, code } = value as Record<string, unknown>;
  if (typeof at !== "number" || !Number.isFinite(at)) return undefined;
  if (!CHANNELS.has(channel) || (requester !== "workload" && requester !== "workflow")) return undefined;
  if (outcome !== "issued" && outcome !== "refused") return undefined;
  const registry = requester === "workload" ? config.workloads : config.workflows;
  const entry = typeof name === "string" ? registry.find((r) => r.name === name) : undefined;
  const allowed = entry?.audiences ?? [];
  return {
    at,
    channel: channel as ActivityChannel,
    requester,
    name: entry?.name ?? null,
    audience:
      audience === null || audience === undefined
        ? null
        : typeof audience === "string" && allowed.includes(audience)
          ? audience
          : OTHER_AUDIENCE,
    outcome,
    code: outcome === "issued" ? null : safeCode(code),
  };
}
