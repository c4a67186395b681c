// A Vault JWT auth method (vault.jwt.AuthBackend, type jwt) checks `iss` only when bound_issuer
// is set: without it, any token its keys verify is accepted whatever issuer it names (and with
// jwt_validation_pubkeys or jwks_url, whoever holds those keys). The pack requires bound_issuer,
// equal to the discovery URL when the mount discovers its keys.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as vault from "@pulumi/vault";
import { isUnknown } from "../inputs.js";
import { type PlainInputs, reportViolationsOfType } from "../resource-policy.js";

const fold = (url: string) => url.trim().replace(/\/+$/, "").toLowerCase();

export function backendIssuerViolations(inputs: PlainInputs): readonly string[] {
  const type = inputs.type ?? "jwt";
  if (type !== "jwt" || isUnknown(inputs.boundIssuer) || isUnknown(inputs.oidcDiscoveryUrl)) return [];
  const issuer = inputs.boundIssuer;
  if (typeof issuer !== "string" || issuer.trim() === "")
    return [
      "the JWT auth method has no boundIssuer, so Vault accepts any iss its keys verify; set boundIssuer to the issuer URL (the stack's https://<issuerHostname>)",
    ];
  const discovery = inputs.oidcDiscoveryUrl;
  if (typeof discovery === "string" && fold(discovery) !== fold(issuer))
    return [
      `boundIssuer ${JSON.stringify(issuer)} is not the issuer whose keys the mount discovers (${discovery}); set both to the issuer URL`,
    ];
  return [];
}

export const vaultBackendBoundIssuer: ResourceValidationPolicy = {
  name: "vault-backend-bound-issuer",
  description: "A Vault JWT auth method binds the issuer (bound_issuer), the one whose keys it discovers.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(vault.jwt.AuthBackend, backendIssuerViolations),
};
