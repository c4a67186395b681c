// The documents the key store publishes to KV and the issuer serves: what each is called in log
// events, its KV key, and the 503 answered when neither KV nor the key store can provide it.

import type { IssuerAnswerCode } from "../issuer/problems.js";
import { JWKS_KV_KEY } from "../keys/jwks.js";
import { REVOCATIONS_KV_KEY } from "../revocation/list.js";

export interface PublishedDocument {
  /** The document's name in log events (`document` field). */
  readonly name: "jwks" | "revocations";
  readonly kvKey: string;
  /** The 503 answered when no copy can be read (status and title: worker/issuer/problems.ts). */
  readonly unavailable: { readonly code: IssuerAnswerCode; readonly detail: string };
}

export const JWKS_DOCUMENT: PublishedDocument = {
  name: "jwks",
  kvKey: JWKS_KV_KEY,
  unavailable: {
    detail: "neither KV nor the key store could provide the JWKS; retry shortly",
    code: "ERR_JWKS_UNAVAILABLE",
  },
};

export const REVOCATIONS_DOCUMENT: PublishedDocument = {
  name: "revocations",
  kvKey: REVOCATIONS_KV_KEY,
  unavailable: {
    detail: "neither KV nor the key store could provide it; retry shortly",
    code: "ERR_REVOCATION_UNAVAILABLE",
  },
};
