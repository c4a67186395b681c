// Verification for the CLI: OIDC discovery from the issuer, then its JWKS, then jose's checks
// (signature, iss, aud, exp/nbf with the issuer's default leeway, allowed algorithms).

import { createRemoteJWKSet, errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from "jose";

export type VerifyResult =
  | { readonly ok: true; readonly header: JWTHeaderParameters; readonly claims: JWTPayload }
  | { readonly ok: false; readonly code: string; readonly message: string };

const ALGORITHMS = ["RS256", "ES256"];
const CLOCK_TOLERANCE_SECONDS = 60;

export async function verifyWithDiscovery(
  token: string,
  options: { readonly issuer: string; readonly audience: string },
): Promise<VerifyResult> {
  const discoveryUrl = `${options.issuer}/.well-known/openid-configuration`;
  let metadata: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(discoveryUrl);
    if (!response.ok) return { ok: false, code: "ERR_DISCOVERY", message: `${discoveryUrl} answered ${response.status}` };
    metadata = (await response.json()) as typeof metadata;
  } catch (error) {
    return { ok: false, code: "ERR_DISCOVERY", message: `${discoveryUrl} is unreachable (${String(error)})` };
  }
  if (metadata.issuer !== options.issuer || typeof metadata.jwks_uri !== "string") {
    return {
      ok: false,
      code: "ERR_DISCOVERY",
      message: `discovery at ${discoveryUrl} names issuer ${JSON.stringify(metadata.issuer)}, not ${options.issuer}`,
    };
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return { ok: true, header: protectedHeader, claims: payload };
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: "ERR_VERIFY", message: String(error) };
  }
}
