// Cloudflare Access in front of the operator page: the `Cf-Access-Jwt-Assertion` header Access
// adds to every request it let through, verified with the verifier against the team's keys
// (`<teamDomain>/cdn-cgi/access/certs`): RS256, iss the team domain, aud the application's tag.

import type { AccessSettings } from "../config/access-settings.js";

/** The header Access sets on requests it admitted. */
export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion";

export type AccessAuthResult =
  | { readonly result: "ok"; readonly identity: string }
  | { readonly result: "not-configured" | "missing" }
  | { readonly result: "invalid" | "unavailable"; readonly reason: string };

/** Whether `request` carries an Access JWT of `access`'s team and application, valid at `nowMs`. */
export async function authenticateAccess(
  request: Request,
  access: AccessSettings | undefined,
  _nowMs: number,
): Promise<AccessAuthResult> {
  if (access === undefined) return { result: "not-configured" };
  if (request.headers.get(ACCESS_JWT_HEADER) === null) return { result: "missing" };
  return { result: "invalid", reason: "Access JWT verification is not built yet" };
}
