import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError } from "../../worker/config/errors.js";
import { loadStackConfigFile, readStackConfigMap } from "../../worker/config-files/stack-file.js";
import { issuesOf } from "./fixtures.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

const PROJECT_FILE = "name: worker-identity\nruntime: nodejs\n";
const STACK_FILE = `config:
  aws:region: us-east-1
  cloudflare:apiToken:
    secure: v1:AAAA:BBBB
  worker-identity:accountId: 0123456789abcdef0123456789abcdef
  worker-identity:issuerHostname: id.example.dev
  worker-identity:rotationPeriodDays: 30
  worker-identity:workloads:
    billing:
      audiences: [sts.amazonaws.com]
`;

describe("stack files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }

  it("loads the repository's Pulumi.dev.yaml", () => {
    const config = loadStackConfigFile(join(REPO_ROOT, "Pulumi.dev.yaml"));
    assert.equal(config.project, "worker-identity");
    assert.equal(config.stack, "dev");
    assert.equal(config.issuer.issuerUrl, "https://id.example.dev");
    assert.ok(config.workloads.length >= 3, `only ${config.workloads.length} workloads`);
    const audiences = new Set(config.workloads.map((w) => JSON.stringify(w.audiences)));
    assert.ok(audiences.size >= 3, "the example workloads should have distinct audience lists");
    for (const workload of config.workloads) {
      assert.match(workload.entrypoint, /^[A-Za-z_$][A-Za-z0-9_$]*$/);
      assert.equal(workload.subject, `worker/${config.issuer.accountId}/${workload.name}`);
    }
  });

  it("loads the repository's Pulumi.dev.yaml with AWS and GCP federated per workload", () => {
    const config = loadStackConfigFile(join(REPO_ROOT, "Pulumi.dev.yaml"));
    const gcpAudience =
      "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
    assert.deepEqual(config.aws, { audience: "sts.amazonaws.com" });
    assert.deepEqual(config.gcp, {
      projectId: "example-identity-dev",
      projectNumber: "123456789012",
      poolId: "worker-identity",
      providerId: "worker-identity",
      audience: gcpAudience,
    });
    const byName = Object.fromEntries(config.workloads.map((w) => [w.name, w]));
    assert.deepEqual(byName.billing?.aws, {
      roleName: "wid-billing",
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
      inlinePolicies: {},
      maxSessionDurationSeconds: 3600,
    });
    assert.deepEqual(byName.billing?.gcp, {
      serviceAccount: { kind: "create", accountId: "wid-billing" },
      projectRoles: ["roles/bigquery.dataViewer"],
    });
    assert.deepEqual(byName["reports-exporter"]?.gcp, {
      serviceAccount: { kind: "existing", email: "reports@example-identity-dev.iam.gserviceaccount.com" },
      projectRoles: [],
    });
    assert.equal(byName["reports-exporter"]?.aws, undefined);
    const ledger = byName["ledger-sync"];
    assert.equal(ledger?.gcp, undefined);
    assert.equal(ledger?.aws?.roleName, "wid-ledger-sync");
    assert.deepEqual(Object.keys(ledger?.aws?.inlinePolicies ?? {}), ["ledger-write"]);
    const policy = JSON.parse(ledger?.aws?.inlinePolicies["ledger-write"] ?? "{}") as {
      Version: string;
      Statement: { Effect: string; Action: string; Resource: string }[];
    };
    assert.equal(policy.Version, "2012-10-17");
    assert.equal(policy.Statement.length, 1);
    assert.deepEqual([policy.Statement[0]?.Effect, policy.Statement[0]?.Action], ["Allow", "dynamodb:PutItem"]);
    assert.match(policy.Statement[0]?.Resource ?? "", /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+$/);
    assert.ok(byName["edge-api"] && !("aws" in byName["edge-api"]) && !("gcp" in byName["edge-api"]));
    // Every GCP audience the example lists is the one the provider derives.
    const listed = config.workloads.flatMap((w) => w.audiences).filter((a) => a.startsWith("//iam.googleapis.com/"));
    assert.ok(listed.length >= 2);
    for (const audience of listed) assert.equal(audience, gcpAudience);
  });

  it("reads the project from Pulumi.yaml and the stack from the file name, without validating", () => {
    write({
      "Pulumi.yaml": "name: acme-identity\nruntime: nodejs\n",
      "Pulumi.prod-eu.yaml": "config:\n  acme-identity:oops: 1\n",
    });
    const map = readStackConfigMap(join(dir, "Pulumi.prod-eu.yaml"));
    assert.deepEqual(map, { project: "acme-identity", stack: "prod-eu", config: { "acme-identity:oops": "1" } });
  });

  it("hands top-level plain values over as text, as Pulumi does, and keeps maps typed", () => {
    write({
      "Pulumi.yaml": PROJECT_FILE,
      "Pulumi.dev.yaml":
        "config:\n  worker-identity:accountId: 01234567890123456789012345678901\n" +
        "  worker-identity:environment: 1.10\n  worker-identity:workloads:\n    a: {audiences: [x], tokenLifetimeSeconds: 90}\n",
    });
    const { config } = readStackConfigMap(join(dir, "Pulumi.dev.yaml"));
    assert.equal(config["worker-identity:accountId"], "01234567890123456789012345678901");
    assert.equal(config["worker-identity:environment"], "1.10");
    assert.deepEqual(config["worker-identity:workloads"], { a: { audiences: ["x"], tokenLifetimeSeconds: 90 } });
  });

  it("validates a stack file and reports problems against the file", () => {
    write({
      "Pulumi.yaml": PROJECT_FILE,
      "Pulumi.dev.yaml": STACK_FILE.replace("rotationPeriodDays: 30", "rotationPeriodDays: 0"),
    });
    const path = join(dir, "Pulumi.dev.yaml");
    assert.throws(
      () => loadStackConfigFile(path),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          new RegExp(`^Invalid stack configuration in ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
        assert.deepEqual(
          error.issues.map((i) => i.key),
          ["worker-identity:rotationPeriodDays"],
        );
        return true;
      },
    );
    write({ "Pulumi.dev.yaml": STACK_FILE });
    assert.equal(
      loadStackConfigFile(path, { localIssuerUrl: "http://localhost:8787" }).issuer.issuerUrl,
      "http://localhost:8787",
    );
  });

  it("secure value on our key", () => {
    write({
      "Pulumi.yaml": PROJECT_FILE,
      "Pulumi.dev.yaml": STACK_FILE.replace(
        "worker-identity:issuerHostname: id.example.dev",
        "worker-identity:issuerHostname:\n    secure: v1:AAAA:CCCC",
      ),
    });
    const issues = issuesOf(() => loadStackConfigFile(join(dir, "Pulumi.dev.yaml")));
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.key, "worker-identity:issuerHostname");
    assert.match(issues[0]?.message ?? "", /not secret.*pulumi config set without --secret/);
  });

  it("missing file", () => {
    write({ "Pulumi.yaml": PROJECT_FILE });
    const path = join(dir, "Pulumi.prod.yaml");
    const issues = issuesOf(() => loadStackConfigFile(path));
    assert.deepEqual(
      issues.map((i) => i.key),
      [path],
    );
    assert.match(issues[0]?.message ?? "", /does not exist; pass the path of a stack file.*pulumi stack init/);
  });

  it("missing Pulumi.yaml", () => {
    write({ "Pulumi.dev.yaml": STACK_FILE });
    const issues = issuesOf(() => readStackConfigMap(join(dir, "Pulumi.dev.yaml")));
    assert.deepEqual(
      issues.map((i) => i.key),
      [join(dir, "Pulumi.yaml")],
    );
    assert.match(issues[0]?.message ?? "", /must sit beside the stack file/);
  });

  it("YAML syntax error", () => {
    write({
      "Pulumi.yaml": PROJECT_FILE,
      "Pulumi.dev.yaml": "config:\n  worker-identity:workloads:\n    billing: {audiences: [a\n",
    });
    const path = join(dir, "Pulumi.dev.yaml");
    const issues = issuesOf(() => loadStackConfigFile(path));
    assert.ok(issues.length >= 1);
    assert.ok(issues.every((i) => i.key === path));
    assert.match(issues[0]?.message ?? "", /not valid YAML: .*line \d+, column \d+; fix the syntax there/);
  });

  it("duplicate key in YAML", () => {
    write({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.dev.yaml": `${STACK_FILE}  worker-identity:rotationPeriodDays: 7\n` });
    const issues = issuesOf(() => loadStackConfigFile(join(dir, "Pulumi.dev.yaml")));
    assert.match(issues[0]?.message ?? "", /Map keys must be unique.*fix the syntax/);
  });

  it("missing config: map", () => {
    write({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.dev.yaml": "encryptionsalt: v1:abc\n" });
    const path = join(dir, "Pulumi.dev.yaml");
    const issues = issuesOf(() => loadStackConfigFile(path));
    assert.deepEqual(
      issues.map((i) => i.key),
      [path],
    );
    assert.match(issues[0]?.message ?? "", /has no 'config:' map; add one/);
  });

  it("a file not named like a stack file", () => {
    write({ "Pulumi.yaml": PROJECT_FILE, "dev.yaml": STACK_FILE });
    const path = join(dir, "dev.yaml");
    const issues = issuesOf(() => readStackConfigMap(path));
    assert.deepEqual(
      issues.map((i) => i.key),
      [path],
    );
    assert.match(issues[0]?.message ?? "", /name it Pulumi\.<stack>\.yaml/);
  });

  it("a project file without a name", () => {
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "Pulumi.yaml"), "runtime: nodejs\n");
    writeFileSync(join(dir, "sub", "Pulumi.dev.yaml"), STACK_FILE);
    const issues = issuesOf(() => readStackConfigMap(join(dir, "sub", "Pulumi.dev.yaml")));
    assert.deepEqual(
      issues.map((i) => i.key),
      [join(dir, "sub", "Pulumi.yaml")],
    );
    assert.match(issues[0]?.message ?? "", /add the project name/);
  });
});
