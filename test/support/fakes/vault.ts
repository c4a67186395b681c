// The HashiCorp Vault provider's JWT auth resources as the test suite's fake (@pulumi/vault 7.x
// over terraform-provider-vault, writing to vault-plugin-auth-jwt): the auth backend (mount and
// config) and its roles, refusing what the provider's schema, Vault's core and the plugin refuse
// (each refusal names its source, most from worker/config/vault-limits.ts), with the state each
// keeps between deploys (the engine's): a backend's accessor, a role's resolved defaults.

import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { VAULT } from "../../../worker/config/vault-limits.js";
import { list, matching, optionalText, record, requiredText, takenElsewhere } from "./checks.js";
import type { Properties, ProviderFake, RegisterContext, ResourceFake, StoredResource } from "./model.js";
import { TYPE } from "./types.js";

const BACKEND = TYPE.vaultJwtBackend;
const ROLE = TYPE.vaultJwtRole;

const PROVIDER_BACKEND = "hashicorp/terraform-provider-vault vault/resource_jwt_auth_backend.go";
const PROVIDER_ROLE = "hashicorp/terraform-provider-vault vault/resource_jwt_auth_backend_role.go";

/** The signing algorithms vault-plugin-auth-jwt accepts (path_login.go's default set; path_config.go refuses others). */
const SUPPORTED_ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

/** The provider trims a path's slashes before it writes (StateFunc strings.Trim(v, "/") on backend). */
const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, "");

function namespaceOf(context: RegisterContext, from: Properties = context.inputs): string {
  const namespace = optionalText(context, "namespace", from) ?? "";
  if (namespace !== "" && !VAULT.namespaceNoSlashes.value.test(namespace))
    context.refuse(`namespace ${JSON.stringify(namespace)} has a leading or trailing '/'`, VAULT.namespaceNoSlashes);
  return namespace;
}

/** Two auth mounts conflict when either path is a prefix of the other (both end in '/' in Vault's table). */
function overlaps(a: string, b: string): boolean {
  return `${a}/`.startsWith(`${b}/`) || `${b}/`.startsWith(`${a}/`);
}

function checkUrl(context: RegisterContext, key: string, url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const loopback = parsed !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
  if (parsed === undefined || !(parsed.protocol === "https:" || (parsed.protocol === "http:" && loopback)))
    context.refuse(`error checking ${key.replace(/([A-Z])/g, "_$1").toLowerCase()} ${url}`, VAULT.discoveryChecked);
  if (key === "oidcDiscoveryUrl" && parsed.pathname.includes("/.well-known/"))
    context.refuse(
      `error checking oidc discovery URL: ${url} has a .well-known component; Vault appends /.well-known/openid-configuration and the document's issuer must equal the URL`,
      VAULT.discoveryChecked,
    );
}

