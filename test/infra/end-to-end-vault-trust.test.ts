// Vault trust proven end to end on the repository's dev stack: the Pulumi program (under mocks)
// declares the JWT auth mount and the roles; the issuer in workerd, run from the same
// Pulumi.dev.yaml, mints a token for every workload and audience; an evaluator written from
// Vault's documented JWT login validation (below, independent of the program's code) decides each
// token against every role: secrets-sync's token for the Vault audience opens its own role, and
// nothing else opens anything, look-alike subjects, audiences and issuers included.
//
// The evaluator, from the JWT/OIDC auth method docs (developer.hashicorp.com/vault/docs/auth/jwt
// and api-docs/auth/jwt) and vault-plugin-auth-jwt's path_login.go (jwt.Expected):
// - the signature verifies against the keys of the mount's oidc_discovery_url, with an alg in
//   jwt_supported_algs; the discovery document's issuer equals that URL (go-oidc's check);
// - bound_issuer (when set) equals `iss` exactly;
// - bound_audiences: `aud` (a string or a list) contains at least one of them; none bound while
//   the token has `aud` refuses (Vault 1.17+, CVE-2024-5798);
// - bound_subject (when set) equals `sub` exactly;
// - bound_claims: each named claim is present and, with bound_claims_type string, equals one of
//   the bound values exactly (a bound string splits at commas unless disable_bound_claims_parsing);
//   a list claim matches when any element does;
// - user_claim names a claim present in the token, with a string value;
// - exp + expiration_leeway (default 150 s) is in the future, nbf - not_before_leeway (150 s) in
//   the past, each also widened by clock_skew_leeway (60 s).

import assert from "node:assert/strict";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload, jwtVerify } from "jose";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { TYPE } from "../support/fakes/types.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ofType, type RecordedResource } from "../support/pulumi-mocks.js";

interface Mount {
  readonly boundIssuer: string | undefined;
  readonly supportedAlgs: readonly string[];
}

interface Role {
  readonly roleType: string;
  readonly boundAudiences: readonly string[];
  readonly boundSubject: string | undefined;
  readonly boundClaimsType: string;
  readonly boundClaims: Readonly<Record<string, string>>;
  readonly disableBoundClaimsParsing: boolean;
  readonly userClaim: string;
  readonly expirationLeeway: number;
  readonly notBeforeLeeway: number;
  readonly clockSkewLeeway: number;
}

/** Vault's "0 means the default" leeways (docs: expiration and not-before 150 s, clock skew 60 s); -1 disables. */
const leeway = (value: unknown, fallback: number) => {
  const n = typeof value === "number" ? value : 0;
  return n === 0 ? fallback : Math.max(n, 0);
};

function roleOf(resource: RecordedResource): Role {
  const inputs = resource.inputs;
  return {
    roleType: String(inputs.roleType ?? "oidc"),
    boundAudiences: (inputs.boundAudiences as string[] | undefined) ?? [],
    boundSubject:
      typeof inputs.boundSubject === "string" && inputs.boundSubject !== "" ? inputs.boundSubject : undefined,
    boundClaimsType: String(inputs.boundClaimsType ?? "string"),
    boundClaims: (inputs.boundClaims as Record<string, string> | undefined) ?? {},
    disableBoundClaimsParsing: inputs.disableBoundClaimsParsing === true,
    userClaim: String(inputs.userClaim ?? ""),
    expirationLeeway: leeway(inputs.expirationLeeway, 150),
    notBeforeLeeway: leeway(inputs.notBeforeLeeway, 150),
    clockSkewLeeway: leeway(inputs.clockSkewLeeway, 60),
  };
}

