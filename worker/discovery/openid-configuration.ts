// The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) of the issuer. AWS IAM and GCP
// read `issuer` and `jwks_uri` from it; `issuer` must equal every token's `iss` byte for byte.

import type { IssuerSettings } from "../config/types.js";
import { INTROSPECTION_PATH, JWKS_PATH } from "../http/routes.js";
import { SUPPORTED_CLAIMS } from "../tokens/claims.js";

/** Discovery changes only with a redeploy. */
export const DISCOVERY_MAX_AGE_SECONDS = 3_600;

export function openIdConfiguration(settings: IssuerSettings): Record<string, unknown> {
  const other = settings.signingAlgorithm === "RS256" ? "ES256" : "RS256";
  return {
    issuer: settings.issuerUrl,
    jwks_uri: `${settings.issuerUrl}${JWKS_PATH}`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    // The configured algorithm first; the other stays listed because keys of the previous
    // algorithm remain published until their tokens expire after a switch.
    id_token_signing_alg_values_supported: [settings.signingAlgorithm, other],
    claims_supported: [...SUPPORTED_CLAIMS],
    // RFC 8414: relying parties registered in introspectionClients ask here whether a token is
    // still active (a workflow token's instance may have ended, a token may be revoked).
    introspection_endpoint: `${settings.issuerUrl}${INTROSPECTION_PATH}`,
    introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
  };
}
