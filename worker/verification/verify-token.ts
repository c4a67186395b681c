// The verification pipeline, cheapest and least trusting first: size, structure (parsed, not
// believed; decoded once per token text, decoded-tokens.ts), header (algorithm allow-list, forbidden parameters, kid), the issuer's key for that
// kid, the signature (WebCrypto), then the claims with clock tolerance, then the certificate binding
// (`cnf`, certificate-binding.ts), then the matchers, then (when configured) the issuer's revocation
// list and introspection (revocation-check.ts).

import type { JWTHeaderParameters, JWTPayload } from "jose";
import { type CertificatePresentation, checkCertificateBinding } from "./certificate-binding.js";
import { checkClaims } from "./claims.js";
import { decodeCompactToken } from "./compact-token.js";
import { decodedTokens } from "./decoded-tokens.js";
import { checkHeader } from "./header.js";
import { issuerKey } from "./jwks-cache.js";
import { checkMatchers } from "./matchers.js";
import type { ResolvedVerifierOptions } from "./options.js";
import { checkRevocation } from "./revocation-check.js";
import { verifySignature } from "./signature.js";

/** What a relying party learns from a token that passed every check. */
export interface VerifiedIdentity {
  /** The whole verified payload (iss, sub, aud, exp, iat, jti, account_id, worker, ...). */
  readonly claims: Readonly<JWTPayload>;
  /** The protected header (alg, kid, typ). */
  readonly header: Readonly<JWTHeaderParameters>;
  /** `sub`: worker/<account_id>/<script_name> for a Worker. */
  readonly subject: string;
  /** The `worker` claim (the script name), when the token has one. */
  readonly workload?: string;
  /** The `workflow` claim (the Workflow's name), for a workflow instance's token. */
  readonly workflow?: string;
  /** The `instance_id` claim, for a workflow instance's token. */
  readonly instanceId?: string;
  /** The `account_id` claim, when the token has one. */
  readonly accountId?: string;
  /** `jti`: unique per token, for replay detection. */
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
