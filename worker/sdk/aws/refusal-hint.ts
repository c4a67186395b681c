// The likely mismatch behind an AssumeRoleWithWebIdentity refusal, from STS's code and message and
// the claims the token presented: what `wid explain <token> --target <role ARN>` would check.
// STS's messages (AssumeRoleWithWebIdentity API reference, "Errors"; IAM's "Troubleshooting OIDC"):
// AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity" (the trust policy);
// InvalidIdentityToken "Incorrect token audience", "No OpenIDConnect provider found in your
// account for <url>", "OpenIDConnect provider's HTTPS certificate doesn't match configured
// thumbprint", "Couldn't retrieve verification key from your identity provider".

import type { RefusalExplanation } from "../errors.js";
import { describePresented, type PresentedClaims } from "../presented-token.js";

/** Advice by code when the message names nothing more specific. */
const GENERAL: Readonly<Record<string, string>> = {
  InvalidIdentityToken: "AWS must trust the issuer (an IAM OIDC provider for its URL) and be able to fetch its JWKS",
  ExpiredTokenException: "the token expired before STS read it; check that the clocks agree",
  IDPCommunicationError: "STS could not reach the issuer's discovery or JWKS in time; retry later",
  IDPRejectedClaim: "the IAM OIDC provider rejected a claim of the token; check its audiences (client IDs)",
  Throttling: "retry later, with backoff",
};

export function assumeRoleRefusalHint(
  code: string,
  message: string,
  presented: PresentedClaims | undefined,
  roleArn: string,
): RefusalExplanation {
  const claims = presented === undefined ? "the token" : describePresented(presented);
  const iss = presented?.iss ?? "the token's iss";
  const aud = presented?.aud ?? "the token's aud";
  let hint: string | undefined;
  if (code === "AccessDenied") {
    hint =
      `the role's trust policy did not admit ${claims}: check the role trusts this workload's subject and ` +
      `audience (\`wid explain <token> --target ${roleArn}\`)` +
      (presented?.sessionTags
        ? "; the token carries session tags, so the trust policy must also allow sts:TagSession"
        : "");
  } else if (code === "InvalidIdentityToken") {
    if (/audience/i.test(message)) {
      hint = `the IAM OIDC provider for ${iss} does not list aud=${aud} among its audiences (client IDs): add it there, or request a token for an audience it lists`;
    } else if (/no openid ?connect provider/i.test(message)) {
      hint = `this account has no IAM OIDC provider whose URL is exactly iss=${iss}: AWS must trust the issuer; deploy the stack's federation in the role's account (pulumi up)`;
    } else if (/thumbprint|certificate/i.test(message)) {
      hint = `the TLS certificate of ${iss} does not match the IAM OIDC provider's thumbprints: update the provider's thumbprint list`;
    } else if (/verification key|signature|jwks|keys/i.test(message)) {
      hint = `STS could not verify the token with the keys iss=${iss} publishes: AWS must be able to fetch its discovery and JWKS (public, answering within 5 s), and the signing key must be published there`;
    }
  }
  hint ??= GENERAL[code];
  return { presented, hint };
}
