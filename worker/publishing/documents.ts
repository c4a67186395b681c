// The documents the key store publishes to KV and the issuer serves: what each is called in log
// events, its KV key (the one place it is written: the key store writes there), and the 503 answered when neither KV nor the key store can provide it.

import type { IssuerAnswerCode } from "../http/issuer-problems.js";

export interface PublishedDocument {
  /** The document's name in log events (`document` field). */
  readonly name: "jwks" | "revocations";
  /** Where in the PUBLISHED namespace it is kept; versioned, so a new format gets a new key. */
  readonly kvKey: string;
  /** The 503 answered when no copy can be read (status and title: worker/http/issuer-problems.ts). */
  readonly unavailable: { readonly code: IssuerAnswerCode; readonly detail: string };
}

export const JWKS_DOCUMENT: PublishedDocument = {
  name: "jwks",
  kvKey: "jwks/v1",
  unavailable: {
    detail: "neither KV nor the key store could provide the JWKS; retry shortly",
    code: "ERR_JWKS_UNAVAILABLE",
  },
};

export const REVOCATIONS_DOCUMENT: PublishedDocument = {
  name: "revocations",
  kvKey: "revocations/v1",
  unavailable: {
    detail: "neither KV nor the key store could provide it; retry shortly",
    code: "ERR_REVOCATION_UNAVAILABLE",
  },
};
