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
  for (const name of STRING_CLAIMS) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "string" || value === "")) {
      throw new TokenClaimsError(`the token's "${name}" claim must be a non-empty string`);
    }
  }
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (Object.hasOwn(payload, name) && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      throw new TokenClaimsError(
        `the token's "${name}" claim must be a NumericDate (non-negative seconds since the epoch)`,
      );
    }
  }
  const { iss, sub, jti, worker, account_id: accountId } = payload as Record<string, string | undefined>;
  const exp = payload.exp as number;
  const iat = payload.iat as number;
  const nbf = payload.nbf as number | undefined;
  if (exp <= iat) throw new TokenClaimsError('the token\'s "exp" is not after its "iat"');
  // A lifetime no issuer of ours can sign bounds exp too: iat is at most now + tolerance below.
  if (exp - iat > options.maxTokenLifetimeSeconds) {
    throw new TokenClaimsError(
      `the token lives longer than ${options.maxTokenLifetimeSeconds} s (maxTokenLifetimeSeconds)`,
    );
  }

  if (iss !== options.issuer) throw new TokenIssuerError(`the token was not issued by ${options.issuer}`);
  checkAudience(payload.aud, options);

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
  return { sub: sub as string, jti: jti as string, exp, worker, accountId };
}

function checkAudience(aud: unknown, options: ClaimsOptions): void {
  // Only a refusal spells out the expected audiences (not every verification).
  const expected = () => `expected ${[...options.audiences].join(" or ")}`;
  if (typeof aud === "string") {
    if (!options.audiences.has(aud)) throw new TokenAudienceError(`the token is for another audience; ${expected()}`);
    return;
  }
  if (!Array.isArray(aud) || !aud.every((entry) => typeof entry === "string")) {
    throw new TokenClaimsError('the token\'s "aud" claim must be a string (or an array of strings)');
  }
  if (!options.allowAudienceArray) {
    throw new TokenAudienceError(
      `the token has several audiences, which this verifier refuses (allowAudienceArray is off); ${expected()}`,
    );
  }
  if (!aud.some((entry: string) => options.audiences.has(entry))) {
    throw new TokenAudienceError(`none of the token's audiences is expected; ${expected()}`);
  }
}
