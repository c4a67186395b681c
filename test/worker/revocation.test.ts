// Token revocation in the real runtime: one token (jti), every token of a workload or a workflow
// (kill switches), from the admin API and the CLI; the effect at introspection and in the
// verifier (revocation list); persistence across a restart; expiry when the covered tokens would
// have expired (time travel: restarts with a shifted issuer clock over persisted state).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { createVerifier, VerificationError } from "../../worker/verification/index.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { runTsx } from "../support/run-tsx.js";
import { API_AUDIENCE, AWS_AUDIENCE } from "../support/stack-fixture.js";
import {
  createInstance,
  EXPORT_WORKFLOW,
  INTROSPECTION_SECRETS,
  instanceToken,
  introspect,
  workflowStackConfig,
} from "../support/workflow-fixture.js";

interface Entry { kind: string; jti?: string; name?: string; revokedAt: number; expiresAt: number }
interface Listing { now: number; entries: Entry[]; outcome?: string; entry?: Entry; registered?: boolean }

describe("token revocation in workerd", function () {
  this.timeout(120_000);
  let dir: string;
  let issuer: IssuerHarness;
  let offset = 0;
  let skewMs = 0;
  const tokens: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-revocation-"));
    issuer = await IssuerHarness.start({
      config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS, persistDir: dir, clockOffsetSeconds: 0,
    });
  });
  after(async () => {
    await issuer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function revoke(body: unknown): Promise<Listing> {
    const response = await issuer.admin("/admin/revocations", { method: "POST", body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Listing;
  }
  const listing = async () => (await (await issuer.admin("/admin/revocations")).json()) as Listing;
  const active = async (token: string) => (await introspect(issuer, token)).body.active;

  /** The verifier of a relying party reading the published list; its clock follows the issuer's, past cached copies. */
  async function verifierSays(token: string, audience = AWS_AUDIENCE): Promise<string> {
    skewMs += 11_000;
    const verifier = createVerifier({
      issuer: issuer.url,
      audience,
      now: () => Date.now() + offset * 1_000 + skewMs,
      revocationList: { url: `${issuer.url}/revocations.json` },
    });
    try {
      await verifier.verify(token);
      return "accepted";
    } catch (error) {
      assert.ok(error instanceof VerificationError, String(error));
      return error.code;
    }
  }

  it("revokes one token by jti: inactive at introspection, refused by the verifier; its siblings stay valid", async () => {
    tokens.a = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 300 })).token;
    tokens.b = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 })).token;
    const { jti, exp } = decodeJwt(tokens.a);
    const result = await revoke({ jti, exp });
    assert.equal(result.outcome, "added");
    assert.deepEqual(result.entry, { kind: "jti", jti, exp, revokedAt: result.now, expiresAt: exp! + 60 });
    assert.equal(await active(tokens.a), false);
    assert.equal(await active(tokens.b), true);
    assert.equal(await verifierSays(tokens.a), "ERR_TOKEN_REVOKED");
    assert.equal(await verifierSays(tokens.b), "accepted");
  });

  it("revokes every token of a workload issued up to now from the CLI; the next token it gets is valid", async () => {
    tokens.c = (await issuer.token("ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 600 })).token;
    const cli = await runTsx("worker/cli/main.ts", ["revoke", "--workload", "ledger-sync", "--issuer", issuer.url], {
      WID_ADMIN_TOKEN: issuer.adminToken ?? "",
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /revoked workload ledger-sync \(tokens issued up to .*\) until/);
    assert.equal(await active(tokens.c), false);
    assert.equal(await verifierSays(tokens.c), "ERR_TOKEN_REVOKED");
    const next = (await issuer.token("ledger-sync", AWS_AUDIENCE, { lifetimeSeconds: 600 })).token;
    assert.notEqual(next, tokens.c, "a revoked token was handed out again from the cache");
    const killSwitch = (await listing()).entries.find((e) => e.kind === "workload")!;
    assert.ok((decodeJwt(next).iat ?? 0) > killSwitch.revokedAt, "signed after the kill switch's second");
    assert.equal(await active(next), true);
    assert.equal(await verifierSays(next), "accepted");
  });

  it("revokes every token of a workflow's instances, running or not", async () => {
    const id = await createInstance(issuer, EXPORT_WORKFLOW, API_AUDIENCE);
    tokens.w = (await instanceToken(issuer, EXPORT_WORKFLOW, id)).token;
    assert.equal(await active(tokens.w), true);
    const result = await revoke({ workflow: EXPORT_WORKFLOW });
    assert.equal(result.registered, true);
    assert.equal(await active(tokens.w), false, "revoked although its instance still runs");
    assert.equal(await verifierSays(tokens.w, API_AUDIENCE), "ERR_TOKEN_REVOKED");
    const later = await createInstance(issuer, EXPORT_WORKFLOW, API_AUDIENCE);
    assert.equal(await active((await instanceToken(issuer, EXPORT_WORKFLOW, later)).token), true);
  });

  it("says that a repeated revocation changed nothing, or how it extended the entry", async () => {
    const { jti, exp } = decodeJwt(tokens.a!);
    const before = await listing();
    const again = await revoke({ jti, exp });
    assert.equal(again.outcome, "unchanged");
    assert.deepEqual(again.entries, before.entries);
    // The workflow's kill switch, not ledger-sync's: the last test needs ledger-sync's to expire first.
    const first = (await listing()).entries.find((e) => e.kind === "workflow" && e.name === EXPORT_WORKFLOW)!;
    const repeat = await revoke({ workflow: EXPORT_WORKFLOW });
    // The same second covers no new token; a later one also covers the tokens issued since.
    assert.equal(repeat.outcome, repeat.entry!.revokedAt === first.revokedAt ? "unchanged" : "extended");
    assert.ok(repeat.entry!.revokedAt >= first.revokedAt && repeat.entry!.expiresAt >= first.expiresAt);
  });

  it("refuses to revoke a token no verifier accepts any more, recording nothing", async () => {
    const now = (await listing()).now;
    // exp + clockSkewSeconds (60) has passed: its entry would be born expired.
    const response = await issuer.admin("/admin/revocations", { method: "POST", body: JSON.stringify({ jti: "long-gone", exp: now - 61 }) });
    assert.equal(response.status, 400);
    assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
    const problem = (await response.json()) as { code: string; detail: string };
    assert.equal(problem.code, "ERR_INVALID_REQUEST");
    assert.match(problem.detail, /nothing left to revoke: the token expired at .*Z/);
    assert.ok(!(await listing()).entries.some((e) => e.jti === "long-gone"));
  });

  it("says when a revoked name is not registered, and refuses malformed or unauthenticated revocations", async () => {
    assert.equal((await revoke({ workload: "retired-worker" })).registered, false);
    const malformed = await issuer.admin("/admin/revocations", { method: "POST", body: JSON.stringify({ jti: "x" }) });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { detail: string }).detail, /exp must be the token's exp claim/);
    const anonymous = await issuer.fetch("/admin/revocations", { method: "POST", body: JSON.stringify({ workload: "billing" }) });
    assert.equal(anonymous.status, 401);
  });

  it("publishes the list at /revocations.json with a short max-age, an ETag and 304s", async () => {
    const response = await issuer.fetch("/revocations.json");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "public, max-age=10");
    const { entries } = (await response.json()) as { entries: Entry[] };
    assert.deepEqual(entries.map((e) => `${e.kind}:${e.jti ?? e.name}`).sort(),
      [`jti:${decodeJwt(tokens.a!).jti}`, "workflow:nightly-export", "workload:ledger-sync", "workload:retired-worker"].sort());
    const again = await issuer.fetch("/revocations.json", { headers: { "if-none-match": response.headers.get("etag") ?? "" } });
    assert.equal(again.status, 304);
    // The same conditional rules as the JWKS (worker/http/conditional.ts): "*", lists, weak tags.
    for (const header of ["*", `"other", W/${response.headers.get("etag")}`]) {
      assert.equal((await issuer.fetch("/revocations.json", { headers: { "if-none-match": header } })).status, 304, header);
    }
    assert.equal((await issuer.fetch("/revocations.json", { headers: { "if-none-match": '"other"' } })).status, 200);
  });

  it("keeps the list across a restart", async () => {
    const before = await listing();
    await issuer.restart({ clockOffsetSeconds: offset });
    assert.deepEqual((await listing()).entries, before.entries);
    assert.equal(await active(tokens.b!), true);
    assert.equal(await verifierSays(tokens.c!), "ERR_TOKEN_REVOKED");
  });

  it("drops a jti entry once its token has expired, and a kill switch once every token it covered has", async () => {
    const jtiEntry = (await listing()).entries.find((e) => e.kind === "jti")!;
    const killSwitch = (await listing()).entries.find((e) => e.name === "ledger-sync")!;
    const nowSeconds = Math.floor(Date.now() / 1_000);
    offset = jtiEntry.expiresAt - nowSeconds + 1;
    await issuer.restart({ clockOffsetSeconds: offset });
    const afterJti = await listing();
    assert.ok(!afterJti.entries.some((e) => e.kind === "jti"), JSON.stringify(afterJti.entries));
    assert.ok(afterJti.entries.some((e) => e.name === "ledger-sync"), "the kill switch outlives the single token");
    const published = (await (await issuer.fetch("/revocations.json")).json()) as { entries: Entry[] };
    assert.ok(!published.entries.some((e) => e.kind === "jti"), "purged from KV too");

    // Past ledger-sync's kill switch alone: it is dropped, a kill switch set later is not yet.
    offset = killSwitch.expiresAt - nowSeconds + 1;
    await issuer.restart({ clockOffsetSeconds: offset });
    const afterKillSwitch = (await listing()).entries;
    assert.ok(!afterKillSwitch.some((e) => e.name === "ledger-sync"), JSON.stringify(afterKillSwitch));
    assert.ok(afterKillSwitch.every((e) => e.expiresAt > killSwitch.expiresAt), JSON.stringify(afterKillSwitch));
    // Past the last entry's expiry (the entries were revoked seconds apart): the list is empty.
    offset = Math.max(...afterJti.entries.map((e) => e.expiresAt)) - nowSeconds + 1;
    await issuer.restart({ clockOffsetSeconds: offset });
    assert.deepEqual((await listing()).entries, []);
    assert.deepEqual(((await (await issuer.fetch("/revocations.json")).json()) as { entries: Entry[] }).entries, []);
    // killSwitch.expiresAt = revokedAt + 3600 (max lifetime) + 60 (skew): every covered token expired by then.
    assert.equal(killSwitch.expiresAt - killSwitch.revokedAt, 3_660);
  });
});
