// The verification pipeline, cheapest and least trusting first: size, structure (parsed, not
// believed; decoded once per token text, decoded-tokens.ts), header (algorithm allow-list, forbidden parameters, kid), the issuer's key for that
// kid, the signature (WebCrypto), then the claims with clock tolerance, then the certificate binding
// (`cnf`, certificate-binding.ts), then the matchers, then (when configured) the issuer's revocation
// list and introspection (revocation-check.ts).
//
// With `nativeIssuers`, the unverified `iss` chooses only which issuer's rules and keys apply: a
// token naming a native issuer is checked with that issuer's JWKS alone and its standard claims
// (native-claims.ts), and its workload comes only from that issuer's subject map; a token naming
// neither that nor the worker-identity issuer is refused before any key is fetched.

import type { JWTHeaderParameters, JWTPayload } from "jose";
import { type CertificatePresentation, checkCertificateBinding } from "./certificate-binding.js";
import { checkClaims } from "./claims.js";
import { decodeCompactToken } from "./compact-token.js";
import { decodedTokens } from "./decoded-tokens.js";
import { TokenIssuerError } from "./errors.js";
import { checkHeader } from "./header.js";
import { issuerKey } from "./jwks-cache.js";
import { checkMatchers, checkNativeMatchers } from "./matchers.js";
import { checkNativeClaims } from "./native-claims.js";
import type { ResolvedNativeIssuer } from "./native-issuers.js";
import type { ResolvedVerifierOptions } from "./options.js";
import { checkRevocation } from "./revocation-check.js";
import { verifySignature } from "./signature.js";

/** What a relying party learns from a token that passed every check. */
export interface VerifiedIdentity {
  /** The whole verified payload (iss, sub, aud, exp, iat, jti, account_id, worker, ...). */
  readonly claims: Readonly<JWTPayload>;
  /** The protected header (alg, kid, typ). */
  readonly header: Readonly<JWTHeaderParameters>;
  /** `iss`: the issuer that signed the token (the worker-identity issuer, or one of `nativeIssuers`). */
  readonly issuer: string;
  /** `sub`: worker/<account_id>/<script_name> for a Worker; the subject wrangler deploy printed for a native token. */
  readonly subject: string;
  /**
   * The workload: the `worker` claim (the script name) of a worker-identity token, when it has
   * one; for a native token, the name its issuer's `subjects` maps its `sub` to (never a claim).
   */
  readonly workload?: string;
  /** The `workflow` claim (the Workflow's name), for a workflow instance's token. */
  readonly workflow?: string;
  /** The `instance_id` claim, for a workflow instance's token. */
  readonly instanceId?: string;
  /** The `account_id` claim, when the token has one. */
  readonly accountId?: string;
  /** `jti`: unique per token, for replay detection; "" for a native token without one. */
  readonly jti: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /**
   * `cnf.x5t#S256`, when the token is certificate-bound, and whether the request's certificate
   * confirmed it (false only where the call opted out with acceptBoundTokenWithoutCertificate).
   */
  readonly certificate?: { readonly thumbprint: string; readonly confirmed: boolean };
}

export async function verifyToken(
  token: string,
  options: ResolvedVerifierOptions,
  presentation: CertificatePresentation = {},
): Promise<VerifiedIdentity> {
  const known =
    typeof token === "string" && token.length <= options.maxTokenBytes ? decodedTokens.get(token) : undefined;
  const decoded = known ?? decodeCompactToken(token, options.maxTokenBytes);
  const { header, payload, signingInput, signature } = decoded;
  const iss = payload.iss;
  const native = typeof iss === "string" ? options.nativeIssuers.get(iss) : undefined;
  if (native !== undefined) return verifyNativeToken(token, decoded, known !== undefined, native, options);
  if (options.nativeIssuers.size > 0 && typeof iss === "string" && iss !== options.issuer)
    throw new TokenIssuerError("the token's iss names none of the issuers this verifier trusts");
  const { alg, kid } = checkHeader(header, options.algorithms);
  const key = await issuerKey(options, kid, alg);
  await verifySignature(signingInput, signature, key, alg);
  if (known === undefined) decodedTokens.add(token, decoded);
  const claims = checkClaims(payload, options, options.now() / 1_000);
  const binding = checkCertificateBinding(payload, presentation);
  checkMatchers(payload, options);
  await checkRevocation(token, payload, options);
  return Object.freeze({
    claims: Object.freeze(payload) as Readonly<JWTPayload>,
    header: Object.freeze(header) as Readonly<JWTHeaderParameters>,
    issuer: options.issuer,
    subject: claims.sub,
    ...(claims.worker !== undefined ? { workload: claims.worker } : {}),
    ...(typeof payload.workflow === "string" ? { workflow: payload.workflow } : {}),
    ...(typeof payload.instance_id === "string" ? { instanceId: payload.instance_id } : {}),
    ...(claims.accountId !== undefined ? { accountId: claims.accountId } : {}),
    jti: claims.jti,
    expiresAt: claims.exp,
    ...(binding.bound
      ? {
          certificate: Object.freeze({
            thumbprint: binding.thumbprint,
            confirmed: presentation.certificateThumbprint !== undefined,
          }),
        }
      : {}),
  });
}

/**
 * A native token, with its own issuer's keys (never the worker-identity issuer's, never another
 * native issuer's) and standard claims. Not certificate-bound and not covered by the
 * worker-identity issuer's revocation list or introspection: those are the issuer's own tokens'.
 */
async function verifyNativeToken(
  token: string,
  decoded: ReturnType<typeof decodeCompactToken>,
  wasKnown: boolean,
  native: ResolvedNativeIssuer,
  options: ResolvedVerifierOptions,
): Promise<VerifiedIdentity> {
  const { header, payload, signingInput, signature } = decoded;
  const { alg, kid } = checkHeader(header, options.algorithms);
  const keyOptions = {
    issuer: native.issuer,
    jwksUri: native.jwksUri,
    jwks: options.jwks,
    fetch: options.fetch,
    now: options.now,
  };
  const key = await issuerKey(keyOptions, kid, alg);
  await verifySignature(signingInput, signature, key, alg);
  if (!wasKnown) decodedTokens.add(token, decoded);
  const claims = checkNativeClaims(payload, native, options, options.now() / 1_000);
  const workload = native.subjects.get(claims.sub);
  checkNativeMatchers(claims.sub, workload, options);
  return Object.freeze({
    claims: Object.freeze(payload) as Readonly<JWTPayload>,
    header: Object.freeze(header) as Readonly<JWTHeaderParameters>,
    issuer: native.issuer,
    subject: claims.sub,
    ...(workload !== undefined ? { workload } : {}),
    jti: claims.jti ?? "",
    expiresAt: claims.exp,
  });
}
