// The Vault JWT auth fake refuses what the provider and Vault refuse, naming the source: a mount
// path ending in '/' or overlapping token/ or another mount, a config without exactly one key
// source, a discovery URL with .well-known or over remote http, unknown algorithms; a role on no
// mount, without user_claim, oidc without redirect URIs, an unknown bound_claims_type, claim
// mappings onto 'role' or onto one key twice, no bound constraint, a jwt role without
// bound_audiences, ttl > max ttl, bad CIDRs, a role name Vault's route cannot match, and a role
// two resources write; it keeps a mount's accessor across deploys.

import assert from "node:assert/strict";
import { FakeCloud } from "./engine.js";
import type { Properties } from "./model.js";
import { refused } from "./refusal-assert.js";
import { declare, freshDeploy } from "./register.js";
import { TYPE } from "./types.js";

const ISSUER = "https://id.example.dev";
const backend = (change: Properties = {}) => ({
  path: "worker-identity",
  type: "jwt",
  oidcDiscoveryUrl: ISSUER,
  boundIssuer: ISSUER,
  description: "d",
  ...change,
});
const role = (change: Properties = {}) => ({
  backend: "worker-identity",
  roleName: "wid-secrets-sync",
  roleType: "jwt",
  boundAudiences: ["https://vault.example.dev"],
  boundSubject: "worker/0123/secrets-sync",
  boundClaimsType: "string",
  userClaim: "sub",
  tokenPolicies: ["payments-read"],
  tokenTtl: 900,
  tokenMaxTtl: 900,
  ...change,
});
const withBackend = () => {
  const deploy = freshDeploy();
  declare(deploy, TYPE.vaultJwtBackend, "b", backend());
  return deploy;
};
const refusesBackend = (change: Properties, message: RegExp) =>
  refused(() => declare(freshDeploy(), TYPE.vaultJwtBackend, "b", backend(change)), message);
const refusesRole = (change: Properties, message: RegExp) =>
  refused(() => declare(withBackend(), TYPE.vaultJwtRole, "r", role(change)), message);

describe("fake Vault: JWT auth backends", () => {
  it("accepts the program's backend and answers an accessor", () => {
    const state = declare(freshDeploy(), TYPE.vaultJwtBackend, "b", backend());
    assert.match(String(state.accessor), /^auth_jwt_[0-9a-f]{8}$/);
    assert.equal(state.path, "worker-identity");
    assert.equal(state.boundIssuer, ISSUER);
  });

  it("keeps the accessor on the next deploy (the same mount, updated)", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(0);
    const before = declare(first, TYPE.vaultJwtBackend, "b", backend()).accessor;
    first.finish();
    const second = cloud.begin(1);
    assert.equal(declare(second, TYPE.vaultJwtBackend, "b", backend({ description: "changed" })).accessor, before);
  });

  const rows: readonly [string, Properties, RegExp][] = [
    ["a path ending in '/'", { path: "workers/" }, /cannot end with a '\/'.*ValidateNoTrailingSlash/],
    ["the token/ mount", { path: "token" }, /409.*path is already in use at token\/.*vault\/auth\.go/],
    ["under token/", { path: "token/workers" }, /path is already in use at token\//],
    ["no key source", { oidcDiscoveryUrl: undefined }, /exactly one of .*must be set.*path_config\.go/],
    ["two key sources", { jwksUrl: `${ISSUER}/.well-known/jwks.json` }, /exactly one of/],
    [
      "a discovery URL with .well-known",
      { oidcDiscoveryUrl: `${ISSUER}/.well-known/openid-configuration` },
      /\.well-known component/,
    ],
    [
      "a discovery URL over remote http",
      { oidcDiscoveryUrl: "http://id.example.dev" },
      /error checking oidc_discovery_url/,
    ],
    ["an unknown type", { type: "kubernetes" }, /expected type to be one of/],
    ["an unknown algorithm", { jwtSupportedAlgs: ["HS256"] }, /invalid jwt_supported_algs.*HS256/],
    ["a namespace with a trailing '/'", { namespace: "admin/" }, /leading or trailing '\/'/],
  ];
  for (const [title, change, message] of rows) it(`refuses ${title}`, () => refusesBackend(change, message));

  it("refuses a second mount at an overlapping path, and accepts it in another namespace", () => {
    const deploy = withBackend();
    refused(
      () => declare(deploy, TYPE.vaultJwtBackend, "c", backend({ path: "worker-identity/native" })),
      /path is already in use at worker-identity\//,
    );
    assert.ok(declare(deploy, TYPE.vaultJwtBackend, "d", backend({ namespace: "admin" })).accessor);
  });

  it("refuses a new mount where the account still holds one from the last deploy under another name", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(0);
    declare(first, TYPE.vaultJwtBackend, "b", backend());
    first.finish();
    refused(() => declare(cloud.begin(1), TYPE.vaultJwtBackend, "other", backend()), /path is already in use/);
  });
});

