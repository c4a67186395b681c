// The stack the hostile tokens are thrown at: one MiddlewareHarness (the middleware Worker in
// workerd, bound to the real issuer), prepared BEFORE anything reaches the middleware, so that its
// first JWKS fetch sees the final key set and every outcome is deterministic:
//
// 1. a token of the first active key is kept, then that key is revoked through the admin API
//    (the middleware never cached it: the revocation reaches it at once, as the verifier README
//    says for "a verifier that never cached the revoked key");
// 2. an emergency rotation leaves two real keys published (active and retired), for "kid of
//    another real key";
// 3. a test-held ES256 key is added to the JWKS the issuer serves (written to its KV the way the
//    key store publishes). Without a signer the middleware trusts, every forged claim (expired,
//    wrong iss, exp as a string, …) would stop at the signature check and the claim checks would
//    go untested; with it, a case proves that the check it names refuses the token.

import assert from "node:assert/strict";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { validateStackConfig } from "../../worker/config/validate.js";
import { harnessStackConfig, MiddlewareHarness } from "../support/middleware-harness.js";
import { API_AUDIENCE, PROJECT, STACK } from "../support/stack-fixture.js";
import { newSigner, type Signer, signJson } from "./forge.js";

/** Route of the harness rules that demands the `edge-api` workload. */
export const WORKLOAD_ROUTE = "/reports/1";
/** Route of the harness rules that admits any valid token. */
export const AUTHENTICATED_ROUTE = "/whoami";

const JWKS_KV_KEY = "jwks/v1";
const JWKS_PATH = "/.well-known/jwks.json";

export interface HostileStack {
  readonly h: MiddlewareHarness;
  /** The issuer's URL: the `iss` the middleware expects. */
  readonly issuer: string;
  /** A valid edge-api token (admitted on both routes), signed by the active key. */
  readonly valid: string;
  /** A valid billing token (admitted on the authenticated route only). */
  readonly billing: string;
  /** A once-valid edge-api token whose key was revoked. */
  readonly revoked: string;
  readonly activeKid: string;
  readonly retiredKid: string;
  readonly revokedKid: string;
  /** The JWKS as the issuer serves it to the middleware. */
  readonly jwks: JSONWebKeySet;
  /** A key published in the issuer's JWKS whose private half the test holds. */
  readonly trusted: Signer;
  /** Keys nobody publishes. */
  readonly attackerRsa: Signer;
  readonly attackerEc: Signer;
  /** A fresh claim set of an edge-api token (new iat, exp, jti), with `overrides` applied. */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** `claims()` signed by the trusted key: a token the middleware must admit. */
  trustedToken(overrides?: Record<string, unknown>): Promise<string>;
}

export async function startHostileStack(): Promise<HostileStack> {
  const h = await MiddlewareHarness.start();
  try {
    return await prepare(h);
  } catch (error) {
    await h.dispose();
    throw error;
  }
}

async function prepare(h: MiddlewareHarness): Promise<HostileStack> {
  const scriptName = validateStackConfig(harnessStackConfig(), {
    project: PROJECT,
    stack: STACK,
    localIssuerUrl: h.issuerUrl,
  }).issuer.scriptName;
  const { ADMIN_TOKEN: adminToken } = await h.mf.getBindings<{ ADMIN_TOKEN: string }>(scriptName);
  const admin = async (path: string, body?: unknown): Promise<void> => {
    const init: RequestInit = { method: "POST", headers: { authorization: `Bearer ${adminToken}` } };
    const response = await fetch(
      `${h.issuerUrl}${path}`,
      body === undefined ? init : { ...init, body: JSON.stringify(body) },
    );
    assert.equal(response.status, 200, `${path}: ${await response.text()}`);
  };
  const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;

  const revoked = await h.token("edge-api", undefined, { lifetimeSeconds: 3600 });
  const revokedKid = kidOf(revoked);
  // Genuinely valid before the revocation: its refusal can only come from the revocation.
  const before = (await (await fetch(`${h.issuerUrl}${JWKS_PATH}`)).json()) as JSONWebKeySet;
  await jwtVerify(revoked, createLocalJWKSet(before), { issuer: h.issuerUrl, audience: API_AUDIENCE });
  await admin(`/admin/keys/${revokedKid}/revoke`);
  const retiredKid = kidOf(await h.token("edge-api"));
  await admin("/admin/keys/rotate", { emergency: true });
  const valid = await h.token("edge-api", undefined, { lifetimeSeconds: 3600 });
  const billing = await h.token("billing", undefined, { lifetimeSeconds: 3600 });
  const activeKid = kidOf(valid);
  assert.equal(
    new Set([revokedKid, retiredKid, activeKid]).size,
    3,
    "revocation and rotation each brought a new signing key",
  );

  const trusted = await newSigner("ES256", "hostile-suite-trusted-es256");
  const kv = await h.mf.getKVNamespace("PUBLISHED", scriptName);
  const published = JSON.parse((await kv.get(JWKS_KV_KEY, "text")) ?? "null") as JSONWebKeySet;
  const body = JSON.stringify({ keys: [...published.keys, trusted.publicJwk] });
  await kv.put(JWKS_KV_KEY, body, { metadata: { etag: await strongEtag(body), publishedAt: Date.now() } });
  await (await h.mf.getCaches()).default.delete(`${h.issuerUrl}${JWKS_PATH}`);
  const jwks = (await (await fetch(`${h.issuerUrl}${JWKS_PATH}`)).json()) as JSONWebKeySet;
  assert.deepEqual(
    jwks.keys.map((k) => k.kid),
    [activeKid, retiredKid, trusted.kid],
    "the served JWKS: active and retired keys, the trusted test key, not the revoked key",
  );

  const template = decodeJwt(valid);
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1_000);
    return { ...template, iat: now, exp: now + 300, jti: crypto.randomUUID(), ...overrides };
  };
  return {
    h,
    issuer: h.issuerUrl,
    valid,
    billing,
    revoked,
    activeKid,
    retiredKid,
    revokedKid,
    jwks,
    trusted,
    attackerRsa: await newSigner("RS256"),
    attackerEc: await newSigner("ES256"),
    claims,
    trustedToken: (overrides) => signJson(trusted, claims(overrides)),
  };
}

/** The issuer's ETag form (worker/keys/jwks.ts): the first 16 bytes of SHA-256, quoted hex. */
async function strongEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${Buffer.from(digest.subarray(0, 16)).toString("hex")}"`;
}
