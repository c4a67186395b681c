// Deadlines on the issuer's calls to its KV namespace (PUBLISHED). A KV call that never answers
// would hold up whatever awaits it, without end: a token request (the revocation list issuance
// reads), the JWKS endpoint (whose key store fallback runs only once the KV read has failed), and
// the key store, which publishes under its lock (blockConcurrencyWhile), so one hung write would
// stall every signing-key fetch and admin call queued behind it. Past its deadline a call counts
// as failed, which every caller already handles: a read falls back or degrades, a write is retried.
//
// The two deadlines fit inside the 5 s AWS gives an issuer to answer the JWKS (DESIGN.md) even
// when both run in one answer: a KV read that times out, then the key store's copy, whose
// publication write times out too. A write abandoned at its deadline may still land later; the
// key store counts it as failed and writes again, so a key is never taken as published before a
// write of it was confirmed (the safe side: its publication delay only starts later).

import { withDeadline } from "../deadline.js";

/** A KV read (getWithMetadata) is abandoned after this long. */
export const KV_READ_DEADLINE_MS = 1_500;
/** A KV write (put) is abandoned after this long. */
export const KV_WRITE_DEADLINE_MS = 2_500;

/** A KV call got no answer within its deadline. */
export class KvDeadlineError extends Error {
  constructor(
    readonly operation: "read" | "write",
    readonly key: string,
    readonly deadlineMs: number,
  ) {
    super(`KV ${operation} of ${key} got no answer within ${deadlineMs} ms`);
    this.name = "KvDeadlineError";
  }
}

/** `call`'s outcome, or a KvDeadlineError once `operation`'s deadline passes first. */
export function withKvDeadline<T>(operation: "read" | "write", key: string, call: Promise<T>): Promise<T> {
  const deadlineMs = operation === "read" ? KV_READ_DEADLINE_MS : KV_WRITE_DEADLINE_MS;
  return withDeadline(call, deadlineMs, () => new KvDeadlineError(operation, key, deadlineMs));
}
