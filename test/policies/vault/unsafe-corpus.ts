// Hand-written Vault JWT trust, each configuration unsafe in one way, with the policy that must
// refuse it and the input that decides (unknown during preview, it must be skipped instead).
// Written the way Vault's docs and provider examples write roles, not with the program's builders.

import type { TestResource } from "../harness.js";
import type { UnsafeConfiguration } from "../unsafe-corpus.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const DEV_ISSUER = "https://id.example.dev";
/** Pulumi.dev.yaml's Vault workload. */
export const DEV_SUBJECT = `worker/${ACCOUNT}/secrets-sync`;

export function jwtRole(change: Record<string, unknown> = {}): TestResource {
  return {
    type: "vault:jwt/authBackendRole:AuthBackendRole",
    props: present({
      backend: "worker-identity",
      roleName: "wid-secrets-sync",
      roleType: "jwt",
      boundAudiences: ["https://vault.example.dev"],
      boundSubject: DEV_SUBJECT,
      boundClaimsType: "string",
      userClaim: "sub",
      tokenPolicies: ["payments-read"],
      ...change,
    }),
  };
}

export function jwtBackend(change: Record<string, unknown> = {}): TestResource {
  return {
    type: "vault:jwt/authBackend:AuthBackend",
    props: present({
      path: "worker-identity",
      type: "jwt",
      oidcDiscoveryUrl: DEV_ISSUER,
      boundIssuer: DEV_ISSUER,
      ...change,
    }),
  };
}

/** An input set to undefined is one the resource does not have: the engine sends no such property. */
function present(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
}

export const vaultUnsafeCorpus: readonly UnsafeConfiguration[] = [
  {
    why: "a jwt role with no bound_subject (any Worker of the account)",
    resource: jwtRole({ boundSubject: undefined, boundClaims: { account_id: ACCOUNT } }),
    refusedBy: "vault-role-bound-subject",
    decidedBy: "boundSubject",
  },
  {
    why: "a jwt role whose bound_subject is a pattern",
    resource: jwtRole({ boundSubject: `worker/${ACCOUNT}/*` }),
    refusedBy: "vault-role-bound-subject",
    decidedBy: "boundSubject",
  },
  {
    why: "a jwt role with no bound_audiences",
    resource: jwtRole({ boundAudiences: [] }),
    refusedBy: "vault-role-bound-audiences",
    decidedBy: "boundAudiences",
  },
  {
    why: "a jwt role with a wildcard audience",
    resource: jwtRole({ boundAudiences: ["https://vault.*"] }),
    refusedBy: "vault-role-bound-audiences",
    decidedBy: "boundAudiences",
  },
  {
    why: "bound_claims_type glob",
    resource: jwtRole({ boundClaimsType: "glob", boundClaims: { worker: "secrets-sync" } }),
    refusedBy: "vault-role-exact-claims",
    decidedBy: "boundClaimsType",
  },
  {
    why: "a wildcard in a bound claim",
    resource: jwtRole({ boundClaims: { account_id: ACCOUNT, worker: "secrets-*" } }),
    refusedBy: "vault-role-exact-claims",
    decidedBy: "boundClaims",
  },
  {
    why: "a bound claim of alternatives (comma-separated)",
    resource: jwtRole({ boundClaims: { worker: "secrets-sync,billing" } }),
    refusedBy: "vault-role-exact-claims",
    decidedBy: "boundClaims",
  },
  {
    why: "user_claim account_id (every Worker one entity)",
    resource: jwtRole({ userClaim: "account_id" }),
    refusedBy: "vault-role-exact-claims",
    decidedBy: "userClaim",
  },
  {
    why: "a JWT auth method without bound_issuer",
    resource: jwtBackend({ boundIssuer: undefined }),
    refusedBy: "vault-backend-bound-issuer",
    decidedBy: "boundIssuer",
  },
  {
    why: "a JWT auth method binding another issuer than the one it discovers",
    resource: jwtBackend({ boundIssuer: "https://token.actions.githubusercontent.com" }),
    refusedBy: "vault-backend-bound-issuer",
    decidedBy: "boundIssuer",
  },
];