/** Why Vault would refuse the claims at this role, or undefined when it logs them in. */
function refusal(mount: Mount, role: Role, claims: JWTPayload, nowSeconds: number): string | undefined {
  if (role.roleType !== "jwt") return "role with oidc role_type is not allowed";
  if (mount.boundIssuer !== undefined && claims.iss !== mount.boundIssuer) return "invalid issuer (iss) claim";
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (role.boundAudiences.length > 0) {
    if (!aud.some((a) => role.boundAudiences.includes(a))) return "invalid audience (aud) claim";
  } else if (aud.length > 0) return "audience claim found in JWT but no audiences bound to the role";
  if (role.boundSubject !== undefined && claims.sub !== role.boundSubject) return "invalid subject (sub) claim";
  if (typeof claims.exp !== "number" || claims.exp + role.expirationLeeway + role.clockSkewLeeway < nowSeconds)
    return "token is expired (exp)";
  if (typeof claims.nbf === "number" && claims.nbf - role.notBeforeLeeway - role.clockSkewLeeway > nowSeconds)
    return "token not yet valid (nbf)";
  const user = (claims as Record<string, unknown>)[role.userClaim];
  if (typeof user !== "string") return `claim "${role.userClaim}" not found in token`;
  if (role.boundClaimsType !== "string") return "this evaluator decides exact (string) bound claims only";
  for (const [claim, bound] of Object.entries(role.boundClaims)) {
    const actual = (claims as Record<string, unknown>)[claim];
    if (actual === undefined) return `claim "${claim}" is missing`;
    const expected = role.disableBoundClaimsParsing ? [bound] : bound.split(",");
    const values = Array.isArray(actual) ? actual : [actual];
    if (!values.some((v) => expected.includes(String(v))))
      return `claim "${claim}" does not match any associated bound claim values`;
  }
  return undefined;
}

interface Minted {
  readonly workload: string;
  readonly audience: string;
  readonly token: string;
  readonly claims: JWTPayload;
}

