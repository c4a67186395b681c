// A native (Cloudflare `oidc_tokens`) subject token, checked against the runtime config: its `iss`
// exactly one configured native issuer (nothing is fetched for any other), its header an allowed
// algorithm, its signature one of that issuer's keys, its `aud` exactly this issuer's URL, `exp`
// present and not past, `nbf` and `iat` not in the future (the issuer's clock skew as leeway), and
// without `jti` an `iat` at most MAX_AGE_WITHOUT_JTI_SECONDS old. Then its exact (iss, sub) names
// the workload. Only standard claims are read (iss, sub, aud, exp, iat, nbf, jti): the native claim
// set is not public (../shared/DESIGN.md, "The platform moved").

import { decodeJwt, decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { RuntimeSettings, RuntimeWorkload } from "../runtime-config/types.js";
import { NativeKeysUnavailableError, nativeKeys } from "./native-keys.js";

/** The native binding signs ES256 by default and RS256 on request; nothing else is accepted. */
export const NATIVE_ALGORITHMS = ["ES256", "RS256"] as const;
/** Without a `jti` a token cannot be remembered by id: it is accepted this long after its `iat`. */
export const MAX_AGE_WITHOUT_JTI_SECONDS = 300;
/** A subject token valid longer ahead than this is refused: the replay store keeps each token until its exp. */
export const MAX_REMAINING_LIFETIME_SECONDS = 86_400;
export const MAX_SUBJECT_TOKEN_BYTES = 8_192;

export type NativeTokenCode =
  | "ERR_SUBJECT_TOKEN_INVALID"
  | "ERR_SUBJECT_TOKEN_EXPIRED"
  | "ERR_UNKNOWN_NATIVE_ISSUER"
  | "ERR_UNKNOWN_NATIVE_SUBJECT"
  | "ERR_NATIVE_JWKS_UNAVAILABLE";

/** A refused subject token; the detail names what is wrong and never quotes the token. */
export class NativeTokenError extends Error {
  constructor(
    readonly code: NativeTokenCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "NativeTokenError";
  }
}

export interface VerifiedNativeToken {
  readonly workload: RuntimeWorkload;
  readonly issuer: string;
  readonly subject: string;
  readonly jti?: string;
  /** Until when the token must be remembered (ms): its exp, or iat + the maximum age without jti. */
  readonly rememberUntilMs: number;
}

export async function verifyNativeToken(
  token: string,
  config: RuntimeSettings,
  nowMs: number,
): Promise<VerifiedNativeToken> {
  if (new TextEncoder().encode(token).length > MAX_SUBJECT_TOKEN_BYTES) {
    throw invalidToken(`the subject token is longer than ${MAX_SUBJECT_TOKEN_BYTES} bytes`);
  }
  let alg: unknown;
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    iss = decodeJwt(token).iss;
  } catch {
    throw invalidToken("the subject token is not a signed JWT (three base64url parts, a JSON header and payload)");
  }
  if (!(NATIVE_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw invalidToken(
      `the subject token's alg must be ${NATIVE_ALGORITHMS.join(" or ")}, as the native binding signs`,
    );
  }
  const trusted = config.workloads.filter((w) => w.native !== undefined && w.native.issuer === iss);
  if (trusted.length === 0) {
    throw new NativeTokenError(
      "ERR_UNKNOWN_NATIVE_ISSUER",
      "the subject token's iss is no native issuer of a registered workload; set workloads.<name>.native.issuer " +
        "to the issuer `wrangler deploy` printed, and redeploy",
    );
  }
  const trust = trusted[0]!.native!;
  const skew = config.issuer.clockSkewSeconds;
  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(token, fetchFailuresUnavailable(await nativeKeys(trust, nowMs)), {
      issuer: trust.issuer,
      audience: config.issuer.issuerUrl,
      algorithms: [...NATIVE_ALGORITHMS],
      requiredClaims: ["exp", "sub"],
      clockTolerance: skew,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    throw refusalOf(error, config.issuer.issuerUrl);
  }
  const nowSeconds = nowMs / 1_000;
  const { sub, jti, iat, exp, aud } = payload;
  if (Array.isArray(aud) && aud.length !== 1) {
    throw invalidToken("the subject token is for several audiences; it must be for this issuer's URL alone");
  }
  if (typeof iat === "number" && iat > nowSeconds + skew) {
    throw expired("the subject token's iat is in the future; check the clocks, or call getToken() again");
  }
  if (exp! > nowSeconds + MAX_REMAINING_LIFETIME_SECONDS) {
    throw invalidToken(`the subject token is valid for more than ${MAX_REMAINING_LIFETIME_SECONDS} s ahead`);
  }
  if (jti !== undefined && (typeof jti !== "string" || jti === "")) {
    throw invalidToken("the subject token's jti must be a non-empty string when present");
  }
  let rememberUntilMs = (exp! + skew) * 1_000;
  if (jti === undefined) {
    if (typeof iat !== "number") {
      throw invalidToken("a subject token without jti must carry iat, which bounds how long it is accepted");
    }
    if (iat < nowSeconds - MAX_AGE_WITHOUT_JTI_SECONDS - skew) {
      throw expired(
        `a subject token without jti is accepted ${MAX_AGE_WITHOUT_JTI_SECONDS} s after its iat; this one is older`,
      );
    }
    rememberUntilMs = Math.min(rememberUntilMs, (iat + MAX_AGE_WITHOUT_JTI_SECONDS + 2 * skew) * 1_000);
  }
  const workload = trusted.find((w) => w.native!.subject === sub);
  if (workload === undefined) {
    throw new NativeTokenError(
      "ERR_UNKNOWN_NATIVE_SUBJECT",
      "the subject token's sub is no registered workload's native subject (a deleted and re-created script has a " +
        "new one); set workloads.<name>.native.subject to the subject `wrangler deploy` printed, and redeploy",
    );
  }
  return {
    workload,
    issuer: trust.issuer,
    subject: sub!,
    ...(jti === undefined ? {} : { jti }),
    rememberUntilMs,
  };
}

/** The key getter, its failures to fetch or read the JWKS (not a kid it lacks) made NativeKeysUnavailableError. */
function fetchFailuresUnavailable(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new NativeKeysUnavailableError("the native issuer's JWKS could not be fetched or is not a JWK set; retry");
    }
  };
}

