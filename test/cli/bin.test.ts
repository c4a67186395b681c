// worker/cli/bin/wid.js, the package's `bin`: run by plain Node from any directory, it runs the
// TypeScript source through tsx where the source is (a checkout, even one with a built dist/) and
// the bundle ../dist/main.js where it is not (an installed package), and exits with run()'s code.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { type Finished, finished, REPO_ROOT } from "../support/run-tsx.js";

const BIN = resolve(REPO_ROOT, "worker/cli/bin/wid.js");

/** `node <bin> <args>` in `cwd`, as a shell runs the bin (no tsx, no conditions of the test's own). */
function node(bin: string, args: string[], cwd: string): Promise<Finished> {
  const env = { ...process.env, NODE_OPTIONS: "", WID_ISSUER: "" };
  return finished(spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
}

describe("bin/wid.js", function () {
  this.timeout(60_000);
  let elsewhere: string;

  before(() => {
    elsewhere = mkdtempSync(join(tmpdir(), "wid-bin-"));
  });
  after(() => rmSync(elsewhere, { recursive: true, force: true }));

  it("is an executable Node script, committed with its executable bit", () => {
    assert.equal(readFileSync(BIN, "utf8").split("\n")[0], "#!/usr/bin/env node");
    assert.equal(statSync(BIN).mode & 0o111, 0o111);
    const staged = execFileSync("git", ["ls-files", "--stage", "--", relative(REPO_ROOT, BIN)], { cwd: REPO_ROOT });
    assert.match(staged.toString(), /^100755 /);
  });

  it("in a checkout, runs the source through tsx from any directory, never a built bundle, with run()'s exit code", async () => {
    // The checkout's layout: the bin beside the source's main.ts, tsx from the repository's
    // node_modules, and a stale built dist/ that must not run (it would exit 42).
    const checkout = join(elsewhere, "checkout");
    mkdirSync(join(checkout, "bin"), { recursive: true });
    mkdirSync(join(checkout, "dist"), { recursive: true });
    writeFileSync(join(checkout, "dist", "main.js"), "export const run = async () => 42;\n");
    copyFileSync(BIN, join(checkout, "bin", "wid.js"));
    symlinkSync(resolve(REPO_ROOT, "worker/cli/main.ts"), join(checkout, "main.ts"));
    symlinkSync(resolve(REPO_ROOT, "node_modules"), join(checkout, "node_modules"));
    writeFileSync(join(checkout, "package.json"), JSON.stringify({ type: "module" }));
    const bin = join(checkout, "bin", "wid.js");

    const help = await node(bin, ["--help"], elsewhere);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: wid <command> \[options\]/m);
    const valid = await node(bin, ["validate", "--stack", resolve(REPO_ROOT, "Pulumi.dev.yaml"), "--json"], elsewhere);
    assert.equal(valid.code, 0, valid.stderr);
    assert.equal((JSON.parse(valid.stdout) as { valid: boolean }).valid, true);
    const none = await node(bin, ["keys", "list"], elsewhere);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, new RegExp(`no local stack is recorded in ${join(elsewhere, ".wid", "running.json")}`));
    const usage = await node(bin, ["keys", "list", "--colour"], elsewhere);
    assert.equal(usage.code, 2);
    // The source's version lookup: worker/cli/package.json, beside main.ts.
    const { version } = JSON.parse(readFileSync(resolve(REPO_ROOT, "worker/cli/package.json"), "utf8")) as {
      version: string;
    };
    assert.deepEqual(await node(bin, ["--version"], elsewhere), { code: 0, stdout: `${version}\n`, stderr: "" });
    // The repository's own bin, whichever it runs (a built dist/ or the source), answers too.
    const real = await node(BIN, ["--help"], elsewhere);
    assert.equal(real.code, 0, real.stderr);
  });

  it("in an installed package, runs the bundle dist/main.js, which reads the package's version beside it", async () => {
    const pkg = join(elsewhere, "node_modules", "@worker-identity", "cli");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    copyFileSync(BIN, join(pkg, "bin", "wid.js"));
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({ name: "@worker-identity/cli", version: "9.8.7-bundle", type: "module" }),
    );
    const bundled = await build({
      entryPoints: [resolve(REPO_ROOT, "worker/cli/main.ts")],
      outfile: join(pkg, "dist", "main.js"),
      bundle: true,
      platform: "node",
      format: "esm",
      conditions: ["@worker-identity/source"],
      // yaml's CommonJS build inside an ES module bundle needs a require of its own.
      banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(bundled.metafile.inputs);
    assert.ok(!inputs.some((input) => input.includes("miniflare")), "the CLI's bundle holds no Miniflare");
    assert.ok(!inputs.some((input) => input.endsWith("worker/local/start.ts")));

    const version = await node(join(pkg, "bin", "wid.js"), ["--version"], elsewhere);
    assert.deepEqual(version, { code: 0, stdout: "9.8.7-bundle\n", stderr: "" });
    const invalid = await node(
      join(pkg, "bin", "wid.js"),
      ["validate", "--stack", join(elsewhere, "Pulumi.none.yaml")],
      elsewhere,
    );
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /Pulumi\.none\.yaml does not exist/);
  });

  it("reports a bundle that fails to load instead of falling back to the source", async () => {
    const pkg = join(elsewhere, "broken");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    mkdirSync(join(pkg, "dist"), { recursive: true });
    copyFileSync(BIN, join(pkg, "bin", "wid.js"));
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(pkg, "dist", "main.js"),
      'import "@worker-identity/not-installed";\nexport const run = async () => 0;\n',
    );
    const broken = await node(join(pkg, "bin", "wid.js"), ["--version"], elsewhere);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /Cannot find package '@worker-identity\/not-installed'/);
  });
});
