// `wid explain`, run in this process through run(argv) as bin/wid.js runs it, against the
// repository's Pulumi.dev.yaml (and a broken copy): the condition-by-condition text and its --json,
// a token given as an argument or on stdin (decoded without verifying, and said so), claims minted
// locally, the reverse listing, and the exit codes: 0 allowed, 1 denied or an unknown target,
// workload or invalid stack, 2 usage.

import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { run } from "../../worker/cli/main.js";
import { REPO_ROOT } from "../support/run-tsx.js";
import { jsonOf, type WidRun, wid } from "./support/run-wid.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const LEDGER_ROLE = "arn:aws:iam::111122223333:role/wid-ledger-sync";
const BILLING_ROLE = "arn:aws:iam::111122223333:role/wid-billing";
const BILLING_SA = "wid-billing@example-identity-dev.iam.gserviceaccount.com";

/** An unsigned compact JWS carrying `claims` (explain reads the payload only). */
function tokenOf(claims: Record<string, unknown>): string {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${segment({ alg: "RS256", kid: "k1", typ: "JWT" })}.${segment(claims)}.${"A".repeat(43)}`;
}

const billingClaims = {
  iss: "https://id.example.dev",
  sub: `worker/${ACCOUNT}/billing`,
  aud: "sts.amazonaws.com",
  account_id: ACCOUNT,
  worker: "billing",
  environment: "dev",
  iat: 1_800_000_000,
  exp: 1_800_000_300,
};

async function withStdin(argv: string[], stdin: string): Promise<WidRun> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd: REPO_ROOT,
    stdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

describe("wid explain", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-explain-"));
    copyFileSync(resolve(REPO_ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const stack = parse(readFileSync(resolve(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    writeFileSync(
      join(dir, "Pulumi.broken.yaml"),
      stringify({ config: { ...stack.config, "worker-identity:accountId": "not-an-account" } }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("wrong workload, minted locally: exit 1, each condition with ✓/✗, the failing one named with its fix", async () => {
    const ran = await wid(["explain", "--workload", "billing", "--target", LEDGER_ROLE]);
    assert.equal(ran.code, 1, ran.stderr);
    assert.equal(ran.stderr, "");
    assert.match(ran.stdout, /^claims minted locally for workload billing of stack dev and aud sts\.amazonaws\.com/);
    assert.match(
      ran.stdout,
      /^ {2}✓ Principal\.Federated\n {6}requires {2}arn:aws:iam::111122223333:oidc-provider\/id\.example\.dev$/m,
    );
    assert.match(
      ran.stdout,
      new RegExp(
        `^ {2}✗ StringEquals id\\.example\\.dev:sub\\n {6}requires {2}worker/${ACCOUNT}/ledger-sync\\n {6}carries {3}worker/${ACCOUNT}/billing$`,
        "m",
      ),
    );
    assert.match(
      ran.stdout,
      new RegExp(
        `^denied: StringEquals id\\.example\\.dev:sub fails: sub is worker/${ACCOUNT}/billing: this role trusts only ledger-sync; ` +
          "use the token of ledger-sync, or the role of billing: wid-billing$",
        "m",
      ),
    );
  });

  it("--json: the same verdict as a document, exit 1, nothing on stderr", async () => {
    const ran = await wid(["explain", "--workload", "billing", "--target", LEDGER_ROLE, "--json"]);
    assert.equal(ran.code, 1);
    assert.equal(ran.stderr, "");
    const document = jsonOf(ran) as {
      verified: boolean;
      source: string;
      allowed: boolean;
      failing: { name: string; carries: string };
      hint: string;
      target: { party: string; owner: { kind: string; name: string } };
      conditions: { passed: boolean }[];
    };
    assert.equal(document.verified, false);
    assert.equal(document.source, "minted");
    assert.equal(document.allowed, false);
    assert.equal(document.failing.name, "StringEquals id.example.dev:sub");
    assert.deepEqual(document.target.owner, { kind: "workload", name: "ledger-sync" });
    assert.deepEqual(
      document.conditions.map((c) => c.passed),
      [true, true, false, true],
    );
    assert.match(document.hint, /use the token of ledger-sync/);
  });

  it("allowed: exit 0", async () => {
    const ran = await wid([
      "explain",
      "--workload",
      "billing",
      "--audience",
      "sts.amazonaws.com",
      "--target",
      BILLING_ROLE,
    ]);
    assert.equal(ran.code, 0, ran.stdout);
    assert.match(ran.stdout, /^allowed: every condition of arn:aws:iam::111122223333:role\/wid-billing holds$/m);
  });

  it("wrong audience on GCP: exit 1, the provider's audiences named", async () => {
    const ran = await wid([
      "explain",
      "--workload",
      "billing",
      "--audience",
      "sts.amazonaws.com",
      "--target",
      BILLING_SA,
    ]);
    assert.equal(ran.code, 1);
    assert.match(
      ran.stdout,
      /^denied: oidc\.allowedAudiences fails: aud is sts\.amazonaws\.com: this service account requires \/\/iam\.googleapis\.com\//m,
    );
  });

  it("a token argument: decoded without verifying, said so with wid verify named; the token itself is never printed", async () => {
    const token = tokenOf(billingClaims);
    const ran = await wid(["explain", token, "--target", BILLING_ROLE]);
    assert.equal(ran.code, 0, ran.stdout);
    assert.match(
      ran.stdout,
      /^token: decoded WITHOUT verifying its signature, expiry or revocation: `wid verify <token> --audience <aud>` checks those$/m,
    );
    assert.match(
      ran.stdout,
      new RegExp(`^ {2}iss https://id\\.example\\.dev, sub worker/${ACCOUNT}/billing, aud sts\\.amazonaws\\.com$`, "m"),
    );
    assert.ok(!ran.stdout.includes(token) && !ran.stdout.includes(token.split(".")[2]!));
    const json = jsonOf(await wid(["explain", token, "--target", BILLING_ROLE, "--json"]));
    assert.equal(json.verified, false);
    assert.match(String(json.note), /WITHOUT verifying/);
  });

  it("a token on stdin (-): wrong issuer names Principal.Federated, wrong account names the Cloudflare account", async () => {
    const github = await withStdin(
      ["explain", "-", "--target", BILLING_ROLE],
      `${tokenOf({ ...billingClaims, iss: "https://token.actions.githubusercontent.com" })}\n`,
    );
    assert.equal(github.code, 1);
    assert.match(
      github.stdout,
      /^denied: Principal\.Federated fails: iss is https:\/\/token\.actions\.githubusercontent\.com: this role trusts tokens of https:\/\/id\.example\.dev/m,
    );
    const other = "f".repeat(32);
    const foreign = await withStdin(
      ["explain", "-", "--target", BILLING_SA, "--json"],
      tokenOf({
        ...billingClaims,
        aud: "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity",
        account_id: other,
        sub: `worker/${other}/billing`,
      }),
    );
    assert.equal(foreign.code, 1);
    const document = jsonOf(foreign) as { failing: { name: string }; hint: string };
    assert.equal(document.failing.name, "attributeCondition");
    assert.match(document.hint, new RegExp(`^the token is of Cloudflare account ${other}`));
  });

  it("the AWS account: a role in another account than --aws-account is refused as the wrong account", async () => {
    const ran = await wid([
      "explain",
      "--workload",
      "billing",
      "--target",
      "arn:aws:iam::999988887777:role/wid-billing",
      "--aws-account",
      "111122223333",
      "--json",
    ]);
    assert.equal(ran.code, 1);
    const document = jsonOf(ran) as { failing: { name: string }; hint: string };
    assert.equal(document.failing.name, "Principal.Federated");
    assert.match(
      document.hint,
      /^wrong account: the role is in AWS account 999988887777, the trusted provider in 111122223333/,
    );
  });

  it("--workload without --target lists every target it reaches, and why; a workflow's too", async () => {
    const ran = await wid(["explain", "--workload", "billing", "--aws-account", "111122223333"]);
    assert.equal(ran.code, 0, ran.stdout);
    assert.match(
      ran.stdout,
      new RegExp(`^workload billing of stack dev \\(sub worker/${ACCOUNT}/billing\\) reaches`, "m"),
    );
    assert.match(ran.stdout, /^✓ AWS role arn:aws:iam::111122223333:role\/wid-billing, aud sts\.amazonaws\.com$/m);
    assert.match(ran.stdout, new RegExp(`^✓ GCP service account ${BILLING_SA.replace(/\./g, "\\.")}, aud //iam`, "m"));
    const json = jsonOf(await wid(["explain", "--workload", "billing", "--json"])) as {
      targets: { party: string; allowed: boolean }[];
    };
    assert.deepEqual(
      json.targets.map((t) => [t.party, t.allowed]),
      [
        ["aws", true],
        ["gcp", true],
      ],
    );
    const workflow = await wid(["explain", "--workflow", "nightly-export"]);
    assert.equal(workflow.code, 0);
    assert.match(
      workflow.stdout,
      /^✓ AWS role arn:aws:iam::000000000000:role\/wid-nightly-export, aud sts\.amazonaws\.com\n {2}\(account 000000000000 stands for the stack's AWS account: pass --aws-account <id>\)$/m,
    );
    const agent = await wid(["explain", "--workload", "support-agent"]);
    assert.match(
      agent.stdout,
      /· anthropic .*: not evaluated here; `wid trust anthropic support-agent` prints its trust/,
    );
  });

  it("an unknown target, workload, an audience the workload lacks, a broken or missing stack, a malformed token: exit 1 with a code", async () => {
    const cases: [string[], string, RegExp][] = [
      [
        ["--workload", "billing", "--target", "arn:aws:iam::111122223333:role/wid-payroll"],
        "unknown_target",
        /has the role wid-payroll; give one of its roles: /,
      ],
      [["--workload", "billings"], "unknown_workload", /no workload 'billings' \(its workloads: billing,/],
      [["--workflow", "billing"], "unknown_workload", /no workflow 'billing' \(its workflows: nightly-export\)/],
      [
        ["--workload", "ledger-sync", "--audience", "https://vault.example.dev", "--target", LEDGER_ROLE],
        "audience_not_allowed",
        /add https:\/\/vault\.example\.dev to workloads\.ledger-sync\.audiences/,
      ],
      [["a.b", "--target", BILLING_ROLE], "invalid_token", /has 2 segments, not 3/],
      [["a.!!.c", "--target", BILLING_ROLE], "invalid_token", /payload is not base64url/],
    ];
    for (const [argv, code, message] of cases) {
      const ran = await wid(["explain", ...argv, "--json"]);
      assert.equal(ran.code, 1, argv.join(" "));
      const { error } = jsonOf(ran) as { error: { code: string; message: string } };
      assert.equal(error.code, code, argv.join(" "));
      assert.match(error.message, message, argv.join(" "));
      const text = await wid(["explain", ...argv]);
      assert.match(text.stderr, message);
    }
    const broken = await wid(["explain", "--workload", "billing", "--stack", "broken", "--json"], {}, dir);
    assert.equal(broken.code, 1);
    assert.equal((jsonOf(broken).error as { code: string }).code, "invalid_stack");
    const missing = await wid(["explain", "--workload", "billing", "--stack", "staging"], {}, dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Pulumi\.staging\.yaml does not exist/);
  });

  it("usage errors: exit 2, naming the fix", async () => {
    const cases: [string[], RegExp][] = [
      [
        [],
        /^wid explain: give a token \(or - to read it from stdin\) with --target, or --workload <name> to list its targets$/m,
      ],
      [["t.t.t"], /^wid explain: a token needs --target/m],
      [["t.t.t", "--workload", "billing"], /give a token or --workload\/--workflow/],
      [["--workload", "a", "--workflow", "b"], /give --workload or --workflow, not both/],
      [["t.t.t", "--target", BILLING_ROLE, "--audience", "x"], /--audience goes with --workload/],
      [["--workload", "billing", "--audience", "x"], /--audience needs --target/],
      [
        ["--workload", "billing", "--aws-account", "1234"],
        /--aws-account must be a 12-digit AWS account id; got '1234'/,
      ],
      [["t1", "t2", "--target", BILLING_ROLE], /unexpected argument 't2'/],
      [["--workload", "billing", "--colour"], /unknown option '--colour'/],
    ];
    for (const [argv, message] of cases) {
      const ran = await wid(["explain", ...argv]);
      assert.equal(ran.code, 2, argv.join(" "));
      assert.match(ran.stderr, message, argv.join(" "));
      assert.match(ran.stderr, /usage: wid explain /);
    }
  });

  it("--help prints its usage, options, targets and exit codes", async () => {
    const help = await wid(["explain", "--help"]);
    assert.equal(help.code, 0);
    assert.ok(help.stdout.startsWith("usage: wid explain "));
    for (const option of ["--target", "--workload", "--workflow", "--audience", "--aws-account", "--stack", "--json"]) {
      assert.match(help.stdout, new RegExp(`^\\s+${option}\\b`, "m"), option);
    }
    assert.match(help.stdout, /decoded WITHOUT verifying/);
    const overview = await wid(["--help"]);
    assert.match(overview.stdout, /^ {2}explain +why a target admits or refuses a token/m);
  });
});
