// The hostile-token table: each case names an attack, builds what is sent (Authorization header
// values, optionally a query) from the prepared stack (hostile-stack.ts), and says how the
// middleware must refuse it: 401 or 403 and the refusal code, which proves that the check the
// case aims at is the one that refused (a forged claim must reach the claim checks, so those
// tokens are signed by the trusted key the issuer's JWKS publishes). The cases stand in one file
// per check they aim at; their shared pieces in cases-build.ts.

import { AUTHORIZATION_CASES } from "./cases-authorization.js";
import type { HostileCase } from "./cases-build.js";
import { CLAIM_CASES } from "./cases-claims.js";
import { ENCODING_CASES } from "./cases-encoding.js";
import { SIGNATURE_CASES } from "./cases-signature.js";

export type { HostileCase, Sent } from "./cases-build.js";

export const HOSTILE_CASES: readonly HostileCase[] = [
  ...SIGNATURE_CASES,
  ...CLAIM_CASES,
  ...ENCODING_CASES,
  ...AUTHORIZATION_CASES,
];
