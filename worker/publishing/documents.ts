// The documents the key store publishes to KV and the issuer serves: what each is called in log
// events, its KV key, and the 503 answered when neither KV nor the key store can provide it.

import type { Problem } from "../http/problem.js";
import { JWKS_KV_KEY } from "../keys/jwks.js";
import { REVOCATIONS_KV_KEY } from "../revocation/list.js";

export interface PublishedDocument {
  /** The document's name in log events (`document` field). */
  readonly name: "jwks" | "revocations";
  readonly kvKey: string;
  /** The problem answered when no copy can be read. */
  readonly unavailable: Omit<Problem, "status">;
}

export const JWKS_DOCUMENT: PublishedDocument = {
  name: "jwks",
  kvKey: JWKS_KV_KEY,
  unavailable: {
    title: "JWKS unavailable",
    detail: "neither KV nor the key store could provide the JWKS; retry shortly",
    code: "ERR_JWKS_UNAVAILABLE",
  },
};

export const REVOCATIONS_DOCUMENT: PublishedDocument = {
  name: "revocations",
  kvKey: REVOCATIONS_KV_KEY,
  unavailable: {
    title: "Revocation list unavailable",
    detail: "neither KV nor the key store could provide it; retry shortly",
    code: "ERR_REVOCATION_UNAVAILABLE",
  },
};
