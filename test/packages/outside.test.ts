// The packages as another repository gets them: each one built and packed with `npm pack`, the
// tarballs installed into an empty project in a temporary folder, and there imported by plain Node,
// bundled into a Worker the way wrangler bundles (esbuild, ESM, the workerd conditions) and run in
// workerd against the issuer, and type-checked with @cloudflare/workers-types and with lib DOM
// (skipLibCheck off, so the packages' declarations are checked too). Nothing of the repository's
// source tree is reachable from that project; only the tarballs and what npm installs for them.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { buildPackage, manifestOf, PACKAGES, withWorkspaceDependencies } from "../../worker/build/packages.js";
import { localStack } from "../../worker/local/stack.js";
import type { ConsumerReport } from "../fixtures/consumer/worker.js";
import { freePort } from "../support/free-port.js";
import { REPO_ROOT } from "../support/run-tsx.js";
import { ACCOUNT_ID, API_AUDIENCE, testStackInput } from "../support/stack-fixture.js";

const run = promisify(execFile);
const CONSUMER = resolve(REPO_ROOT, "test/fixtures/consumer");
const LIBRARIES = ["@worker-identity/sdk", "@worker-identity/verifier", "@worker-identity/middleware"];
/** The SDK and the verifier with their dependencies, installed. */
const SIZE_BUDGET_BYTES = 1024 * 1024;

interface PackResult {
  readonly name: string;
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
  readonly bundled: readonly string[];
}

function bytesIn(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, entry) => total + bytesIn(join(path, entry)), 0);
}

