// The claim set of a token whose signature has been verified: a pure function of the payload, the
// options and the time. Order: presence and types, issuer, audience, then time.

import {
  TokenAudienceError,
  TokenClaimsError,
  TokenExpiredError,
  TokenIssuerError,
  TokenNotYetValidError,
} from "./errors.js";
import type { ResolvedVerifierOptions } from "./options.js";

export interface CheckedClaims {
  readonly sub: string;
  readonly jti: string;
  readonly exp: number;
  readonly worker: string | undefined;
  readonly accountId: string | undefined;
}

type ClaimsOptions = Pick<
  ResolvedVerifierOptions,
  "issuer" | "audiences" | "allowAudienceArray" | "clockToleranceSeconds" | "requiredClaims" | "maxTokenLifetimeSeconds"
>;

/** Claims with a fixed type whenever present; the issuer writes each of them. */
const STRING_CLAIMS = ["iss", "sub", "jti", "worker", "workflow", "instance_id", "account_id", "environment"] as const;
const TIME_CLAIMS = ["exp", "iat", "nbf"] as const;

export function checkClaims(
  payload: Record<string, unknown>,
  options: ClaimsOptions,
  nowSeconds: number,
): CheckedClaims {
  for (const name of options.requiredClaims) {
    if (!Object.hasOwn(payload, name))
      throw new TokenClaimsError(`the token has no "${name}" claim, which is required`);
  }
  checkClaimTypes(payload, STRING_CLAIMS, TIME_CLAIMS);
  const { iss, sub, jti, worker, account_id: accountId } = payload as Record<string, string | undefined>;
  const exp = payload.exp as number;
  const iat = payload.iat as number;
  const nbf = payload.nbf as number | undefined;
  checkLifetime(exp, iat, nowSeconds, options.maxTokenLifetimeSeconds);

  if (iss !== options.issuer) throw new TokenIssuerError(`the token was not issued by ${options.issuer}`);
  // Only a refusal spells out the expected audiences (not every verification).
  checkAudienceClaim(payload.aud, options.audiences, options.allowAudienceArray, () =>
    [...options.audiences].join(" or "),
  );
  checkValidityWindow(exp, nbf, iat, nowSeconds, options.clockToleranceSeconds);
  return { sub: sub as string, jti: jti as string, exp, worker, accountId };
}

/** Each of `strings` present is a non-empty string, each of `times` present a NumericDate. */
export function checkClaimTypes(
  payload: Record<string, unknown>,
  strings: readonly string[],
  times: readonly string[],
): void {
  for (const name of strings) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "string" || value === "")) {
      throw new TokenClaimsError(`the token's "${name}" claim must be a non-empty string`);
    }
  }
  for (const name of times) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      throw new TokenClaimsError(
        `the token's "${name}" claim must be a NumericDate (non-negative seconds since the epoch)`,
      );
    }
  }
}

/**
 * `exp` after `iat`, and no further from it than `maxSeconds` (from now, for a token without
 * `iat`). A lifetime no issuer of ours can sign bounds exp too: iat is at most now + tolerance.
 */
export function checkLifetime(exp: number, iat: number | undefined, nowSeconds: number, maxSeconds: number): void {
  if (iat !== undefined && exp <= iat) throw new TokenClaimsError('the token\'s "exp" is not after its "iat"');
  if (exp - (iat ?? nowSeconds) > maxSeconds) {
    throw new TokenClaimsError(`the token lives longer than ${maxSeconds} s (maxTokenLifetimeSeconds)`);
  }
}

/** `aud` names one of `audiences` (several only when allowed); `expected` names them, for a refusal. */
export function checkAudienceClaim(
  aud: unknown,
  audiences: ReadonlySet<string>,
  allowArray: boolean,
  expected: () => string,
): void {
  if (typeof aud === "string") {
    if (!audiences.has(aud)) throw new TokenAudienceError(`the token is for another audience; expected ${expected()}`);
    return;
  }
  if (!Array.isArray(aud) || !aud.every((entry) => typeof entry === "string")) {
    throw new TokenClaimsError('the token\'s "aud" claim must be a string (or an array of strings)');
  }
  if (!allowArray) {
    throw new TokenAudienceError(
      `the token has several audiences, which this verifier refuses (allowAudienceArray is off); expected ${expected()}`,
    );
  }
  if (!aud.some((entry: string) => audiences.has(entry))) {
    throw new TokenAudienceError(`none of the token's audiences is expected; expected ${expected()}`);
  }
}

/** Not expired, and neither `nbf` nor `iat` in the future, each within the clock tolerance. */
export function checkValidityWindow(
  exp: number,
  nbf: number | undefined,
  iat: number | undefined,
  nowSeconds: number,
  tolerance: number,
): void {
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
}
