import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { IssuerHarness } from "../support/issuer-harness.js";
import { runTsx } from "../support/run-tsx.js";
import { ACCOUNT_ID, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

const CLI = "worker/cli/main.ts";

describe("the wid CLI against an issuer in workerd", function () {
  this.timeout(60_000);
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => {
    await issuer?.dispose();
  });

  it("token prints a token minted through the workload's binding, and verify prints its claims", async () => {
    const minted = await runTsx(CLI, ["token", "--workload", "billing", "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(minted.code, 0, minted.stderr);
    const token = minted.stdout.trim();
    assert.equal(token.split(".").length, 3);

    const verified = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(verified.code, 0, verified.stderr);
    const { claims, header } = JSON.parse(verified.stdout) as { claims: Record<string, unknown>; header: Record<string, unknown> };
    assert.equal(claims.sub, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(header.typ, "JWT");
  });

  it("verify refuses a token for another audience with the verifier's error code, exit 1", async () => {
    const { token } = await issuer.token("billing", GCP_AUDIENCE);
    const verified = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(verified.code, 1);
    assert.match(verified.stderr, /ERR_TOKEN_AUDIENCE/);
  });

  it("revoke says what it did: revoked, then already revoked with nothing changed", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const { token } = await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 900 });
    const { jti, exp } = decodeJwt(token) as { jti: string; exp: number };
    const args = ["revoke", "--jti", jti, "--exp", String(exp), "--issuer", issuer.url];
    const first = await runTsx(CLI, args, env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^revoked token ${jti} until `, "m"));
    const again = await runTsx(CLI, args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^already revoked, nothing changed: token ${jti} until `, "m"));
    const json = JSON.parse((await runTsx(CLI, [...args, "--json"], env)).stdout) as { outcome: string; entry: { jti: string } };
    assert.deepEqual([json.outcome, json.entry.jti], ["unchanged", jti]);
  });

  it("revoke refuses a jti whose token no verifier accepts any more, exit 1, and records nothing", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const exp = Math.floor(Date.now() / 1_000) - 3_600;
    const refused = await runTsx(CLI, ["revoke", "--jti", "expired-an-hour-ago", "--exp", String(exp), "--issuer", issuer.url], env);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /^refused: ERR_INVALID_REQUEST: nothing left to revoke: the token expired at /m);
    assert.match(refused.stderr, new RegExp(new Date(exp * 1_000).toISOString().replace(".000Z", "Z")));
    const listed = await runTsx(CLI, ["revocations", "--json", "--issuer", issuer.url], env);
    assert.equal(listed.code, 0, listed.stderr);
    const { entries } = JSON.parse(listed.stdout) as { entries: { jti?: string }[] };
    assert.ok(!entries.some((e) => e.jti === "expired-an-hour-ago"), listed.stdout);
  });

  it("token reports the issuer's refusal and exits 1", async () => {
    const refused = await runTsx(CLI, ["token", "--workload", "ledger-sync", "--audience", "https://elsewhere", "--issuer", issuer.url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_AUDIENCE_NOT_ALLOWED/);
  });

  it("keys list, rotate and revoke go through the admin API", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    await issuer.token("billing", AWS_AUDIENCE);
    const listed = await runTsx(CLI, ["keys", "list", "--issuer", issuer.url], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /RS256\s+active/);

    const rotated = await runTsx(CLI, ["keys", "rotate", "--issuer", issuer.url, "--json"], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const listing = JSON.parse(rotated.stdout) as { keys: { kid: string; state: string }[] };
    const next = listing.keys.find((k) => k.state === "next");
    assert.ok(next, "a safe rotation prepares a next key");

    const revoked = await runTsx(CLI, ["keys", "revoke", `--kid=${next.kid}`, "--issuer", issuer.url, "--json"], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok(!(JSON.parse(revoked.stdout) as typeof listing).keys.some((k) => k.kid === next.kid));
  });

  it("keys refuses without an admin token, and usage errors exit 2 with the usage", async () => {
    const anonymous = await runTsx(CLI, ["keys", "list", "--issuer", issuer.url], { WID_ADMIN_TOKEN: "x".repeat(40) });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /ERR_ADMIN_UNAUTHORIZED/);
    const usage = await runTsx(CLI, ["token", "--workload", "billing"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /token needs --workload and --audience/);
    assert.match(usage.stderr, /usage:/);
  });

  it("says how to start the issuer when none answers", async () => {
    const down = await runTsx(CLI, ["token", "--workload", "billing", "--audience", AWS_AUDIENCE, "--issuer", "http://127.0.0.1:9"]);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /npm start/);
  });
});
