// Vault's login answers as its API documentation shows them, for the vaultToken tests.

import type { ScriptedAnswer } from "./loopback.js";

/**
 * The sample response of "JWT login" in Vault's JWT/OIDC auth method API docs
 * (developer.hashicorp.com/vault/api-docs/auth/jwt#jwt-login), as printed there (without its closing "...").
 */
export const DOCUMENTED_LOGIN_RESPONSE = {
  auth: {
    client_token: "f33f8c72-924e-11f8-cb43-ac59d697597c",
    accessor: "0e9e354a-520f-df04-6867-ee81cae3d42d",
    policies: ["default", "dev", "prod"],
    lease_duration: 2764800,
    renewable: true,
  },
};

/** A login answer of a current Vault (the full response envelope), with a service token. */
export function vaultLogin(clientToken: string, leaseDuration = 900): ScriptedAnswer {
  return json(200, {
    request_id: "5b3c7c54-0f3c-4b8a-9d32-3c1b6a0f7e21",
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: {
      client_token: clientToken,
      accessor: "kt4RwmoZ8QmCZFq0lDbCVx3j",
      policies: ["default", "payments-read"],
      token_policies: ["default", "payments-read"],
      metadata: {
        role: "wid-secrets-sync",
        workload: "secrets-sync",
        account_id: "0123456789abcdef0123456789abcdef",
        environment: "dev",
      },
      lease_duration: leaseDuration,
      renewable: true,
      entity_id: "6f4b1c2e-8d3a-4e5f-9a0b-1c2d3e4f5a6b",
      token_type: "service",
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    },
    mount_type: "jwt",
  });
}

/** `{errors: [...]}`, how Vault answers every refusal (logical.ErrorResponse, ErrPermissionDenied). */
export function vaultErrors(status: number, ...errors: string[]): ScriptedAnswer {
  return json(status, { errors });
}

export function json(status: number, body: unknown): ScriptedAnswer {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}
