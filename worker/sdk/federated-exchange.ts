// The contract between WorkloadIdentity (identity.ts: token, cache, renewal) and each relying
// party's exchange (azure/, anthropic/, openai/, vault/): the options resolved once, then one
// exchange of a fresh token for the party's credential. The cache and renewal are identity.ts's.

import type { SdkFetch } from "./http.js";

/** What every resolved exchange option set carries for the cache. */
export interface ResolvedExchange {
  /** The audience of the token the exchange presents (one of the workload's audiences). */
  readonly audience: string;
  /** Distinguishes cached credentials: every option that changes the answer. */
  readonly cacheKey: string;
  /** Renew this long before the credential expires. */
  readonly renewBeforeMs: number;
  /**
   * Present a token never presented before (`fresh`: its own jti), not the cached one: for a
   * party that accepts each jti once (the Claude API with `check_jti`).
   */
  readonly freshSubjectToken?: boolean;
}

export interface ExchangeContext {
  readonly fetch: SdkFetch;
  readonly timeoutMs: number;
  /** The clock, ms since the epoch. */
  readonly now: () => number;
}

/** A credential and when it expires. */
export interface Exchanged<T> {
  readonly value: T;
  readonly expiresAtMs: number;
}

/** Presents `subjectToken` (a token for `resolved.audience`) to the party; rejects with a typed WorkloadIdentityError. */
export type Exchange<R extends ResolvedExchange, T> = (
  resolved: R,
  subjectToken: string,
  context: ExchangeContext,
) => Promise<Exchanged<T>>;
