// What Vault's JWT auth method (vault-plugin-auth-jwt), Vault's core and the vault provider
// (terraform-provider-vault, under @pulumi/vault 7.x) refuse, each with its public source. The
// validator, the program and the test suite's fakes (test/support/fakes/vault.ts) import it.

import { limit } from "./provider-limit.js";

const JWT_ROLE = "hashicorp/vault-plugin-auth-jwt path_role.go (pathRoleCreateUpdate)";
const JWT_LOGIN = "hashicorp/vault-plugin-auth-jwt path_login.go (pathLogin)";
const JWT_CONFIG = "hashicorp/vault-plugin-auth-jwt path_config.go (pathConfigWrite)";

export const VAULT = Object.freeze({
  /** A role's name is matched by the role path `role/<name>`: framework.GenericNameRegex. */
  roleName: limit(
    /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/,
    `${JWT_ROLE}: Pattern "role/" + framework.GenericNameRegex("name"), i.e. \\w(([\\w-.]+)?\\w)? (hashicorp/vault sdk/framework/path.go)`,
  ),
  /** `role_type` is `jwt` or `oidc`. */
  roleTypes: limit(Object.freeze(["jwt", "oidc"]), `${JWT_ROLE}: "invalid 'role_type'"`),
  /** `bound_claims_type` is `string` or `glob`. */
  boundClaimsTypes: limit(Object.freeze(["string", "glob"]), `${JWT_ROLE}: "invalid 'bound_claims_type'"`),
  /** A role needs the claim that names the entity alias. */
  userClaimRequired: limit(true, `${JWT_ROLE}: "a user claim must be defined on the role"`),
  /** A jwt role binds at least one of bound_audiences, bound_subject, bound_claims, token_bound_cidrs. */
  boundConstraintRequired: limit(
    true,
    `${JWT_ROLE}: "must have at least one bound constraint when creating/updating a role"`,
  ),
  /** Since Vault 1.17 (CVE-2024-5798) a token with `aud` logs in only to a role whose bound_audiences match it. */
  audiencesRequiredForAud: limit(
    true,
    `${JWT_LOGIN}: "audience claim found in JWT but no audiences bound to the role"; Vault 1.17 upgrade guide, "JWT auth login requires bound audiences on the role" (CVE-2024-5798)`,
  ),
  /** `token_ttl` may not exceed `token_max_ttl` (when that is set). */
  ttlWithinMaxTtl: limit(true, `${JWT_ROLE}: "ttl should not be greater than max ttl"`),
  /** Metadata keys claim_mappings may not write. */
  reservedMetadata: limit(
    Object.freeze(["role"]),
    `${JWT_ROLE}: reservedMetadata = []string{"role"}, "metadata key %q is reserved and may not be a mapping destination"`,
  ),
  /** Two claims may not map to one metadata key. */
  uniqueMetadataTargets: limit(true, `${JWT_ROLE}: "multiple keys are mapped to metadata key %q"`),
  /** Exactly one key source per mount. */
  oneKeySource: limit(
    true,
    `${JWT_CONFIG}: "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"`,
  ),
  /** Policies a login may never attach. */
  unassignablePolicies: limit(
    Object.freeze(["root", "response-wrapping", "control-group"]),
    'hashicorp/vault vault/request_handling.go: "auth methods cannot create root tokens", "cannot assign policy %q" (nonAssignablePolicies in vault/policy_store.go: response-wrapping, control-group)',
  ),
  /** `token_type` values a role accepts (tokenutil.ParseTokenFields). */
  tokenTypes: limit(
    Object.freeze(["default", "service", "batch", "default-service", "default-batch"]),
    "hashicorp/vault sdk/helper/tokenutil/tokenutil.go: \"invalid 'token_type' value\"",
  ),
  /** The system's default max lease TTL (768h): a longer token_max_ttl is truncated, with a warning. */
  systemMaxLeaseTtlSeconds: limit(
    768 * 3_600,
    `Vault server configuration docs, max_lease_ttl (default 768h); ${JWT_ROLE}: "token max ttl is greater than the system or backend mount's maximum TTL value"`,
  ),
  /** An auth mount's path overlapping another mount (the built-in token/ included) is refused with 409. */
  mountPathInUse: limit(
    true,
    'hashicorp/vault vault/auth.go (enableCredentialInternal): "path is already in use at %s" (HTTP 409); the token/ mount always exists',
  ),
  /** The auth backend's path may not end in '/' (the provider's ValidateNoTrailingSlash). */
  mountPathNoTrailingSlash: limit(
    /[^/]$/,
    "hashicorp/terraform-provider-vault vault/resource_jwt_auth_backend.go: path ValidateFunc provider.ValidateNoTrailingSlash",
  ),
  /** The namespace may not start or end with '/'. */
  namespaceNoSlashes: limit(
    /^[^/](?:.*[^/])?$/,
    "@pulumi/vault jwt/authBackend.d.ts, namespace: 'The value should not contain leading or trailing forward slashes'",
  ),
  /** Vault fetches <oidc_discovery_url>/.well-known/openid-configuration when the config is written, and the document's issuer must equal the URL. */
  discoveryChecked: limit(
    true,
    `${JWT_CONFIG}: jwt.NewOIDCDiscoveryKeySet at write time, "error checking oidc discovery URL"; Vault JWT auth docs: oidc_discovery_url is 'without any .well-known component (base path)'`,
  ),
  /** The default leeways a jwt role applies when its fields are 0. */
  leewaySeconds: limit(
    Object.freeze({ expiration: 150, notBefore: 150, clockSkew: 60 }),
    "Vault JWT auth API docs (create role): expiration_leeway and not_before_leeway default 150, clock_skew_leeway default 60",
  ),
});
