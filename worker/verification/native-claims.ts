// The claims of a native token (Cloudflare's `oidc_tokens`) whose signature its own issuer's key
// verified: only the standard claims, since the native claim set is not public. iss, sub, aud and
// exp must be present; iat, nbf and jti are checked where present. None of the worker-identity
// claim requirements (jti, iat, worker, account_id, ...) apply, and no other claim is read.

import { checkAudienceClaim, checkClaimTypes, checkLifetime, checkValidityWindow } from "./claims.js";
import { TokenClaimsError, TokenIssuerError } from "./errors.js";
import type { ResolvedNativeIssuer } from "./native-issuers.js";
import type { ResolvedVerifierOptions } from "./options.js";

export interface CheckedNativeClaims {
  readonly sub: string;
  readonly jti: string | undefined;
  readonly exp: number;
}

type NativeClaimsOptions = Pick<
  ResolvedVerifierOptions,
  "allowAudienceArray" | "clockToleranceSeconds" | "maxTokenLifetimeSeconds" | "requiredClaims"
>;

const REQUIRED = ["iss", "sub", "aud", "exp"] as const;
/** The verifier's always-required claims, which a native token need not carry (worker-identity's own). */
const WORKER_IDENTITY_REQUIRED = new Set(["iss", "sub", "aud", "exp", "iat", "jti"]);

export function checkNativeClaims(
  payload: Record<string, unknown>,
  trusted: ResolvedNativeIssuer,
  options: NativeClaimsOptions,
  nowSeconds: number,
): CheckedNativeClaims {
  const configured = options.requiredClaims.filter((name) => !WORKER_IDENTITY_REQUIRED.has(name));
  for (const name of [...REQUIRED, ...configured]) {
    if (!Object.hasOwn(payload, name))
      throw new TokenClaimsError(`the token has no "${name}" claim, which is required`);
  }
  checkClaimTypes(payload, ["iss", "sub", "jti"], ["exp", "iat", "nbf"]);
  const exp = payload.exp as number;
  const iat = payload.iat as number | undefined;
  const nbf = payload.nbf as number | undefined;
  // Without iat, the lifetime is bounded from now: no token of ours outlives maxTokenLifetimeSeconds.
  checkLifetime(exp, iat, nowSeconds, options.maxTokenLifetimeSeconds);
  if (payload.iss !== trusted.issuer) throw new TokenIssuerError(`the token was not issued by ${trusted.issuer}`);
  checkAudienceClaim(
    payload.aud,
    trusted.audiences,
    options.allowAudienceArray,
    () => `${[...trusted.audiences].join(" or ")} from ${trusted.issuer}`,
  );
  checkValidityWindow(exp, nbf, iat, nowSeconds, options.clockToleranceSeconds);
  return { sub: payload.sub as string, jti: payload.jti as string | undefined, exp };
}
