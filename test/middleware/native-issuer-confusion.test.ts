// Attacks on a relying party that trusts the worker-identity issuer and a Cloudflare native issuer
// (the middleware with nativeIssuers, as NATIVE_ISSUERS configures it): issuer/key confusion in
// both directions, an iss of one issuer with the other's kid, an unmapped native subject against
// a workload rule, and a native token whose `worker` claim names another workload. Each must be
// refused without reaching the origin; controls show both issuers' honest tokens pass.

import assert from "node:assert/strict";
import { createMiddleware, parseRules } from "@worker-identity/middleware";
import type { JWTPayload } from "jose";
import { AUDIENCE, LocalIssuer, T0, type TestKey, testKey } from "../verification/local-issuer.js";

const NATIVE_SUBJECT = "billing-3f1c2a4e-0000-4000-8000-immutable";
const ADMIN_SUBJECT = "admin-77aa-immutable";
const now = T0 + 1_000;
const RULES = parseRules({
  rules: [
    { methods: ["GET"], path: "/billing/*", allow: { workloads: ["billing"] } },
    { methods: ["GET"], path: "/admin/*", allow: { workloads: ["admin"] } },
  ],
});

describe("hostile: issuer confusion between worker-identity and a native issuer", () => {
  let ours: LocalIssuer;
  let native: LocalIssuer;
  let oursKey: TestKey;
  let nativeKey: TestKey;
  let forwarded: number;
  let handle: (request: Request) => Promise<Response>;

  beforeEach(async () => {
    oursKey = await testKey("ES256");
    nativeKey = await testKey("RS256");
    ours = await LocalIssuer.start([oursKey]);
    native = await LocalIssuer.start([nativeKey]);
    forwarded = 0;
    handle = createMiddleware({
      issuer: ours.issuer,
      audiences: [AUDIENCE],
      rules: RULES,
      nativeIssuers: [
        {
          issuer: native.issuer,
          audiences: [AUDIENCE],
          subjects: { [NATIVE_SUBJECT]: "billing", [ADMIN_SUBJECT]: "admin" },
        },
      ],
      forward: async () => (forwarded++, new Response("ok")),
      now: () => now,
      log: () => undefined,
    });
  });
  afterEach(async () => {
    await ours.stop();
    await native.stop();
  });

  const nativeClaims = (changes: Record<string, unknown> = {}): JWTPayload =>
    ({
      iss: native.issuer,
      sub: NATIVE_SUBJECT,
      aud: AUDIENCE,
      exp: Math.floor(now / 1_000) + 300,
      ...changes,
    }) as JWTPayload;

  async function answer(path: string, token: string): Promise<{ status: number; code: string | undefined }> {
    const response = await handle(
      new Request(`https://api.example.test${path}`, { headers: { authorization: `Bearer ${token}` } }),
    );
    const text = await response.text();
    for (const part of token.split("."))
      assert.ok(part.length < 8 || !text.includes(part), "the answer echoes the token");
    return {
      status: response.status,
      code: response.status === 200 ? undefined : (JSON.parse(text) as { code: string }).code,
    };
  }

  it("controls: both issuers' honest tokens reach the billing route", async () => {
    assert.deepEqual(await answer("/billing/1", await ours.sign(ours.claims(now))), { status: 200, code: undefined });
    assert.deepEqual(await answer("/billing/1", await native.sign(nativeClaims())), { status: 200, code: undefined });
    assert.equal(forwarded, 2);
  });

  it("refuses a native-iss token signed with the worker-identity issuer's key", async () => {
    const token = await native.sign(nativeClaims(), oursKey);
    assert.deepEqual(await answer("/billing/1", token), { status: 401, code: "ERR_TOKEN_KEY_UNKNOWN" });
    assert.equal(forwarded, 0);
  });

  it("refuses a worker-identity-iss token signed with the native issuer's key", async () => {
    const token = await ours.sign(ours.claims(now), nativeKey);
    assert.deepEqual(await answer("/billing/1", token), { status: 401, code: "ERR_TOKEN_KEY_UNKNOWN" });
    assert.equal(forwarded, 0);
  });

  it("refuses an iss of one issuer with the kid of the other's key, whichever signed", async () => {
    for (const token of [
      await native.sign(nativeClaims(), oursKey, { kid: oursKey.kid }),
      await native.sign(nativeClaims(), nativeKey, { kid: oursKey.kid, alg: "RS256" }),
      await ours.sign(ours.claims(now), nativeKey, { kid: nativeKey.kid }),
      await ours.sign(ours.claims(now), oursKey, { kid: nativeKey.kid }),
    ]) {
      assert.deepEqual(await answer("/billing/1", token), { status: 401, code: "ERR_TOKEN_KEY_UNKNOWN" });
    }
    assert.equal(forwarded, 0);
  });

  it("refuses a native token whose subject is not mapped on a workload rule", async () => {
    const token = await native.sign(nativeClaims({ sub: "billing-deleted-and-recreated-new-id" }));
    assert.deepEqual(await answer("/billing/1", token), { status: 403, code: "ERR_RULE_REFUSED" });
    assert.equal(forwarded, 0);
  });

  it("does not believe a native token's worker claim naming another workload", async () => {
    // A genuine native token of billing claiming to be admin: read as billing, refused on /admin.
    const claiming = await native.sign(nativeClaims({ worker: "admin", account_id: "0".repeat(32) }));
    assert.deepEqual(await answer("/admin/1", claiming), { status: 403, code: "ERR_RULE_REFUSED" });
    // An unmapped native subject claiming billing gets nothing either.
    const unmapped = await native.sign(nativeClaims({ sub: "stranger-1", worker: "billing" }));
    assert.deepEqual(await answer("/billing/1", unmapped), { status: 403, code: "ERR_RULE_REFUSED" });
    assert.equal(forwarded, 0);
    // Control: the admin subject itself is admitted to /admin.
    const admin = await native.sign(nativeClaims({ sub: ADMIN_SUBJECT }));
    assert.deepEqual(await answer("/admin/1", admin), { status: 200, code: undefined });
  });

  it("refuses a worker-identity token relabelled with the native issuer's iss", async () => {
    // Our claims (worker: billing), our key, the native iss: the native JWKS has no such key.
    const token = await ours.sign(ours.claims(now, { iss: native.issuer }), oursKey);
    assert.deepEqual(await answer("/billing/1", token), { status: 401, code: "ERR_TOKEN_KEY_UNKNOWN" });
    assert.equal(forwarded, 0);
  });
});