const backend: ResourceFake = {
  // type and namespace force a new mount; a new path is a remount (disable_remount false), an update.
  replaceOn: ["type", "namespace", "local"],
  register(context) {
    const type = optionalText(context, "type") ?? "jwt";
    if (type !== "jwt" && type !== "oidc")
      context.refuse(
        `expected type to be one of ["jwt" "oidc"], got ${type}`,
        `${PROVIDER_BACKEND}: type ValidateFunc`,
      );
    const path = optionalText(context, "path") ?? "jwt";
    if (path === "" || !VAULT.mountPathNoTrailingSlash.value.test(path))
      context.refuse(
        `invalid value for "path" (${JSON.stringify(path)}): cannot end with a '/'`,
        VAULT.mountPathNoTrailingSlash,
      );
    const mount = trimSlashes(path);
    const namespace = namespaceOf(context);
    if (overlaps(mount, "token"))
      context.refuse(
        `error writing to Vault: Code: 409. Errors: * path is already in use at token/`,
        VAULT.mountPathInUse,
      );
    if (
      takenElsewhere(
        context,
        BACKEND,
        (r) => (r.inputs.namespace ?? "") === namespace && overlaps(trimSlashes(String(r.inputs.path ?? "jwt")), mount),
      )
    )
      context.refuse(
        `error writing to Vault: Code: 409. Errors: * path is already in use at ${mount}/`,
        VAULT.mountPathInUse,
      );
    const sources = [
      optionalText(context, "oidcDiscoveryUrl"),
      optionalText(context, "jwksUrl"),
      list(context, "jwtValidationPubkeys").length > 0 ? "pubkeys" : undefined,
      list(context, "jwksPairs").length > 0 ? "pairs" : undefined,
    ].filter((s) => s !== undefined && s !== "");
    if (sources.length !== 1)
      context.refuse(
        "error updating configuration to Vault: exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set",
        VAULT.oneKeySource,
      );
    const discovery = optionalText(context, "oidcDiscoveryUrl");
    if (discovery !== undefined) checkUrl(context, "oidcDiscoveryUrl", discovery);
    const jwksUrl = optionalText(context, "jwksUrl");
    if (jwksUrl !== undefined) checkUrl(context, "jwksUrl", jwksUrl);
    for (const alg of list(context, "jwtSupportedAlgs")) {
      if (typeof alg !== "string" || !SUPPORTED_ALGS.includes(alg))
        context.refuse(
          `invalid jwt_supported_algs: unsupported signing algorithm ${JSON.stringify(alg)}`,
          'hashicorp/vault-plugin-auth-jwt path_config.go: "invalid jwt_supported_algs: %s" (cap/jwt\'s supported algorithms)',
        );
    }
    // The mount's accessor is Vault's, generated when it is enabled (kept across remounts and updates).
    const accessor =
      context.prior !== undefined && !context.replacing
        ? context.prior.outputs.accessor
        : `auth_${type}_${createHash("sha256").update(`${context.name}/${context.generation}`).digest("hex").slice(0, 8)}`;
    return {
      ...context.inputs,
      type,
      path,
      namespace: namespace === "" ? undefined : namespace,
      boundIssuer: optionalText(context, "boundIssuer") ?? "",
      accessor,
      disableRemount: context.inputs.disableRemount ?? false,
    };
  },
};

/** The backend a role is written under: one this deploy declares, or one the account holds. */
function mountFor(context: RegisterContext, mount: string, namespace: string): StoredResource | undefined {
  const same = (r: StoredResource) =>
    trimSlashes(String(r.inputs.path ?? "jwt")) === mount && String(r.inputs.namespace ?? "") === namespace;
  return context.deploy.declared(BACKEND).find(same) ?? context.deploy.committed(BACKEND).find(same);
}

function checkCidr(context: RegisterContext, cidr: unknown): void {
  const [address, prefix, ...rest] = typeof cidr === "string" ? cidr.split("/") : [];
  const family = address === undefined ? 0 : isIP(address);
  const bits = Number(prefix);
  if (rest.length > 0 || family === 0 || !/^\d+$/.test(prefix ?? "") || bits > (family === 4 ? 32 : 128))
    context.refuse(
      `error writing JWT auth backend role: invalid CIDR address ${JSON.stringify(cidr)}`,
      "hashicorp/vault sdk/helper/tokenutil/tokenutil.go: token_bound_cidrs parsed with parseutil.ParseAddrs (net.ParseCIDR)",
    );
}

