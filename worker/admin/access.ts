// Cloudflare Access in front of the operator page: the `Cf-Access-Jwt-Assertion` header Access
// adds to every request it let through, verified with the verifier against the team's keys
// (`<teamDomain>/cdn-cgi/access/certs`, Access's documented certs endpoint: a JWKS, RS256 keys
// with kids, rotated every 6 weeks with the previous key served 7 days more): RS256 only, a kid,
// iss exactly the team domain, aud containing the application's AUD tag (Access writes aud as an
// array), exp and nbf with the verifier's leeway. The JWKS is cached per isolate by the verifier.
//
// Access JWTs carry no jti, and the team domain serves no OIDC discovery at its root, so the team
// is given to the verifier as a native issuer (standard claims only, its own jwksUri), and the
// verifier's own issuer slot holds a name that resolves nowhere (RFC 2606 `.invalid`): a token
// whose unverified iss is not the team domain is refused before anything is fetched, and one
// that verified is accepted only if the verifier says the team issued it.
//
// Only the header is read, never the CF_Authorization cookie Access also sets in browsers:
// Access adds the header at its edge to the requests it admitted (and its docs advise validating
// the header, as the cookie is not guaranteed to be passed), while a cookie is whatever the
// browser holds for the host: one a sibling subdomain planted (cookie tossing) or one sent
// along with a cross-site request would otherwise stand for the operator.

import { createVerifier, JwksUnavailableError, VerificationError } from "@worker-identity/verifier";
import type { AccessSettings } from "../config/access-settings.js";
import { decodeBase64url } from "../encoding/base64url.js";

/** The header Access sets on requests it admitted. */
export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion";
/** Where Access serves a team's signing keys (JWKS `keys`, plus PEM `public_cert(s)` we do not read). */
export const ACCESS_CERTS_PATH = "/cdn-cgi/access/certs";
/** The verifier's own issuer slot: never trusted (nothing with this iss is verified), never fetched. */
const UNUSED_ISSUER = "https://access-only.worker-identity.invalid";
/**
 * Access JWTs live as long as the application's session (24 h by default): the verifier's upper
 * bound on a lifetime. An application with a longer session duration must be set to 24 h or less.
 */
const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;

export type AccessAuthResult =
  | { readonly result: "ok"; readonly identity: string }
  | { readonly result: "not-configured" | "missing" }
  | { readonly result: "invalid" | "unavailable"; readonly reason: string };

/** Whether `request` carries an Access JWT of `access`'s team and application, valid at `nowMs`. */
export async function authenticateAccess(
  request: Request,
  access: AccessSettings | undefined,
  nowMs: number,
): Promise<AccessAuthResult> {
  if (access === undefined) return { result: "not-configured" };
  const assertion = request.headers.get(ACCESS_JWT_HEADER);
  if (assertion === null) return { result: "missing" };
  // Two header lines arrive joined by ", "; a compact JWS has neither character.
  if (assertion.includes(",")) return invalid(`the request carries more than one ${ACCESS_JWT_HEADER} value`);
  const token = assertion.trim();
  if (unverifiedIssuer(token) !== access.teamDomain) {
    return invalid(`the Access JWT was not issued by ${access.teamDomain}, the team this stack trusts`);
  }
  const verifier = createVerifier({
    issuer: UNUSED_ISSUER,
    audience: access.audience,
    algorithms: ["RS256"],
    allowAudienceArray: true,
    maxTokenLifetimeSeconds: MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
    now: () => nowMs,
    nativeIssuers: [
      {
        issuer: access.teamDomain,
        audiences: [access.audience],
        jwksUri: `${access.teamDomain}${ACCESS_CERTS_PATH}`,
      },
    ],
  });
  try {
    const verified = await verifier.verify(token);
    if (verified.issuer !== access.teamDomain) return invalid(`the Access JWT was not issued by ${access.teamDomain}`);
    return { result: "ok", identity: identityOf(verified.claims, verified.subject) };
  } catch (error) {
    if (error instanceof JwksUnavailableError) {
      return { result: "unavailable", reason: `the Access team's keys could not be fetched: ${error.message}` };
    }
    if (error instanceof VerificationError) return invalid(`the Access JWT was refused: ${error.message}`);
    throw error;
  }
}

function invalid(reason: string): AccessAuthResult {
  return { result: "invalid", reason };
}

/** The payload's iss, read without verifying (only to refuse early); undefined when unreadable. */
function unverifiedIssuer(token: string): unknown {
  const payload = token.split(".")[1];
  if (payload === undefined || payload.length > 8_192) return undefined;
  try {
    const bytes = decodeBase64url(payload);
    if (bytes === undefined) return undefined;
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>).iss : undefined;
  } catch {
    return undefined;
  }
}

/** A person's email; a service token's common_name (its client id); else the subject. */
function identityOf(claims: Readonly<Record<string, unknown>>, subject: string): string {
  for (const name of ["email", "common_name"]) {
    const value = claims[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return subject;
}