describe("the packages, packed and installed into an empty project", function () {
  this.timeout(240_000);
  let project: string;
  const packed = new Map<string, PackResult>();

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "wid-consumer-"));
    for (const pkg of PACKAGES) await buildPackage(pkg);
    for (const pkg of PACKAGES) {
      // --ignore-scripts: the prepack build just ran; the tarball holds what `files` allows.
      const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], {
        cwd: resolve(REPO_ROOT, pkg.folder),
      });
      const [result] = JSON.parse(stdout) as PackResult[];
      assert.ok(result, `npm pack printed no result for ${pkg.name}`);
      packed.set(pkg.name, result);
    }
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    const tarballs = [...packed.values()].map((result) => `./${result.filename}`);
    // The cache npm ci filled holds every dependency: no registry round trip is needed.
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", ...tarballs], {
      cwd: project,
    });
    cpSync(CONSUMER, join(project, "src"), { recursive: true });
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it("packs built JavaScript, declarations, README and LICENSE, and no TypeScript source or test", () => {
    for (const pkg of PACKAGES) {
      const result = packed.get(pkg.name);
      assert.ok(result);
      const files = result.files.map((file) => file.path);
      for (const required of ["package.json", "README.md", "LICENSE", pkg.bundle]) {
        assert.ok(files.includes(required), `${pkg.name} lacks ${required}: ${files.join(", ")}`);
      }
      const sources = files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
      assert.deepEqual(sources, [], `${pkg.name} ships TypeScript sources`);
      assert.ok(!files.some((file) => /test|infra|pulumi/i.test(file)), `${pkg.name} ships ${files.join(", ")}`);
      if (pkg.declarations)
        assert.ok(
          files.some((file) => file.endsWith("/index.d.ts")),
          `${pkg.name} has no types`,
        );
    }
  });

  it("installs nothing of the Pulumi tree, and each package only what its manifest declares", () => {
    const installed = readdirSync(join(project, "node_modules")).flatMap((entry) =>
      entry.startsWith("@")
        ? readdirSync(join(project, "node_modules", entry)).map((name) => `${entry}/${name}`)
        : [entry],
    );
    assert.ok(
      !installed.some((name) => name.startsWith("@pulumi") || name.startsWith("@pulumiverse")),
      installed.join(),
    );
    const declared = new Set(PACKAGES.flatMap((pkg) => [pkg.name, ...Object.keys(manifestOf(pkg).dependencies ?? {})]));
    // yaml and jose bring no dependencies of their own; aws4fetch none either.
    const extra = installed.filter((name) => !name.startsWith(".") && !declared.has(name));
    assert.deepEqual(extra, [], "installed beyond the declared dependencies");
  });

  it("keeps the SDK and the verifier with their dependencies under 1 MB installed, and reports every size", () => {
    const size = (name: string) => bytesIn(join(project, "node_modules", name));
    const sdkAndVerifier = ["@worker-identity/sdk", "aws4fetch", "@worker-identity/verifier", "jose"];
    const total = sdkAndVerifier.reduce((sum, name) => sum + size(name), 0);
    const rows = [...packed.values()].map(
      (result) => `${result.name} ${result.size} B packed, ${result.unpackedSize} B unpacked`,
    );
    console.log(`      ${rows.join("\n      ")}\n      installed, SDK + verifier with aws4fetch and jose: ${total} B`);
    assert.ok(total < SIZE_BUDGET_BYTES, `${total} bytes installed, over the ${SIZE_BUDGET_BYTES}-byte budget`);
  });

  it("type-checks consumer code with @cloudflare/workers-types and with lib DOM, declarations included", async () => {
    mkdirSync(join(project, "node_modules/@cloudflare"), { recursive: true });
    symlinkSync(
      resolve(REPO_ROOT, "node_modules/@cloudflare/workers-types"),
      join(project, "node_modules/@cloudflare/workers-types"),
      "dir",
    );
    const base = {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      noEmit: true,
    };
    const configs = {
      "tsconfig.workers.json": { ...base, lib: ["ES2022"], types: ["@cloudflare/workers-types"] },
      "tsconfig.dom.json": { ...base, lib: ["ES2022", "DOM"], types: [] },
    };
    const tsc = resolve(REPO_ROOT, "node_modules/typescript/bin/tsc");
    for (const [file, compilerOptions] of Object.entries(configs)) {
      writeFileSync(join(project, file), JSON.stringify({ compilerOptions, files: ["src/worker.ts"] }, null, 2));
      const outcome = await run(process.execPath, [tsc, "-p", file], { cwd: project }).then(
        () => "",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      assert.equal(outcome, "", `${file}: ${outcome}`);
    }
    // The check can fail: a consumer's type error in the same project is reported.
    writeFileSync(join(project, "src/wrong.ts"), 'import { identity } from "@worker-identity/sdk";\nidentity(42);\n');
    writeFileSync(
      join(project, "tsconfig.wrong.json"),
      JSON.stringify({ compilerOptions: configs["tsconfig.dom.json"], files: ["src/wrong.ts"] }),
    );
    await assert.rejects(run(process.execPath, [tsc, "-p", "tsconfig.wrong.json"], { cwd: project }));
  });

  describe("against the issuer in workerd", () => {
    let mf: Miniflare;
    let issuerUrl: string;

    before(async () => {
      issuerUrl = `http://127.0.0.1:${await freePort()}`;
      const bundled = await build({
        // wrangler's bundling of a Worker: one ES module, the workerd conditions, cloudflare:* external.
        entryPoints: [join(project, "src/worker.ts")],
        absWorkingDir: project,
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        conditions: ["workerd", "worker", "browser"],
        mainFields: ["browser", "module", "main"],
        external: ["cloudflare:*"],
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(bundled.metafile.inputs);
      assert.ok(
        inputs.every((input) => !input.includes("worker/sdk/") && !input.startsWith("..")),
        `the bundle read outside the consumer project: ${inputs.filter((input) => input.startsWith(".."))}`,
      );
      const first = await localStack(testStackInput(issuerUrl));
      const issuer = first.config.issuer.scriptName;
      const stack = await localStack(
        testStackInput(issuerUrl, {
          extraWorkers: [
            {
              name: "consumer",
              modules: [{ type: "ESModule", path: "worker.js", contents: bundled.outputFiles[0]?.text ?? "" }],
              compatibilityDate: COMPATIBILITY_DATE,
              bindings: { ISSUER_URL: issuerUrl, AUDIENCE: API_AUDIENCE },
              // What the stack's wrangler snippet gives the workload: the issuer bound with its identity.
              serviceBindings: {
                ISSUER: { name: issuer, entrypoint: "Issuer", props: { workload: "edge-api" } },
                ISSUER_HTTP: { name: issuer },
              },
              routes: ["*/__consumer/*"],
            },
          ],
        }),
      );
      mf = new Miniflare({
        ...stack.options,
        handleRuntimeStdio: (out: Readable, err: Readable) => (out.resume(), err.resume()),
      });
      await mf.ready;
    });
    after(() => mf?.dispose());

    it("gets its token through the SDK, verifies it and passes the middleware, from the installed packages", async () => {
      const response = await mf.dispatchFetch(`${issuerUrl}/__consumer/run`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      const report = JSON.parse(text) as ConsumerReport;
      const subject = `worker/${ACCOUNT_ID}/edge-api`;
      assert.equal(report.subject, subject);
      assert.equal(report.workload, "edge-api");
      assert.equal(report.refusedAudience, "ERR_AUDIENCE_NOT_ALLOWED");
      assert.equal(report.wrongAudience, "ERR_TOKEN_AUDIENCE");
      assert.ok(Object.values(report.forwarded).includes(subject), JSON.stringify(report.forwarded));
      assert.equal(report.anonymousStatus, 401);
    });

    it("runs in plain Node: the verifier over HTTP, the SDK with an object binding, typed option errors", async () => {
      const issued = await mf.dispatchFetch(`${issuerUrl}/__consumer/token`);
      const { token, expiresAt } = (await issued.json()) as { token: string; expiresAt: number };
      const { stdout } = await run(process.execPath, ["src/node-consumer.mjs"], {
        cwd: project,
        env: {
          ...process.env,
          ISSUER_URL: issuerUrl,
          AUDIENCE: API_AUDIENCE,
          TOKEN: token,
          EXPIRES_AT: `${expiresAt}`,
        },
      });
      const report = JSON.parse(stdout) as Record<string, unknown>;
      assert.equal(report.subject, `worker/${ACCOUNT_ID}/edge-api`);
      assert.equal(report.sameToken, true);
      assert.equal(report.bindingCalls, 1, "the SDK's cache served the second token");
      assert.equal(report.optionsCode, "ERR_INVALID_OPTIONS");
      assert.match(String(report.rulesCode), /^ERR_/);
    });
  });

  it("runs wid from the installed CLI package: --version, --help and validate of a stack config", async () => {
    cpSync(resolve(REPO_ROOT, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
    cpSync(resolve(REPO_ROOT, "Pulumi.dev.yaml"), join(project, "Pulumi.dev.yaml"));
    const wid = (...args: string[]) =>
      run("npx", ["--no-install", "wid", ...args], { cwd: project }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? "" }),
      );
    const cli = PACKAGES.find((pkg) => pkg.name === "@worker-identity/cli");
    assert.ok(cli);
    const version = await wid("--version");
    assert.equal(version.code, 0);
    assert.ok(version.stdout.includes(manifestOf(cli).version), version.stdout);
    assert.equal((await wid("--help")).code, 0);
    const valid = await wid("validate", "--stack", "dev", "--json");
    assert.equal(valid.code, 0, valid.stdout);
    writeFileSync(join(project, "Pulumi.broken.yaml"), "config:\n  worker-identity:accountId: not-hex\n");
    const broken = await wid("validate", "--stack", "broken");
    assert.equal(broken.code, 1, broken.stdout);
    assert.equal((await wid("no-such-command")).code, 2);
  });

  it("declares each library's entry in an exports map with types first", () => {
    for (const name of LIBRARIES) {
      const manifest = JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")) as {
        exports: Record<string, Record<string, string>>;
      };
      const root = manifest.exports["."];
      assert.ok(root, `${name} has no "." export`);
      const conditions = Object.keys(root).filter((condition) => condition !== "@worker-identity/source");
      assert.deepEqual(conditions, ["types", "default"], `${name}: ${JSON.stringify(root)}`);
    }
  });
});

describe("npm pack -w in a checkout where nothing is built", function () {
  this.timeout(120_000);

  it("orders a package after the workspace packages it depends on", () => {
    const names = (name: string) => withWorkspaceDependencies(name).map((pkg) => pkg.name);
    assert.deepEqual(names("@worker-identity/middleware"), [
      "@worker-identity/verifier",
      "@worker-identity/middleware",
    ]);
    assert.deepEqual(names("@worker-identity/sdk"), ["@worker-identity/sdk"]);
    assert.deepEqual(names("@worker-identity/not-a-package"), []);
  });

  it("builds the middleware and the verifier it depends on through the middleware's prepack", async () => {
    for (const pkg of PACKAGES) rmSync(resolve(REPO_ROOT, pkg.folder, "dist"), { recursive: true, force: true });
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "-w", "@worker-identity/middleware"], {
      cwd: REPO_ROOT,
    });
    const [result] = JSON.parse(stdout.slice(stdout.indexOf("["))) as PackResult[];
    assert.ok(result);
    const files = result.files.map((file) => file.path);
    assert.ok(files.includes("dist/index.js") && files.includes("dist/types/middleware/index.d.ts"), files.join());
  });
});
