// The registry outside the stack config: documents the `registry` key names, validated exactly
// like the workloads and workflows keys, problems keyed by file and path, each name defined once.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { WorkerOptions } from "miniflare";
import type { RegistryDocument } from "../../worker/config/registry-documents.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { readRegistryFiles } from "../../worker/config-files/registry-files.js";
import { loadStackConfigFile, readStackConfigMap } from "../../worker/config-files/stack-file.js";
import { localStack } from "../../worker/local/stack.js";
import { ACCOUNT_ID, happyRaw, issuesOf, OPTIONS, PROJECT, withKey } from "./fixtures.js";

const REGISTRY_KEY = `${PROJECT}:registry`;
const PAYMENTS = "registry/payments.yaml";

function withRegistry(documents: readonly RegistryDocument[], raw: Record<string, unknown> = happyRaw()) {
  return {
    raw: { ...raw, [REGISTRY_KEY]: "registry/" },
    options: { ...OPTIONS, registry: { documents, problems: [] } },
  };
}

const issuesWith = (documents: readonly RegistryDocument[], raw?: Record<string, unknown>) => {
  const { raw: config, options } = withRegistry(documents, raw);
  return issuesOf(() => validateStackConfig(config, options));
};

describe("the registry key: workloads and workflows in files", () => {
  it("adds the files' workloads and workflows to the stack keys', resolved like them", () => {
    const { raw, options } = withRegistry([
      {
        source: PAYMENTS,
        content: { workloads: { ledger: { audiences: ["sts.amazonaws.com"], claims: { team: "payments" } } } },
      },
      {
        source: "registry/jobs.yaml",
        content: {
          workflows: {
            "nightly-export": { script: "jobs", className: "NightlyExport", audiences: ["sts.amazonaws.com"] },
          },
        },
      },
    ]);
    const config = validateStackConfig(raw, options);
    assert.deepEqual(
      config.workloads.map((w) => w.name),
      ["billing", "edge-api", "ledger", "reports-exporter"],
    );
    const ledger = config.workloads.find((w) => w.name === "ledger")!;
    assert.equal(ledger.subject, `worker/${ACCOUNT_ID}/ledger`);
    assert.deepEqual(ledger.claims, { team: "payments" });
    assert.equal(config.workflows[0]?.subjectPrefix, `workflow/${ACCOUNT_ID}/nightly-export/`);
  });

  it("keys a problem by file and path, with the message the stack key would give", () => {
    const bad = { audiences: [" sts.amazonaws.com"] };
    const inFile = issuesWith([{ source: PAYMENTS, content: { workloads: { ledger: bad } } }]);
    assert.deepEqual(
      inFile.map((i) => i.key),
      [`${PAYMENTS}: workloads.ledger.audiences[0]`],
    );
    const raw = happyRaw();
    (raw[`${PROJECT}:workloads`] as Record<string, unknown>).ledger = bad;
    const inStack = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.deepEqual(
      inStack.map((i) => i.key),
      [`${PROJECT}:workloads.ledger.audiences[0]`],
    );
    assert.equal(inFile[0]!.message, inStack[0]!.message, "the same reader");
  });

  it("refuses a name defined in two files, or in a file and the stack key, naming both places", () => {
    const twice = issuesWith([
      { source: "registry/a.yaml", content: { workloads: { ledger: { audiences: ["x"] } } } },
      { source: "registry/b.yaml", content: { workloads: { ledger: { audiences: ["y"] } } } },
    ]);
    assert.deepEqual(
      twice.map((i) => i.key),
      ["registry/b.yaml: workloads.ledger"],
    );
    assert.match(
      twice[0]!.message,
      /defines workload 'ledger' again: it is already defined at registry\/a\.yaml: workloads\.ledger/,
    );

    const withStackKey = issuesWith([{ source: PAYMENTS, content: { workloads: { billing: { audiences: ["x"] } } } }]);
    assert.deepEqual(
      withStackKey.map((i) => i.key),
      [`${PAYMENTS}: workloads.billing`],
    );
    assert.match(withStackKey[0]!.message, /already defined at worker-identity:workloads\.billing/);
  });

  it("refuses a document that is not a map of workloads and workflows, suggesting the section meant", () => {
    const issues = issuesWith([
      { source: "registry/empty.yaml", content: null },
      { source: PAYMENTS, content: { workload: { ledger: { audiences: ["x"] } } } },
    ]);
    assert.deepEqual(
      issues.map((i) => i.key),
      ["registry/empty.yaml", `${PAYMENTS}: workload`],
    );
    assert.match(issues[0]!.message, /is empty, but a registry file must be a map with workloads: and\/or workflows:/);
    assert.match(issues[1]!.message, /did you mean 'workloads'\?/);
  });

  it("passes on the problems of files that could not be read, keyed by file", () => {
    const { raw } = withRegistry([]);
    const issues = issuesOf(() =>
      validateStackConfig(raw, {
        ...OPTIONS,
        registry: { documents: [], problems: [{ key: "registry/x.yaml", message: "is not valid YAML or JSON: …" }] },
      }),
    );
    assert.deepEqual(
      issues.map((i) => i.key),
      ["registry/x.yaml"],
    );
  });

  it("lets the files hold every workload; with none anywhere, workloads is missing", () => {
    const only = withKey("workloads", undefined);
    const { raw, options } = withRegistry(
      [{ source: PAYMENTS, content: { workloads: { ledger: { audiences: ["x"] } } } }],
      only,
    );
    assert.deepEqual(
      validateStackConfig(raw, options).workloads.map((w) => w.name),
      ["ledger"],
    );
    const none = issuesWith([{ source: PAYMENTS, content: { workflows: {} } }], only);
    assert.deepEqual(
      none.map((i) => i.key),
      [`${PROJECT}:workloads`],
    );
    assert.match(
      none[0]!.message,
      /is missing; add at least one workload.*in the stack config or in the registry files \(registry\/\)/,
    );
  });

  it("refuses a registry key the loader was given no files for, and an absolute path", () => {
    const unread = issuesOf(() => validateStackConfig({ ...happyRaw(), [REGISTRY_KEY]: "registry/" }, OPTIONS));
    assert.deepEqual(
      unread.map((i) => i.key),
      [REGISTRY_KEY],
    );
    assert.match(unread[0]!.message, /names registry files \(registry\/\), but this loader reads no files/);
    const absolute = issuesOf(() => validateStackConfig({ ...happyRaw(), [REGISTRY_KEY]: "/etc/registry" }, OPTIONS));
    assert.match(absolute[0]!.message, /an absolute path; write it relative to the project directory/);
    // With the registry key refused and no workloads anywhere, workloads is missing, without an empty file list.
    const bare = issuesOf(() =>
      validateStackConfig({ ...withKey("workloads", undefined), [REGISTRY_KEY]: "/etc/registry" }, OPTIONS),
    );
    const workloads = bare.find((i) => i.key === `${PROJECT}:workloads`);
    assert.match(workloads?.message ?? "", /in the stack config or in the registry files$/);
    assert.doesNotThrow(
      () => validateStackConfig({ ...happyRaw(), [REGISTRY_KEY]: "" }, OPTIONS),
      "'' (Pulumi.yaml's default) means none",
    );
  });
});

