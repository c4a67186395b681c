// `wid trust anthropic|openai <workload>`: the console trust the program outputs, printed from
// Pulumi.<stack>.yaml offline; its --json is the console-trust document itself, its text holds
// the curl commands; unknown workloads, workloads without the section and broken stacks fail
// with exit 1 (and a code under --json), a missing argument is a usage error (exit 2).

import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { run } from "../../worker/cli/main.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { anthropicConsoleTrust } from "../../worker/console-trust/anthropic.js";
import { openaiConsoleTrust } from "../../worker/console-trust/openai.js";
import { dev } from "../support/dev-stack.js";
import { REPO_ROOT } from "../support/run-tsx.js";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("wid trust", () => {
  let dir: string;
  const config = validateStackConfig(dev.config, { project: "worker-identity", stack: "dev" });
  const named = (name: string) => config.workloads.find((w) => w.name === name)!;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-trust-"));
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml"]) copyFileSync(resolve(REPO_ROOT, file), join(dir, file));
    const stack = parse(readFileSync(resolve(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const workloads = structuredClone(stack.config["worker-identity:workloads"]) as Record<
      string,
      Record<string, unknown>
    >;
    (workloads["support-agent"]!.anthropic as Record<string, unknown>).federationRuleId = "rule-1";
    writeFileSync(
      join(dir, "Pulumi.broken.yaml"),
      stringify({ config: { ...stack.config, "worker-identity:workloads": workloads } }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function wid(...argv: string[]): Promise<Ran> {
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
      cwd: dir,
    });
    return { code, stdout, stderr };
  }

  it("trust anthropic --json prints the program's anthropic output for the workload", async () => {
    const ran = await wid("trust", "anthropic", "support-agent", "--json");
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(JSON.parse(ran.stdout), anthropicConsoleTrust(config.issuer, named("support-agent"), "dev"));
    assert.equal(ran.stderr, "");
  });

  it("trust openai --json prints the program's openai output for the workload", async () => {
    const ran = await wid("trust", "openai", "search-indexer", "--stack", "dev", "--json");
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(JSON.parse(ran.stdout), openaiConsoleTrust(config.issuer, named("search-indexer"), "dev"));
  });

  it("the text names the trust and holds every curl command, and the placeholders to set", async () => {
    const ran = await wid("trust", "anthropic", "support-agent");
    assert.equal(ran.code, 0);
    const trust = anthropicConsoleTrust(config.issuer, named("support-agent"), "dev")!;
    assert.match(
      ran.stdout,
      /sub worker\/0123456789abcdef0123456789abcdef\/support-agent and aud https:\/\/api\.anthropic\.com/,
    );
    for (const call of trust.calls) assert.ok(ran.stdout.includes(call.curl), call.title);
    assert.match(ran.stdout, /ANTHROPIC_FEDERATION_ISSUER_ID: the id \(fdis_\.\.\.\)/);
    const openai = await wid("trust", "openai", "search-indexer");
    assert.match(
      openai.stdout,
      /\/v1\/organization\/workload_identity_providers\/wip_01HZX3P5R7T9V1X3Z5B7D9F1H3\/federation_rules/,
    );
  });

  it("an unknown workload: exit 1, the stack's workloads listed", async () => {
    const ran = await wid("trust", "anthropic", "support-agnet");
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /no workload 'support-agnet' \(its workloads: .*support-agent/);
    const json = await wid("trust", "anthropic", "support-agnet", "--json");
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, "unknown_workload");
  });

  it("a workload without the section: exit 1, the section to add and the workloads that have one", async () => {
    const ran = await wid("trust", "openai", "support-agent", "--json");
    assert.equal(ran.code, 1);
    const { error } = JSON.parse(ran.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, "no_section");
    assert.match(error.message, /add openai: \{identityProviderId.*workloads with one: search-indexer/);
  });

  it("a broken stack: exit 1 with the validator's problem; a missing one: exit 1", async () => {
    const broken = await wid("trust", "anthropic", "support-agent", "--stack", "broken");
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /not a valid stack config.*\n.*federationRuleId.*fdrl_/s);
    const missing = await wid("trust", "anthropic", "support-agent", "--stack", "staging", "--json");
    assert.equal(missing.code, 1);
    assert.match(
      (JSON.parse(missing.stdout) as { error: { message: string } }).error.message,
      /Pulumi\.staging\.yaml does not exist/,
    );
  });

  it("usage: no party, an unknown party, no workload, an extra argument: exit 2", async () => {
    for (const argv of [["trust"], ["trust", "gemini", "x"], ["trust", "openai"], ["trust", "openai", "a", "b"]]) {
      const ran = await wid(...argv);
      assert.equal(ran.code, 2, argv.join(" "));
      assert.match(ran.stderr, /usage: wid trust/);
    }
  });

  it("help: wid --help lists both, wid trust --help and wid trust openai --help describe them", async () => {
    const overview = await wid("--help");
    assert.match(overview.stdout, /^ {2}trust anthropic +\S/m);
    assert.match(overview.stdout, /^ {2}trust openai +\S/m);
    assert.match((await wid("trust", "--help")).stdout, /wid trust openai <workload>/);
    assert.match((await wid("trust", "openai", "--help")).stdout, /--stack <name\|path>/);
  });
});
