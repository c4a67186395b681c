// Validation of a token request's RPC arguments. Arguments choose an audience and a lifetime,
// nothing else: identity is the binding's, so any other option is refused, loudly.

import { MAX_AUDIENCE_LENGTH } from "../config/limits.js";
import type { IssuerSettings, WorkloadConfig } from "../config/types.js";
import { AudienceNotAllowedError, InvalidRequestError, LifetimeTooLongError } from "../errors.js";
// An object literal (or Object.create(null)): the only shape whose own keys are all its options.
import { isPlainObject } from "../options/is-record.js";

/** Shorter tokens than this would expire inside relying parties' clock leeway. */
export const MIN_REQUESTED_LIFETIME_SECONDS = 30;
const KNOWN_OPTIONS = new Set(["lifetimeSeconds", "fresh"]);

/** What a request is checked against: a workload's or a workflow's registry entry. */
export type TokenPolicy = Pick<
  WorkloadConfig,
  "name" | "audiences" | "tokenLifetimeSeconds" | "maxTokenLifetimeSeconds"
>;

/** Whose request, for messages: the registry it is listed in and the RPC method called. */
export interface RequesterKind {
  readonly noun: "workload" | "workflow";
  readonly call: string;
}

const WORKLOAD: RequesterKind = { noun: "workload", call: "token(audience, options)" };

export interface AuthorizedTokenRequest {
  readonly audience: string;
  readonly lifetimeSeconds: number;
  /** A newly signed token (its own jti), neither taken from nor kept in the token cache. */
  readonly fresh: boolean;
}

export function authorizeTokenRequest(
  issuer: IssuerSettings,
  workload: TokenPolicy,
  audience: unknown,
  options: unknown,
  kind: RequesterKind = WORKLOAD,
): AuthorizedTokenRequest {
  if (typeof audience !== "string" || audience.length === 0 || audience.length > MAX_AUDIENCE_LENGTH) {
    throw new InvalidRequestError(
      `${kind.call}: audience must be a non-empty string of at most ${MAX_AUDIENCE_LENGTH} characters, ` +
        `one of this ${kind.noun}'s audiences: ${workload.audiences.join(", ")}`,
    );
  }
  const { lifetime, fresh } = requestedOptions(options, kind.call);
  if (!workload.audiences.includes(audience)) {
    throw new AudienceNotAllowedError(
      `${kind.noun} '${workload.name}' may not request tokens for audience ${JSON.stringify(audience)}; ` +
        `its audiences are ${workload.audiences.map((a) => JSON.stringify(a)).join(", ")}. ` +
        `Add it to ${kind.noun}s.${workload.name}.audiences in the stack config to allow it`,
    );
  }
  const issuerCapped = issuer.maxTokenLifetimeSeconds <= workload.maxTokenLifetimeSeconds;
  const cap = issuerCapped ? issuer.maxTokenLifetimeSeconds : workload.maxTokenLifetimeSeconds;
  // The default is within the caps for every validated config; capping it too means no document
  // that slipped past the checks can hand out a longer token than the caps allow.
  if (lifetime === undefined) return { audience, lifetimeSeconds: Math.min(workload.tokenLifetimeSeconds, cap), fresh };
  if (lifetime > cap) {
    const raise = issuerCapped
      ? `the issuer's maxTokenLifetimeSeconds (every ${kind.noun}'s cap is bounded by it)`
      : `${kind.noun}s.${workload.name}.maxTokenLifetimeSeconds`;
    throw new LifetimeTooLongError(
      `lifetimeSeconds ${lifetime} is above the cap of ${cap} s for ${kind.noun} '${workload.name}'; ` +
        `ask for ${cap} or less, or raise ${raise} in the stack config`,
    );
  }
  return { audience, lifetimeSeconds: lifetime, fresh };
}

function requestedOptions(options: unknown, call: string): { lifetime: number | undefined; fresh: boolean } {
  if (options === undefined || options === null) return { lifetime: undefined, fresh: false };
  if (!isPlainObject(options)) {
    // A Map, Date, array, boxed number, class instance or RPC stub has no own `lifetimeSeconds`
    // to read: accepting it would hand out the default lifetime while the caller asked for less.
    throw new InvalidRequestError(
      `${call}: options must be a plain object such as { lifetimeSeconds: 300 }, or omitted; got ${shapeOf(options)}`,
    );
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== "string" || !KNOWN_OPTIONS.has(key)) {
      throw new InvalidRequestError(
        `${call}: unknown option ${typeof key === "string" ? JSON.stringify(key) : String(key)}; the options are lifetimeSeconds and fresh ` +
          "(identity comes from the service binding, never from arguments)",
      );
    }
  }
  const { lifetimeSeconds: value, fresh } = options as { lifetimeSeconds?: unknown; fresh?: unknown };
  if (fresh !== undefined && typeof fresh !== "boolean") {
    throw new InvalidRequestError(
      `${call}: fresh must be true (a newly signed token with its own jti, for a relying party that accepts each jti once) or false`,
    );
  }
  if (value === undefined) return { lifetime: undefined, fresh: fresh === true };
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_REQUESTED_LIFETIME_SECONDS) {
    throw new InvalidRequestError(
      `${call}: lifetimeSeconds must be an integer of at least ${MIN_REQUESTED_LIFETIME_SECONDS}`,
    );
  }
  return { lifetime: value, fresh: fresh === true };
}

/** What was passed instead, for the message; never its contents. */
function shapeOf(value: unknown): string {
  // An RPC stub is a function-like proxy: ask it nothing, since any property read is a remote call.
  if (typeof value === "function") return "a function or an RPC stub";
  if (typeof value !== "object" || value === null) return `a ${typeof value}`;
  const tag = Object.prototype.toString.call(value).slice("[object ".length, -1);
  if (tag === "Object") return "an instance of a class";
  const article = /^[AEIO]/.test(tag) ? "an" : "a";
  return BOXED.has(tag) ? `a ${tag} object (a boxed primitive)` : `${article} ${tag}`;
}

const BOXED = new Set(["Number", "String", "Boolean", "BigInt", "Symbol"]);