describe("end to end on Pulumi.dev.yaml: Vault's JWT login on the program's mount and roles, tokens from the issuer", function () {
  this.timeout(120_000);
  const minted: Minted[] = [];
  let backend: RecordedResource;
  let roles: RecordedResource[];
  let mount: Mount;
  let jwks: JSONWebKeySet;
  let discoveryIssuer: unknown;
  let localIssuer: string;
  const deployedIssuer = `https://${String(dev.config["worker-identity:issuerHostname"])}`;

  before(async () => {
    await runProgram(engineConfig());
    const backends = ofType(TYPE.vaultJwtBackend);
    assert.equal(backends.length, 1, "the dev stack enables one JWT auth mount");
    backend = backends[0]!;
    roles = ofType(TYPE.vaultJwtRole);
    mount = {
      boundIssuer: typeof backend.inputs.boundIssuer === "string" ? backend.inputs.boundIssuer : undefined,
      supportedAlgs: (backend.inputs.jwtSupportedAlgs as string[] | undefined) ?? [],
    };
    const issuer = await IssuerHarness.start({ config: { ...dev.config } });
    try {
      localIssuer = issuer.url;
      discoveryIssuer = (
        (await (await issuer.fetch("/.well-known/openid-configuration")).json()) as { issuer: unknown }
      ).issuer;
      jwks = (await (await issuer.fetch("/.well-known/jwks.json")).json()) as JSONWebKeySet;
      for (const workload of issuer.config.workloads) {
        for (const audience of workload.audiences) {
          const { token } = await issuer.token(workload.name, audience);
          const { payload } = await jwtVerify(token, createLocalJWKSet(jwks));
          // The harness serves the stack at a loopback URL, which its tokens name as iss: the same
          // issuer deployed names its hostname's URL (Pulumi.dev.yaml's issuerHostname) instead.
          assert.equal(payload.iss, issuer.url);
          minted.push({ workload: workload.name, audience, token, claims: { ...payload, iss: deployedIssuer } });
        }
      }
    } finally {
      await issuer.dispose();
    }
  });

  const now = () => Math.floor(Date.now() / 1_000);

  it("the mount discovers the issuer that signs the tokens: its discovery document names the oidc_discovery_url, its algorithm is allowed", () => {
    // Served locally, the discovery document names the URL it is served from, which the tokens name
    // as iss; deployed, that URL is the stack's issuer URL: the mount's oidc_discovery_url.
    assert.equal(discoveryIssuer, localIssuer, "go-oidc refuses a discovery document for another issuer");
    assert.equal(backend.inputs.oidcDiscoveryUrl, deployedIssuer);
    assert.equal(deployedIssuer, "https://id.example.dev");
    assert.equal(mount.boundIssuer, "https://id.example.dev");
    for (const { token } of minted) assert.ok(mount.supportedAlgs.includes(decodeProtectedHeader(token).alg ?? ""));
  });

  it("secrets-sync's token for https://vault.example.dev opens wid-secrets-sync; no other token opens any role", () => {
    assert.ok(minted.length >= 5, `the issuer minted ${minted.length} tokens`);
    const allowed: string[] = [];
    for (const role of roles) {
      for (const token of minted) {
        if (refusal(mount, roleOf(role), token.claims, now()) === undefined)
          allowed.push(`${token.workload} (${token.audience}) -> ${String(role.inputs.roleName)}`);
      }
    }
    assert.deepEqual(allowed, ["secrets-sync (https://vault.example.dev) -> wid-secrets-sync"]);
  });

  it("every other workload's token is refused at the subject, or first at the audience", () => {
    const role = roleOf(roles.find((r) => r.inputs.roleName === "wid-secrets-sync")!);
    for (const token of minted.filter((t) => t.workload !== "secrets-sync")) {
      const why = refusal(mount, role, token.claims, now());
      assert.ok(
        why === "invalid audience (aud) claim" || why === "invalid subject (sub) claim",
        `${token.workload}: ${why}`,
      );
    }
    const other = minted.find((t) => t.workload !== "secrets-sync")!;
    assert.equal(
      refusal(mount, role, { ...other.claims, aud: "https://vault.example.dev" }, now()),
      "invalid subject (sub) claim",
      "another Worker's token minted for Vault's audience still fails at bound_subject",
    );
  });

  it("look-alike subjects, audiences and issuers on secrets-sync's own token are refused", () => {
    const role = roleOf(roles.find((r) => r.inputs.roleName === "wid-secrets-sync")!);
    const own = minted.find((t) => t.workload === "secrets-sync" && t.audience === "https://vault.example.dev")!.claims;
    const sub = String(own.sub);
    const [, account] = sub.split("/");
    const lookAlikes: Record<string, JWTPayload> = {
      "sub with a suffix": { ...own, sub: `${sub}-staging` },
      "sub with a trailing slash": { ...own, sub: `${sub}/` },
      "sub in upper case": { ...own, sub: sub.toUpperCase() },
      "sub of another account": { ...own, sub: `worker/${"f".repeat(32)}/secrets-sync`, account_id: "f".repeat(32) },
      "a workflow instance sub": { ...own, sub: `workflow/${account}/secrets-sync/instance-1` },
      "aud with a trailing slash": { ...own, aud: "https://vault.example.dev/" },
      "aud of the address with its port": { ...own, aud: "https://vault.example.dev:8200" },
      "iss with a trailing slash": { ...own, iss: "https://id.example.dev/" },
      "another account_id claim": { ...own, account_id: "f".repeat(32) },
      "no worker claim": { ...own, worker: undefined },
      "expired past the leeways": { ...own, exp: now() - 211 },
      "not yet valid past the leeways": { ...own, nbf: now() + 211 },
    };
    for (const [what, claims] of Object.entries(lookAlikes)) {
      assert.notEqual(refusal(mount, role, claims, now()), undefined, what);
    }
    assert.equal(refusal(mount, role, own, now()), undefined, "the token itself logs in");
    assert.equal(
      refusal(mount, role, { ...own, aud: ["https://other.example", "https://vault.example.dev"] }, now()),
      undefined,
      "aud as a list: any match",
    );
    assert.equal(
      refusal(mount, role, { ...own, exp: now() - 209 }, now()),
      undefined,
      "within exp leeway + clock skew",
    );
  });

  it("the evaluator refuses what Vault refuses on a role without its bounds (it can fail)", () => {
    const own = minted.find((t) => t.workload === "secrets-sync" && t.audience === "https://vault.example.dev")!.claims;
    const role = roleOf(roles.find((r) => r.inputs.roleName === "wid-secrets-sync")!);
    assert.equal(
      refusal(mount, { ...role, boundAudiences: [] }, own, now()),
      "audience claim found in JWT but no audiences bound to the role",
    );
    assert.equal(refusal(mount, { ...role, userClaim: "email" }, own, now()), 'claim "email" not found in token');
    assert.equal(refusal(mount, { ...role, roleType: "oidc" }, own, now()), "role with oidc role_type is not allowed");
    assert.equal(
      refusal(
        mount,
        { ...role, boundSubject: undefined },
        { ...own, sub: "worker/x/billing", worker: "billing" },
        now(),
      ),
      'claim "worker" does not match any associated bound claim values',
      "without bound_subject, the exact worker claim still holds",
    );
  });
});
