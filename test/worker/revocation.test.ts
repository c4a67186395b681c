// Token revocation in the real runtime: one token (jti), every token of a workload or a workflow
// (kill switches), from the admin API and the CLI; the effect at introspection and in the
// verifier (revocation list); persistence across a restart; expiry when the covered tokens would
// have expired (time travel: restarts with a shifted issuer clock over persisted state).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier, VerificationError } from "@worker-identity/verifier";
import { decodeJwt } from "jose";
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

interface Entry {
  kind: string;
  jti?: string;
  name?: string;
  revokedAt: number;
  expiresAt: number;
}
interface Listing {
  now: number;
  entries: Entry[];
  outcome?: string;
  entry?: Entry;
  registered?: boolean;
}

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
      config: workflowStackConfig(),
      introspectionSecrets: INTROSPECTION_SECRETS,
      persistDir: dir,
      clockOffsetSeconds: 0,
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

  /**
   * Restarts the issuer with its clock at `issuerSeconds` or, by the restart's own duration, just
   * after: the offset is taken from the wall clock at the restart, never from an earlier reading.
   */
  async function travelTo(issuerSeconds: number): Promise<Listing> {
    offset = Math.ceil(issuerSeconds - Date.now() / 1_000);
    await issuer.restart({ clockOffsetSeconds: offset });
    const after = await listing();
    assert.ok(after.now >= issuerSeconds, `the issuer's clock reads ${after.now}, before ${issuerSeconds}`);
    return after;
  }
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

  it("says that a repeated jti revocation changed nothing", async () => {
    const { jti, exp } = decodeJwt(tokens.a!);
    const before = await listing();
    const again = await revoke({ jti, exp });
    assert.equal(again.outcome, "unchanged");
    assert.deepEqual(again.entries, before.entries);
  });

  // The workflow's kill switch, not ledger-sync's: the last test needs ledger-sync's to expire
  // first, by more than a restart takes. Short of the jti entry's expiry (token a lives 300 s).
  const LATER_SECONDS = 120;

  it("says how a kill switch repeated in a later second extended the entry", async () => {
    const first = (await listing()).entries.find((e) => e.kind === "workflow" && e.name === EXPORT_WORKFLOW)!;
    const moved = await travelTo(first.revokedAt + LATER_SECONDS);
    const repeat = await revoke({ workflow: EXPORT_WORKFLOW });
    assert.equal(repeat.outcome, "extended");
    // It now covers the tokens issued up to this second, and lives as long after it as the first did.
    assert.ok(repeat.entry!.revokedAt >= moved.now, `${repeat.entry!.revokedAt} < ${moved.now}`);
    assert.equal(repeat.entry!.expiresAt - repeat.entry!.revokedAt, first.expiresAt - first.revokedAt);
    assert.deepEqual(
      (await listing()).entries.find((e) => e.name === EXPORT_WORKFLOW),
      repeat.entry,
    );
  });

  it("says that a kill switch repeated in an earlier second (a clock set back) changed nothing", async () => {
    const extended = (await listing()).entries.find((e) => e.kind === "workflow" && e.name === EXPORT_WORKFLOW)!;
    const before = await listing();
    // Set back by LATER_SECONDS: now is before the extended entry's second, as long as the test runs in less time.
    const back = extended.revokedAt - LATER_SECONDS;
    offset = Math.ceil(back - Date.now() / 1_000);
    await issuer.restart({ clockOffsetSeconds: offset });
    assert.ok((await listing()).now < extended.revokedAt, "the clock was not set back");
    const repeat = await revoke({ workflow: EXPORT_WORKFLOW });
    assert.equal(repeat.outcome, "unchanged");
    assert.deepEqual(repeat.entry, extended);
    assert.deepEqual(repeat.entries, before.entries);
    await travelTo(extended.revokedAt);
  });

  it("refuses to revoke a token no verifier accepts any more, recording nothing", async () => {
    const now = (await listing()).now;
    // exp + clockSkewSeconds (60) has passed: its entry would be born expired.
    const response = await issuer.admin("/admin/revocations", {
      method: "POST",
      body: JSON.stringify({ jti: "long-gone", exp: now - 61 }),
    });
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
    const anonymous = await issuer.fetch("/admin/revocations", {
      method: "POST",
      body: JSON.stringify({ workload: "billing" }),
    });
    assert.equal(anonymous.status, 401);
  });

  it("publishes the list at /revocations.json with a short max-age, an ETag and 304s", async () => {
    const response = await issuer.fetch("/revocations.json");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "public, max-age=10");
    const { entries } = (await response.json()) as { entries: Entry[] };
    assert.deepEqual(
      entries.map((e) => `${e.kind}:${e.jti ?? e.name}`).sort(),
      [
        `jti:${decodeJwt(tokens.a!).jti}`,
        "workflow:nightly-export",
        "workload:ledger-sync",
        "workload:retired-worker",
      ].sort(),
    );
    const again = await issuer.fetch("/revocations.json", {
      headers: { "if-none-match": response.headers.get("etag") ?? "" },
    });
    assert.equal(again.status, 304);
    // The same conditional rules as the JWKS (worker/http/conditional.ts): "*", lists, weak tags.
    for (const header of ["*", `"other", W/${response.headers.get("etag")}`]) {
      assert.equal(
        (await issuer.fetch("/revocations.json", { headers: { "if-none-match": header } })).status,
        304,
        header,
      );
    }
    assert.equal((await issuer.fetch("/revocations.json", { headers: { "if-none-match": '"other"' } })).status, 200);
  });

  it("serves the key store's list when KV's copy is empty or absent, and the key store republishes it", async () => {
    const served = await issuer.fetch("/revocations.json");
    const body = await served.text();
    const kv = await issuer.mf.getKVNamespace("PUBLISHED", issuer.config.issuer.scriptName);
    for (const emptied of [() => kv.put("revocations/v1", ""), () => kv.delete("revocations/v1")]) {
      await emptied();
      const response = await issuer.fetch("/revocations.json");
      assert.equal(response.status, 200);
      assert.equal(await response.text(), body);
      assert.equal(response.headers.get("etag"), served.headers.get("etag"));
      assert.equal(await kv.get("revocations/v1"), body, "the key store republished the list to KV");
    }
  });

  it("keeps the list across a restart", async () => {
    const before = await listing();
    await issuer.restart({ clockOffsetSeconds: offset });
    assert.deepEqual((await listing()).entries, before.entries);
    assert.equal(await active(tokens.b!), true);
    assert.equal(await verifierSays(tokens.c!), "ERR_TOKEN_REVOKED");
  });

  it("drops a jti entry once its token has expired, and a kill switch once every token it covered has", async () => {
    const start = (await listing()).entries;
    const jtiEntry = start.find((e) => e.kind === "jti")!;
    const killSwitch = start.find((e) => e.name === "ledger-sync")!;
    assert.ok(jtiEntry && killSwitch, JSON.stringify(start));
    const afterJti = await travelTo(jtiEntry.expiresAt);
    assert.deepEqual(
      afterJti.entries.map((e) => `${e.kind}:${e.name}`).sort(),
      ["workflow:nightly-export", "workload:ledger-sync", "workload:retired-worker"],
      "the kill switches outlive the single token",
    );
    const published = (await (await issuer.fetch("/revocations.json")).json()) as { entries: Entry[] };
    assert.ok(!published.entries.some((e) => e.kind === "jti"), "purged from KV too");

    // Past ledger-sync's kill switch alone: it is dropped; the two set LATER_SECONDS after it
    // (the extended workflow kill switch, retired-worker's) are not yet.
    const later = afterJti.entries.filter((e) => e.name !== "ledger-sync");
    for (const entry of later)
      assert.ok(entry.revokedAt >= killSwitch.revokedAt + LATER_SECONDS, JSON.stringify(entry));
    const afterKillSwitch = (await travelTo(killSwitch.expiresAt)).entries;
    assert.deepEqual(afterKillSwitch, later);
    // Past the last entry's expiry: the list is empty.
    assert.deepEqual((await travelTo(Math.max(...later.map((e) => e.expiresAt)))).entries, []);
    assert.deepEqual(((await (await issuer.fetch("/revocations.json")).json()) as { entries: Entry[] }).entries, []);
    // killSwitch.expiresAt = revokedAt + 3600 (max lifetime) + 60 (skew): every covered token expired by then.
    assert.equal(killSwitch.expiresAt - killSwitch.revokedAt, 3_660);
  });
});