describe("registry files on disk (readRegistryFiles, loadStackConfigFile)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-registry-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  }

  it("reads a folder's YAML and JSON files, sub-folders included, in path order, skipping others", () => {
    write({
      "registry/b.yaml": "workloads:\n  ledger:\n    audiences: [sts.amazonaws.com]\n",
      "registry/a.json": JSON.stringify({ workloads: { api: { audiences: ["x"] } } }),
      "registry/teams/c.yml": "workflows: {}\n",
      "registry/README.md": "# not a registry file\n",
      "registry/.hidden.yaml": "nope: true\n",
    });
    const read = readRegistryFiles(dir, "registry");
    assert.deepEqual(read.problems, []);
    assert.deepEqual(
      read.documents.map((d) => d.source),
      ["registry/a.json", "registry/b.yaml", "registry/teams/c.yml"],
    );
    assert.deepEqual(read.documents[1]!.content, { workloads: { ledger: { audiences: ["sts.amazonaws.com"] } } });
  });

  it("keys unreadable, missing and duplicate-key files by their path", () => {
    write({
      "registry/bad.yaml": "workloads:\n  ledger: [\n",
      "registry/twice.yaml": "workloads: {}\nworkloads: {}\n",
    });
    const read = readRegistryFiles(dir, "registry");
    assert.deepEqual(
      read.problems.map((p) => p.key),
      ["registry/bad.yaml", "registry/twice.yaml"],
    );
    assert.ok(read.problems.every((p) => /is not valid YAML or JSON/.test(p.message)));
    const missing = readRegistryFiles(dir, "nowhere.yaml");
    assert.deepEqual(
      missing.problems.map((p) => p.key),
      ["nowhere.yaml"],
    );
    assert.match(missing.problems[0]!.message, /does not exist; create nowhere\.yaml/);
  });

  /** Pulumi.yaml and Pulumi.test.yaml in `dir`, the stack naming the registry folder, and its one file. */
  function writeStackWithRegistry(payments: string): void {
    write({
      "Pulumi.yaml": "name: worker-identity\nruntime: nodejs\n",
      "Pulumi.test.yaml":
        `config:\n  worker-identity:accountId: ${ACCOUNT_ID}\n  worker-identity:issuerHostname: id.example.dev\n` +
        "  worker-identity:registry: registry\n",
      "registry/payments.yaml": payments,
    });
  }

  it("loads a stack whose workloads live in a registry folder beside Pulumi.yaml, as npm start and the CLI do", () => {
    writeStackWithRegistry(
      "workloads:\n  ledger:\n    audiences: [sts.amazonaws.com]\n  billing:\n    audiences: ['bad aud']\n",
    );
    const map = readStackConfigMap(join(dir, "Pulumi.test.yaml"));
    assert.equal(map.registry?.documents.length, 1);
    const issues = issuesOf(() => loadStackConfigFile(join(dir, "Pulumi.test.yaml")));
    assert.deepEqual(
      issues.map((i) => i.key),
      ["registry/payments.yaml: workloads.billing.audiences[0]"],
    );
    writeFileSync(join(dir, "registry/payments.yaml"), "workloads:\n  ledger:\n    audiences: [sts.amazonaws.com]\n");
    assert.deepEqual(
      loadStackConfigFile(join(dir, "Pulumi.test.yaml")).workloads.map((w) => w.name),
      ["ledger"],
    );
  });

  it("runs the registry's workloads in the local stack (npm start passes readStackConfigMap's registry on)", async function () {
    this.timeout(60_000);
    writeStackWithRegistry("workloads:\n  ledger:\n    audiences: [sts.amazonaws.com]\n");
    const map = readStackConfigMap(join(dir, "Pulumi.test.yaml"));
    const { config, options } = await localStack({
      project: map.project,
      stack: map.stack,
      config: map.config,
      issuerUrl: "http://127.0.0.1:8787",
      ...(map.registry === undefined ? {} : { registry: map.registry }),
    });
    assert.deepEqual(
      config.workloads.map((w) => w.name),
      ["ledger"],
    );
    const workers: readonly WorkerOptions[] = "workers" in options ? options.workers : [];
    assert.ok(
      workers.some((worker) => worker.name === "ledger"),
      "the example workload Worker runs",
    );
  });
});
