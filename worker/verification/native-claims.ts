// The claims of a native token (Cloudflare's `oidc_tokens`) whose signature its own issuer's key
// verified: only the standard claims, since the native claim set is not public. iss, sub, aud and
// exp must be present; iat, nbf and jti are checked where present. None of the worker-identity
// claim requirements (jti, iat, worker, account_id, ...) apply, and no other claim is read.

import {
  TokenAudienceError,
  TokenClaimsError,
  TokenExpiredError,
  TokenIssuerError,
  TokenNotYetValidError,
} from "./errors.js";
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
  for (const name of ["iss", "sub", "jti"] as const) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "string" || value === ""))
      throw new TokenClaimsError(`the token's "${name}" claim must be a non-empty string`);
  }
  for (const name of ["exp", "iat", "nbf"] as const) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      throw new TokenClaimsError(
        `the token's "${name}" claim must be a NumericDate (non-negative seconds since the epoch)`,
      );
    }
  }
  const exp = payload.exp as number;
  const iat = payload.iat as number | undefined;
  const nbf = payload.nbf as number | undefined;
  if (iat !== undefined && exp <= iat) throw new TokenClaimsError('the token\'s "exp" is not after its "iat"');
  // Without iat, the lifetime is bounded from now: no token of ours outlives maxTokenLifetimeSeconds.
  const lifetime = exp - (iat ?? nowSeconds);
  if (lifetime > options.maxTokenLifetimeSeconds) {
    throw new TokenClaimsError(
      `the token lives longer than ${options.maxTokenLifetimeSeconds} s (maxTokenLifetimeSeconds)`,
    );
  }
  if (payload.iss !== trusted.issuer) throw new TokenIssuerError(`the token was not issued by ${trusted.issuer}`);
  checkNativeAudience(payload.aud, trusted, options.allowAudienceArray);

  const tolerance = options.clockToleranceSeconds;
  if (nowSeconds - tolerance >= exp) {
    throw new TokenExpiredError(
      `the token expired ${Math.floor(nowSeconds - exp)} s ago (clock tolerance ${tolerance} s)`,
    );
  }
  for (const [name, value] of [
    ["nbf", nbf],
    ["iat", iat],
  ] as const) {
    if (value !== undefined && value > nowSeconds + tolerance) {
      throw new TokenNotYetValidError(
        `the token's "${name}" lies ${Math.ceil(value - nowSeconds)} s in the future (clock tolerance ${tolerance} s)`,
      );
    }
  }
  return { sub: payload.sub as string, jti: payload.jti as string | undefined, exp };
}

function checkNativeAudience(aud: unknown, trusted: ResolvedNativeIssuer, allowArray: boolean): void {
  const expected = () => `expected ${[...trusted.audiences].join(" or ")} from ${trusted.issuer}`;
  if (typeof aud === "string") {
    if (!trusted.audiences.has(aud)) throw new TokenAudienceError(`the token is for another audience; ${expected()}`);
    return;
  }
  if (!Array.isArray(aud) || !aud.every((entry) => typeof entry === "string")) {
    throw new TokenClaimsError('the token\'s "aud" claim must be a string (or an array of strings)');
  }
  if (!allowArray) {
    throw new TokenAudienceError(
      `the token has several audiences, which this verifier refuses (allowAudienceArray is off); ${expected()}`,
    );
  }
  if (!aud.some((entry: string) => trusted.audiences.has(entry)))
    throw new TokenAudienceError(`none of the token's audiences is expected; ${expected()}`);
}
