// Verification for the CLI, with the relying parties' own verifier: discovery, the JWKS, then
// every check a relying party makes (see worker/verification/README.md).

import type { JWTHeaderParameters, JWTPayload } from "jose";
import { createVerifier, VerificationError } from "../verification/index.js";

export type VerifyResult =
  | { readonly ok: true; readonly header: JWTHeaderParameters; readonly claims: JWTPayload }
  | { readonly ok: false; readonly code: string; readonly message: string };

export async function verifyWithDiscovery(
  token: string,
  options: { readonly issuer: string; readonly audience: string },
): Promise<VerifyResult> {
  try {
    const verified = await createVerifier({ issuer: options.issuer, audience: options.audience }).verify(token);
    return { ok: true, header: verified.header as JWTHeaderParameters, claims: verified.claims as JWTPayload };
  } catch (error) {
    if (error instanceof VerificationError) return { ok: false, code: error.code, message: error.message };
    if (error instanceof TypeError) return { ok: false, code: "ERR_INVALID_OPTION", message: error.message };
    throw error;
  }
}