const role: ResourceFake = {
  replaceOn: ["roleName", "roleType", "backend", "namespace"],
  register(context) {
    const name = requiredText(context, "roleName");
    matching(context, "roleName", name, VAULT.roleName);
    const userClaim = optionalText(context, "userClaim");
    if (userClaim === undefined)
      context.refuse('The argument "user_claim" is required', `${PROVIDER_ROLE}: user_claim Required`);
    if (userClaim === "")
      context.refuse(
        "error writing JWT auth backend role: a user claim must be defined on the role",
        VAULT.userClaimRequired,
      );
    const mount = trimSlashes(optionalText(context, "backend") ?? "jwt");
    const namespace = namespaceOf(context);
    const path = `auth/${mount}/role/${name}`;
    if (mountFor(context, mount, namespace) === undefined)
      context.refuse(
        `error writing JWT auth backend role "${path}": Code: 404. Errors: * no handler for route "${path}". route entry not found.`,
        "hashicorp/vault vault/router.go: a path under no mount answers 404 'no handler for route'",
      );
    if (
      takenElsewhere(
        context,
        ROLE,
        (r) =>
          trimSlashes(String(r.inputs.backend ?? "jwt")) === mount &&
          String(r.inputs.namespace ?? "") === namespace &&
          r.inputs.roleName === name,
      )
    )
      context.refuse(
        `${path} is written by another resource: Vault's role write is an upsert, so one would silently replace the other's bound_subject and policies`,
        "Vault JWT auth API docs, 'Create/Update role' (POST /auth/:mount/role/:name creates or replaces)",
      );
    const roleType = optionalText(context, "roleType") ?? "oidc";
    if (!VAULT.roleTypes.value.includes(roleType))
      context.refuse(`error writing JWT auth backend role: invalid 'role_type': ${roleType}`, VAULT.roleTypes);
    if (roleType === "oidc" && list(context, "allowedRedirectUris").length === 0)
      context.refuse(
        "error writing JWT auth backend role: 'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
        "hashicorp/vault-plugin-auth-jwt path_role.go (pathRoleCreateUpdate)",
      );
    const boundClaimsType = optionalText(context, "boundClaimsType") ?? "string";
    if (!VAULT.boundClaimsTypes.value.includes(boundClaimsType))
      context.refuse(
        `error writing JWT auth backend role: invalid 'bound_claims_type': ${boundClaimsType}`,
        VAULT.boundClaimsTypes,
      );
    const targets = new Set<string>();
    for (const [claim, value] of Object.entries(record(context, "claimMappings"))) {
      const target = typeof value === "string" ? value : "";
      if (typeof value !== "string")
        context.refuse(`claimMappings.${claim} must be a string`, "the provider's schema (a map of strings)");
      if (VAULT.reservedMetadata.value.includes(target))
        context.refuse(
          `error writing JWT auth backend role: metadata key "${target}" is reserved and may not be a mapping destination`,
          VAULT.reservedMetadata,
        );
      if (targets.has(target))
        context.refuse(
          `error writing JWT auth backend role: multiple keys are mapped to metadata key "${target}"`,
          VAULT.uniqueMetadataTargets,
        );
      targets.add(target);
    }
    const audiences = list(context, "boundAudiences");
    const subject = optionalText(context, "boundSubject") ?? "";
    const cidrs = list(context, "tokenBoundCidrs");
    for (const cidr of cidrs) checkCidr(context, cidr);
    if (
      roleType === "jwt" &&
      audiences.length === 0 &&
      subject === "" &&
      cidrs.length === 0 &&
      Object.keys(record(context, "boundClaims")).length === 0
    )
      context.refuse(
        "error writing JWT auth backend role: must have at least one bound constraint when creating/updating a role",
        VAULT.boundConstraintRequired,
      );
    // Every token the issuer mints carries aud: a jwt role without bound_audiences could never be logged in to.
    if (roleType === "jwt" && audiences.length === 0)
      context.refuse(
        'a jwt role without bound_audiences: every login with a token carrying aud is refused ("audience claim found in JWT but no audiences bound to the role")',
        VAULT.audiencesRequiredForAud,
      );
    const tokenType = optionalText(context, "tokenType") ?? "default";
    if (!VAULT.tokenTypes.value.includes(tokenType))
      context.refuse(
        `error writing JWT auth backend role: invalid 'token_type' value "${tokenType}"`,
        VAULT.tokenTypes,
      );
    const ttl = Number(context.inputs.tokenTtl ?? 0);
    const maxTtl = Number(context.inputs.tokenMaxTtl ?? 0);
    if (ttl < 0 || maxTtl < 0)
      context.refuse(
        "error writing JWT auth backend role: 'token_ttl' cannot be negative",
        "hashicorp/vault sdk/helper/tokenutil/tokenutil.go",
      );
    if (maxTtl > 0 && ttl > maxTtl)
      context.refuse(
        "error writing JWT auth backend role: ttl should not be greater than max ttl",
        VAULT.ttlWithinMaxTtl,
      );
    if (tokenType === "batch" && Number(context.inputs.tokenPeriod ?? 0) > 0)
      context.refuse(
        "error writing JWT auth backend role: 'token_type' cannot be 'batch' when role is set to generate periodic tokens",
        "hashicorp/vault sdk/helper/tokenutil/tokenutil.go",
      );
    return {
      ...context.inputs,
      backend: mount,
      roleType,
      boundClaimsType,
      boundSubject: subject,
      tokenType,
      tokenTtl: ttl,
      tokenMaxTtl: maxTtl,
      ...(namespace === "" ? {} : { namespace }),
    };
  },
};

export const vaultFake: ProviderFake = { resources: { [BACKEND]: backend, [ROLE]: role }, functions: {} };
