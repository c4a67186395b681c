// The wid CLI as an operator runs it, against the issuer in workerd shaped like the local stack
// (workflows and introspection clients): tokens, verification (revocation list, introspection),
// keys and revocation through the admin API.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { freePort } from "../support/free-port.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { runTsx } from "../support/run-tsx.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";
import {
  createInstance,
  EXPORT_WORKFLOW,
  INTROSPECTION_CLIENT,
  INTROSPECTION_SECRETS,
  instanceToken,
  steer,
  waitForStatus,
  workflowStackConfig,
} from "../support/workflow-fixture.js";
import { jsonOf, wid } from "./support/run-wid.js";

const CLI = "worker/cli/main.ts";

/** `wid token --workload <workload> --audience <audience> --issuer <issuer>`. */
const widToken = (workload: string, audience: string, issuer: string) =>
  runTsx(CLI, ["token", "--workload", workload, "--audience", audience, "--issuer", issuer]);

describe("the wid CLI against an issuer in workerd", function () {
  this.timeout(60_000);
  let issuer: IssuerHarness;

  before(async () => {
    // The local stack's shape: workflows and introspection clients, as in Pulumi.dev.yaml.
    issuer = await IssuerHarness.start({ config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS });
  });
  after(async () => {
    await issuer?.dispose();
  });

  it("token prints a token minted through the workload's binding, and verify prints its claims", async () => {
    const minted = await widToken("billing", AWS_AUDIENCE, issuer.url);
    assert.equal(minted.code, 0, minted.stderr);
    const token = minted.stdout.trim();
    assert.equal(token.split(".").length, 3);

    const verified = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(verified.code, 0, verified.stderr);
    const { claims, header } = JSON.parse(verified.stdout) as {
      claims: Record<string, unknown>;
      header: Record<string, unknown>;
    };
    assert.equal(claims.sub, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(header.typ, "JWT");
  });

  it("verify refuses a token for another audience with the verifier's error code, exit 1", async () => {
    const { token } = await issuer.token("billing", GCP_AUDIENCE);
    const verified = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(verified.code, 1);
    assert.match(verified.stderr, /ERR_TOKEN_AUDIENCE/);
  });

  it("verify checks the issuer's revocation list: a token revoked with wid revoke fails with ERR_TOKEN_REVOKED", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const sibling = (await issuer.token("billing", AWS_AUDIENCE, { lifetimeSeconds: 600 })).token;
    const before = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(before.code, 0, before.stderr);
    const { claims } = JSON.parse(before.stdout) as { claims: { jti: string; exp: number } };

    const revoked = await runTsx(
      CLI,
      ["revoke", "--jti", claims.jti, "--exp", String(claims.exp), "--issuer", issuer.url],
      env,
    );
    assert.equal(revoked.code, 0, revoked.stderr);

    const after = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(after.code, 1, after.stdout);
    assert.match(after.stderr, /^invalid: ERR_TOKEN_REVOKED: /m);
    assert.equal(after.stdout, "", "no claims printed for a revoked token");
    const other = await runTsx(CLI, ["verify", sibling, "--audience", AWS_AUDIENCE, "--issuer", issuer.url]);
    assert.equal(other.code, 0, other.stderr);
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
    const json = JSON.parse((await runTsx(CLI, [...args, "--json"], env)).stdout) as {
      outcome: string;
      entry: { jti: string };
    };
    assert.deepEqual([json.outcome, json.entry.jti], ["unchanged", jti]);
  });

  it("revoke refuses a jti whose token no verifier accepts any more, exit 1, and records nothing", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const exp = Math.floor(Date.now() / 1_000) - 3_600;
    const refused = await runTsx(
      CLI,
      ["revoke", "--jti", "expired-an-hour-ago", "--exp", String(exp), "--issuer", issuer.url],
      env,
    );
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /^refused: ERR_INVALID_REQUEST: nothing left to revoke: the token expired at /m);
    assert.match(refused.stderr, new RegExp(new Date(exp * 1_000).toISOString().replace(".000Z", "Z")));
    const listed = await runTsx(CLI, ["revocations", "--json", "--issuer", issuer.url], env);
    assert.equal(listed.code, 0, listed.stderr);
    const { entries } = JSON.parse(listed.stdout) as { entries: { jti?: string }[] };
    assert.ok(!entries.some((e) => e.jti === "expired-an-hour-ago"), listed.stdout);
  });

  it("verify --introspect asks the issuer's /introspect: a token of an ended instance fails with ERR_TOKEN_INACTIVE", async () => {
    const id = await createInstance(issuer, EXPORT_WORKFLOW, API_AUDIENCE);
    const { token } = await instanceToken(issuer, EXPORT_WORKFLOW, id);
    await steer(issuer, EXPORT_WORKFLOW, id, "finish", { outcome: "complete" });
    await waitForStatus(issuer, EXPORT_WORKFLOW, id, ["complete"]);
    const secret = { WID_INTROSPECTION_SECRET: INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]! };
    const args = ["verify", token, "--audience", API_AUDIENCE, "--issuer", issuer.url];

    // Signature, claims and the revocation list alone cannot know the instance ended.
    const plain = await runTsx(CLI, args);
    assert.equal(plain.code, 0, plain.stderr);
    const inactive = await runTsx(CLI, [...args, "--introspect", "--client-id", INTROSPECTION_CLIENT], secret);
    assert.equal(inactive.code, 1, inactive.stdout);
    assert.match(inactive.stderr, /^invalid: ERR_TOKEN_INACTIVE: /m);
    const fromEnv = await runTsx(CLI, [...args, "--introspect"], {
      ...secret,
      WID_INTROSPECTION_CLIENT_ID: INTROSPECTION_CLIENT,
    });
    assert.equal(fromEnv.code, 1, fromEnv.stdout);
    assert.match(fromEnv.stderr, /ERR_TOKEN_INACTIVE/);

    const running = await createInstance(issuer, EXPORT_WORKFLOW, API_AUDIENCE);
    const live = (await instanceToken(issuer, EXPORT_WORKFLOW, running)).token;
    const active = await runTsx(
      CLI,
      [
        "verify",
        live,
        "--audience",
        API_AUDIENCE,
        "--issuer",
        issuer.url,
        "--introspect",
        "--client-id",
        INTROSPECTION_CLIENT,
      ],
      secret,
    );
    assert.equal(active.code, 0, active.stderr);

    // A wrong secret is the issuer's 401: the verifier fails closed rather than skip the check.
    const wrong = await runTsx(
      CLI,
      ["verify", live, ...args.slice(2), "--introspect", "--client-id", INTROSPECTION_CLIENT],
      { WID_INTROSPECTION_SECRET: "not-the-secret" },
    );
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stderr, /ERR_REVOCATION_UNAVAILABLE: .*HTTP 401/);
  });

  it("verify --introspect without a client or its secret is a usage error naming the fix", async () => {
    const { token } = await issuer.token("billing", AWS_AUDIENCE);
    const noLocalStack = ["--state-dir", "/nonexistent/wid-state", "--issuer", issuer.url];
    const noClient = await runTsx(CLI, ["verify", token, "--audience", AWS_AUDIENCE, "--introspect", ...noLocalStack], {
      WID_INTROSPECTION_CLIENT_ID: "",
    });
    assert.equal(noClient.code, 2);
    assert.match(noClient.stderr, /verify --introspect needs --client-id <id> \(or WID_INTROSPECTION_CLIENT_ID\)/);
    const noSecret = await runTsx(
      CLI,
      ["verify", token, "--audience", AWS_AUDIENCE, "--introspect", "--client-id", "payments-api", ...noLocalStack],
      { WID_INTROSPECTION_SECRET: "" },
    );
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /needs payments-api's secret in WID_INTROSPECTION_SECRET/);
    const stray = await runTsx(CLI, [
      "verify",
      token,
      "--audience",
      AWS_AUDIENCE,
      "--client-id",
      "payments-api",
      ...noLocalStack,
    ]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--client-id goes with --introspect/);
  });

  it("token reports the issuer's refusal and exits 1", async () => {
    const refused = await widToken("ledger-sync", "https://elsewhere", issuer.url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_AUDIENCE_NOT_ALLOWED/);
  });

  it("keys list, rotate and revoke go through the admin API", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    await issuer.token("billing", AWS_AUDIENCE);
    const listed = await runTsx(CLI, ["keys", "list", "--issuer", issuer.url], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /RS256\s+active/);
    assert.match(listed.stdout, /^sealed: [1-9]\d* under KEK [0-9a-f]{16} \(KEY_ENCRYPTION_KEY\)$/m);

    const rotated = await runTsx(CLI, ["keys", "rotate", "--issuer", issuer.url, "--json"], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const listing = JSON.parse(rotated.stdout) as { keys: { kid: string; state: string }[] };
    const next = listing.keys.find((k) => k.state === "next");
    assert.ok(next, "a safe rotation prepares a next key");

    const revoked = await runTsx(CLI, ["keys", "revoke", `--kid=${next.kid}`, "--issuer", issuer.url, "--json"], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok(!(JSON.parse(revoked.stdout) as typeof listing).keys.some((k) => k.kid === next.kid));
  });

  it("keys rewrap goes through the admin API and says the previous KEK is not set", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const text = await runTsx(CLI, ["keys", "rewrap", "--issuer", issuer.url], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^re-sealed 0 signing keys under KEK [0-9a-f]{16} \(KEY_ENCRYPTION_KEY\)$/m);
    assert.match(text.stdout, /KEY_ENCRYPTION_KEY_PREVIOUS is not set/);
    const json = await runTsx(CLI, ["keys", "rewrap", "--issuer", issuer.url, "--json"], env);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), [
      "currentKekId",
      "previousKekId",
      "removable",
      "rewrapped",
      "underPrevious",
    ]);
    assert.equal(report.previousKekId, null);
    assert.equal(report.removable, true);
  });

  it("keys refuses without an admin token, and usage errors exit 2 with the usage", async () => {
    const anonymous = await runTsx(CLI, ["keys", "list", "--issuer", issuer.url], { WID_ADMIN_TOKEN: "x".repeat(40) });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /ERR_ADMIN_UNAUTHORIZED/);
    const usage = await runTsx(CLI, ["token", "--workload", "billing"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /token needs --workload <name> and --audience <aud>/);
    assert.match(usage.stderr, /^usage: wid token /m);
  });

  it("says how to start the issuer when none answers, exit 1", async () => {
    const down = await widToken("billing", AWS_AUDIENCE, `http://127.0.0.1:${await freePort()}`);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /^no issuer answers at .*: start the local stack with `npm start`, or pass --issuer <url>$/m,
    );
  });

  it("--json: each command's answer, or its failure as {error: {code, message, status}}, on stdout", async () => {
    const env = { WID_ADMIN_TOKEN: issuer.adminToken ?? "" };
    const issued = await wid([
      "token",
      "--workload",
      "billing",
      "--audience",
      AWS_AUDIENCE,
      "--issuer",
      issuer.url,
      "--json",
    ]);
    assert.equal(issued.code, 0, issued.stdout);
    const { token, expiresAt } = jsonOf(issued) as { token: string; expiresAt: number };
    assert.equal(decodeJwt(token).exp, expiresAt);

    const refused = await wid([
      "token",
      "--workload",
      "ledger-sync",
      "--audience",
      "https://elsewhere",
      "--issuer",
      issuer.url,
      "--json",
    ]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, "");
    const { error } = jsonOf(refused) as { error: { code: string; message: string; status: number } };
    assert.deepEqual([error.code, error.status], ["ERR_AUDIENCE_NOT_ALLOWED", 400]);
    assert.match(error.message, /https:\/\/elsewhere/);

    const verified = await wid(["verify", token, "--audience", AWS_AUDIENCE, "--issuer", issuer.url, "--json"]);
    assert.equal(verified.code, 0, verified.stdout);
    assert.equal((jsonOf(verified).claims as { sub: string }).sub, `worker/${ACCOUNT_ID}/billing`);
    const invalid = await wid(["verify", token, "--audience", GCP_AUDIENCE, "--issuer", issuer.url, "--json"]);
    assert.equal(invalid.code, 1);
    assert.equal((jsonOf(invalid).error as { code: string }).code, "ERR_TOKEN_AUDIENCE");

    const listed = await wid(["revocations", "--issuer", issuer.url, "--json"], env);
    assert.equal(listed.code, 0, listed.stdout);
    assert.ok(Array.isArray(jsonOf(listed).entries), listed.stdout);
    const keys = await wid(["keys", "list", "--issuer", issuer.url, "--json"], env);
    assert.equal(keys.code, 0, keys.stdout);
    assert.ok(
      (jsonOf(keys).keys as { state: string }[]).some((k) => k.state === "active"),
      keys.stdout,
    );
    const anonymous = await wid(["keys", "list", "--issuer", issuer.url, "--json"], {
      WID_ADMIN_TOKEN: "x".repeat(40),
    });
    assert.equal(anonymous.code, 1);
    assert.equal((jsonOf(anonymous).error as { code: string }).code, "ERR_ADMIN_UNAUTHORIZED");
  });
});
