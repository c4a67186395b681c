// Pulumi.yaml declares the stack keys for Pulumi, which applies their defaults before the
// program runs; the validator applies its own for the local stack. They must agree.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import * as limits from "../../worker/config/limits.js";
import { STACK_CONFIG_KEYS, validateStackConfig } from "../../worker/config/validate.js";
import { SOURCE_CONDITION_FLAG } from "../support/run-tsx.js";

interface Declaration {
  type: string;
  description?: string;
  default?: unknown;
}

const project = parse(readFileSync(resolve(import.meta.dirname, "../../Pulumi.yaml"), "utf8")) as {
  name: string;
  main: string;
  runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
  config: Record<string, Declaration>;
};

describe("Pulumi.yaml", () => {
  it("names the project and the program", () => {
    assert.equal(project.name, "worker-identity");
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.main, "infra/index.ts");
    assert.ok(existsSync(resolve(import.meta.dirname, "../..", project.main)), `${project.main} does not exist`);
  });

  it("runs the TypeScript ESM program through tsx, with the workspace packages read from their sources", () => {
    assert.equal(project.runtime.options.typescript, false);
    assert.deepEqual(project.runtime.options.nodeargs.split(" "), ["--import", "tsx", SOURCE_CONDITION_FLAG]);
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    assert.ok(
      pkg.dependencies.tsx,
      "tsx must be a dependency, not a devDependency: `pulumi up` installs production deps",
    );
    assert.ok(pkg.dependencies.esbuild, "the program bundles the issuer with esbuild at `pulumi up`");
    assert.ok(pkg.dependencies.yaml, "the program reads the registry files (YAML) at `pulumi up`");
  });

  it("declares every stack key except the maps (workloads, aws, gcp), which Pulumi's declared types cannot express", () => {
    const maps = [
      "workloads",
      "aws",
      "gcp",
      "azure",
      "vault",
      "workflows",
      "mtls",
      "edgeMiddleware",
      "access",
      "keyEncryptionKey",
    ];
    assert.deepEqual(Object.keys(project.config).sort(), STACK_CONFIG_KEYS.filter((k) => !maps.includes(k)).sort());
    for (const [name, declaration] of Object.entries(project.config)) {
      assert.ok(
        ["string", "integer", "boolean", "array"].includes(declaration.type),
        `${name}: type ${declaration.type}`,
      );
      assert.ok((declaration.description ?? "").length > 10, `${name} has no description`);
    }
  });

  it("documents each undeclared map key in its comments", () => {
    const text = readFileSync(resolve(import.meta.dirname, "../../Pulumi.yaml"), "utf8");
    const comments = text
      .split("\n")
      .filter((line) => line.trimStart().startsWith("#"))
      .join("\n");
    for (const name of [
      "workloads",
      "aws",
      "gcp",
      "azure",
      "vault",
      "workflows",
      "mtls",
      "edgeMiddleware",
      "keyEncryptionKey",
    ])
      assert.match(comments, new RegExp(`^#\\s+${name}\\s`, "m"), name);
  });

  it("declares the validator's defaults", () => {
    const defaults = Object.fromEntries(Object.entries(project.config).map(([name, d]) => [name, d.default]));
    assert.deepEqual(defaults, {
      accountId: undefined,
      environment: "",
      issuerHostname: "",
      workersDevSubdomain: "",
      issuerScriptName: limits.DEFAULT_ISSUER_SCRIPT_NAME,
      signingAlgorithm: limits.DEFAULT_SIGNING_ALGORITHM,
      rotationPeriodDays: limits.DEFAULT_ROTATION_PERIOD_DAYS,
      tokenLifetimeSeconds: limits.DEFAULT_TOKEN_LIFETIME_SECONDS,
      maxTokenLifetimeSeconds: limits.DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
      clockSkewSeconds: limits.DEFAULT_CLOCK_SKEW_SECONDS,
      maxInstanceIdLength: limits.DEFAULT_MAX_INSTANCE_ID_LENGTH,
      introspectionClients: [],
      registry: "",
    });
  });

  it("resolves a stack the same with Pulumi's defaults applied as without them", () => {
    const minimal = {
      "worker-identity:accountId": "0123456789abcdef0123456789abcdef",
      "worker-identity:workersDevSubdomain": "acme",
      "worker-identity:workloads": { billing: { audiences: ["sts.amazonaws.com"] } },
    };
    const applied: Record<string, unknown> = { ...minimal };
    for (const [name, declaration] of Object.entries(project.config)) {
      const key = `worker-identity:${name}`;
      // Pulumi passes plain values to programs as strings.
      if (!(key in applied) && declaration.default !== undefined) applied[key] = String(declaration.default);
    }
    const options = { project: "worker-identity", stack: "dev" };
    assert.deepEqual(validateStackConfig(applied, options), validateStackConfig(minimal, options));
  });
});
