// An issuance log event, built where a token was issued or refused and admitted again where it is
// stored: both ends apply the same rule, so nothing caller-chosen is ever kept. A name is kept
// only when the stack registers it for that kind of requester; an audience only when it is in
// that requester's allow-list (else OTHER_AUDIENCE); a code only when it has the shape of ours.

import type { RuntimeSettings } from "../runtime-config/types.js";
import {
  type ActivityBatch,
  type ActivityChannel,
  type ActivityCount,
  type ActivityEvent,
  type ActivityOutcome,
  type ActivitySummary,
  OTHER_AUDIENCE,
} from "./types.js";

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

/** What a count row and an event share: who, for which audience, with which outcome. */
type Identity = Pick<ActivityEvent, "requester" | "name" | "audience" | "outcome" | "code">;

/** The identity fields of `value` under the privacy rule, against `config`; undefined when malformed. */
function admitIdentity(value: Record<string, unknown>, config: RuntimeSettings): Identity | undefined {
  const { requester, name, audience, outcome, code } = value;
  if (requester !== "workload" && requester !== "workflow") return undefined;
  if (outcome !== "issued" && outcome !== "refused") return undefined;
  const registry = requester === "workload" ? config.workloads : config.workflows;
  const entry = typeof name === "string" ? registry.find((r) => r.name === name) : undefined;
  return {
    requester,
    name: entry?.name ?? null,
    audience: recordedAudience(audience, entry?.audiences ?? []),
    outcome,
    code: outcome === "issued" ? null : safeCode(code),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isTime = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/**
 * An event as the key store received it over RPC, admitted under the same rule against the
 * store's own runtime config (the isolate's copy is the same document): undefined when it is
 * not an event at all, and otherwise one that holds only registered names and allowed audiences.
 */
export function admitEvent(value: unknown, config: RuntimeSettings): ActivityEvent | undefined {
  if (!isRecord(value) || !isTime(value.at) || !CHANNELS.has(value.channel)) return undefined;
  const identity = admitIdentity(value, config);
  return identity === undefined ? undefined : { at: value.at, channel: value.channel as ActivityChannel, ...identity };
}

/** A count row as received over RPC, admitted as events are; undefined when it is not one. */
export function admitCount(value: unknown, config: RuntimeSettings): ActivityCount | undefined {
  if (!isRecord(value)) return undefined;
  const { count, firstAt, lastAt } = value;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 1) return undefined;
  if (!isTime(firstAt) || !isTime(lastAt) || firstAt > lastAt) return undefined;
  const identity = admitIdentity(value, config);
  return identity === undefined ? undefined : { ...identity, count, firstAt, lastAt };
}

/** A batch as received over RPC: its admitted rows and events, within the log's bounds; what is not one is left out. */
export function admitBatch(value: unknown, config: RuntimeSettings, limits: ActivitySummary["limits"]): ActivityBatch {
  const batch = isRecord(value) ? value : {};
  const { counts, recent, uncounted } = batch;
  return {
    counts: (Array.isArray(counts) ? counts.slice(0, limits.counts) : [])
      .map((row: unknown) => admitCount(row, config))
      .filter((row) => row !== undefined),
    recent: (Array.isArray(recent) ? recent.slice(-limits.recent) : [])
      .map((event: unknown) => admitEvent(event, config))
      .filter((event) => event !== undefined),
    uncounted: typeof uncounted === "number" && Number.isSafeInteger(uncounted) && uncounted > 0 ? uncounted : 0,
  };
}