describe("fake Vault: JWT auth roles", () => {
  it("accepts the program's role and answers its resolved fields", () => {
    const state = declare(withBackend(), TYPE.vaultJwtRole, "r", role());
    assert.equal(state.boundSubject, "worker/0123/secrets-sync");
    assert.equal(state.backend, "worker-identity");
    assert.equal(state.tokenType, "default");
  });

  const rows: readonly [string, Properties, RegExp][] = [
    ["a role on no mount", { backend: "jwt" }, /404.*no handler for route "auth\/jwt\/role\/wid-secrets-sync"/],
    ["a role without user_claim", { userClaim: "" }, /a user claim must be defined on the role/],
    [
      "a role name Vault's route cannot match",
      { roleName: "wid secrets" },
      /roleName "wid secrets" does not match.*GenericNameRegex/,
    ],
    ["a role name ending in '-'", { roleName: "wid-" }, /does not match/],
    [
      "an oidc role (the default type) without redirect URIs",
      { roleType: undefined },
      /'allowed_redirect_uris' must be set/,
    ],
    ["an unknown bound_claims_type", { boundClaimsType: "regex" }, /invalid 'bound_claims_type': regex/],
    ["a claim mapped onto 'role'", { claimMappings: { workload: "role" } }, /metadata key "role" is reserved/],
    [
      "two claims mapped onto one key",
      { claimMappings: { workload: "w", account_id: "w" } },
      /multiple keys are mapped to metadata key "w"/,
    ],
    [
      "a jwt role with no bound constraint",
      { boundAudiences: [], boundSubject: undefined },
      /must have at least one bound constraint/,
    ],
    [
      "a jwt role without bound_audiences",
      { boundAudiences: [] },
      /audience claim found in JWT but no audiences bound.*CVE-2024-5798/,
    ],
    ["a TTL over the max TTL", { tokenTtl: 1800, tokenMaxTtl: 900 }, /ttl should not be greater than max ttl/],
    ["an unknown token type", { tokenType: "periodic" }, /invalid 'token_type' value "periodic"/],
    ["a bound CIDR without a prefix", { tokenBoundCidrs: ["198.51.100.7"] }, /invalid CIDR address/],
    ["a bound CIDR prefix out of range", { tokenBoundCidrs: ["198.51.100.0/40"] }, /invalid CIDR address/],
  ];
  for (const [title, change, message] of rows) it(`refuses ${title}`, () => refusesRole(change, message));

  it("accepts a max TTL of 0 (the mount's) with any TTL, and a batch token", () => {
    const state = declare(
      withBackend(),
      TYPE.vaultJwtRole,
      "r",
      role({ tokenMaxTtl: 0, tokenTtl: 7200, tokenType: "batch" }),
    );
    assert.equal(state.tokenType, "batch");
  });

  it("refuses a second resource writing the same role; accepts the same name on another mount", () => {
    const deploy = withBackend();
    declare(deploy, TYPE.vaultJwtRole, "r", role());
    refused(() => declare(deploy, TYPE.vaultJwtRole, "r2", role({ boundSubject: "worker/0123/other" })), /upsert/);
    declare(deploy, TYPE.vaultJwtBackend, "b2", backend({ path: "ci" }));
    assert.equal(declare(deploy, TYPE.vaultJwtRole, "r3", role({ backend: "ci" })).backend, "ci");
  });

  it("finds the mount the account holds from an earlier deploy", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(0);
    declare(first, TYPE.vaultJwtBackend, "b", backend());
    first.finish();
    const second = cloud.begin(1);
    declare(second, TYPE.vaultJwtBackend, "b", backend());
    assert.equal(declare(second, TYPE.vaultJwtRole, "r", role()).roleName, "wid-secrets-sync");
  });
});