function refusalOf(error: unknown, issuerUrl: string): NativeTokenError {
  if (error instanceof NativeKeysUnavailableError)
    return new NativeTokenError("ERR_NATIVE_JWKS_UNAVAILABLE", error.detail);
  if (error instanceof errors.JWTExpired) return expired("the subject token has expired; call getToken() again");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return expired("the subject token is not valid yet (nbf); check the clocks");
    if (error.claim === "iat") return expired("the subject token's iat is in the future; check the clocks");
    if (error.claim === "aud") {
      return invalidToken(
        `the subject token's aud must be this issuer's URL, ${issuerUrl}: set it as the binding's audience`,
      );
    }
    return invalidToken(`the subject token's ${error.claim} claim is missing or malformed`);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return invalidToken("no key of the native issuer's JWKS matches the subject token's kid and alg");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalidToken("the subject token's signature does not verify with the native issuer's keys");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalidToken(`the subject token's alg must be ${NATIVE_ALGORITHMS.join(" or ")}`);
  }
  if (error instanceof errors.JOSEError) return invalidToken("the subject token is not a valid signed JWT");
  throw error;
}

const invalidToken = (detail: string) => new NativeTokenError("ERR_SUBJECT_TOKEN_INVALID", detail);
const expired = (detail: string) => new NativeTokenError("ERR_SUBJECT_TOKEN_EXPIRED", detail);
