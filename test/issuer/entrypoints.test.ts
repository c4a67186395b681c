import assert from "node:assert/strict";
import { transform } from "esbuild";
import { entrypointsModuleSource } from "../../worker/build/entrypoints.js";

const ISSUER_PATH = "./worker/issuer/index.ts";

/** A stand-in for the issuer module, importable without a bundler. */
const FAKE_ISSUER_URL = `data:text/javascript,${encodeURIComponent(
  "export class Issuer {}\nexport class KeyStore {}\nexport const marker = 'issuer';\nexport default { fetch() {} };\n",
)}`;

interface EntrypointClass {
  readonly workload: unknown;
  readonly name: string;
}

/** Evaluates generated source against the stand-in issuer module. */
async function evaluate(source: string): Promise<Record<string, unknown>> {
  const url = `data:text/javascript,${encodeURIComponent(source)}`;
  return (await import(url)) as Record<string, unknown>;
}

async function compiles(source: string): Promise<void> {
  const result = await transform(source, { loader: "ts", format: "esm" });
  assert.deepEqual(result.warnings, []);
}

function classPattern(className: string, workloadName: string): RegExp {
  const literal = JSON.stringify(workloadName).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^export class ${className} extends Issuer \\{\\n  static workload = ${literal};\\n\\}$`, "m");
}

const WORKLOADS = [
  { name: "billing", entrypoint: "Workload_billing" },
  { name: "reports-exporter", entrypoint: "Workload_reports_exporter" },
  { name: "ledger-sync", entrypoint: "Workload_ledger_sync" },
];

describe("entrypointsModuleSource", () => {
  it("re-exports the issuer module, its default export, and imports Issuer from it", () => {
    const source = entrypointsModuleSource(WORKLOADS, ISSUER_PATH);
    const lines = source.split("\n");
    assert.equal(lines[0], 'export * from "./worker/issuer/index.ts";');
    assert.equal(lines[1], 'export { default } from "./worker/issuer/index.ts";');
    assert.equal(lines[2], 'import { Issuer } from "./worker/issuer/index.ts";');
    assert.ok(source.endsWith("}\n"));
  });

  it("declares one class per workload extending Issuer with the workload's name", () => {
    const source = entrypointsModuleSource(WORKLOADS, ISSUER_PATH);
    for (const { name, entrypoint } of WORKLOADS) assert.match(source, classPattern(entrypoint, name));
    assert.equal(source.match(/^export class /gm)?.length, 3);
  });

  it("compiles with esbuild's TypeScript loader", async () => {
    await compiles(entrypointsModuleSource(WORKLOADS, ISSUER_PATH));
  });

  it("evaluates to exports whose classes extend Issuer and name their workload", async () => {
    const module = await evaluate(entrypointsModuleSource(WORKLOADS, FAKE_ISSUER_URL));
    const Issuer = module.Issuer;
    assert.equal(typeof Issuer, "function");
    for (const { name, entrypoint } of WORKLOADS) {
      const cls = module[entrypoint] as EntrypointClass;
      assert.equal(typeof cls, "function", entrypoint);
      assert.equal(Object.getPrototypeOf(cls), Issuer, `${entrypoint} extends Issuer`);
      assert.equal(cls.workload, name);
    }
    assert.equal(module.marker, "issuer", "export * passes the issuer's exports through");
    assert.equal(typeof module.KeyStore, "function");
    assert.ok(module.default !== undefined, "the issuer's default export is re-exported");
  });

  it("with no workloads, still re-exports the issuer and declares no class", async () => {
    const source = entrypointsModuleSource([], ISSUER_PATH);
    assert.doesNotMatch(source, /class/);
    await compiles(source);
  });

  it("refuses a class name that is not a JavaScript identifier", () => {
    for (const entrypoint of ["Workload-billing", "1Workload", "", "Workload billing", "A;B", "X{}", "Wörkload"]) {
      assert.throws(
        () => entrypointsModuleSource([{ name: "billing", entrypoint }], ISSUER_PATH),
        (error: unknown) =>
          error instanceof Error &&
          error.message.includes(JSON.stringify(entrypoint)) &&
          /not a usable class name/.test(error.message),
        JSON.stringify(entrypoint),
      );
    }
  });

  it("refuses JavaScript reserved words, which no class can be named", () => {
    for (const entrypoint of ["class", "await", "enum", "let", "static", "yield", "implements", "eval", "arguments"]) {
      assert.throws(
        () => entrypointsModuleSource([{ name: "billing", entrypoint }], ISSUER_PATH),
        /not a usable class name/,
        entrypoint,
      );
    }
  });

  it("refuses the reserved export names default, Issuer and KeyStore", () => {
    for (const entrypoint of ["default", "Issuer", "KeyStore"]) {
      assert.throws(
        () => entrypointsModuleSource([{ name: "billing", entrypoint }], ISSUER_PATH),
        /not a usable class name/,
        entrypoint,
      );
    }
  });

  it("refuses two workloads sharing a class name, naming the class", () => {
    assert.throws(
      () =>
        entrypointsModuleSource(
          [
            { name: "a-b", entrypoint: "Workload_a_b" },
            { name: "a_b", entrypoint: "Workload_a_b" },
          ],
          ISSUER_PATH,
        ),
      /two workloads share the entrypoint class Workload_a_b; rename one of them/,
    );
  });

  it("JSON-escapes a workload name so a quote or backslash cannot leave the string literal", async () => {
    const hostile = [
      { name: 'evil"; static workload = "billing', entrypoint: "Workload_quote" },
      { name: "back\\slash\\", entrypoint: "Workload_backslash" },
      { name: "line\nbreak\u2028sep", entrypoint: "Workload_newline" },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile name that carries a literal template
      { name: "</script>`${x}`", entrypoint: "Workload_template" },
    ];
    const source = entrypointsModuleSource(hostile, ISSUER_PATH);
    for (const { name, entrypoint } of hostile) assert.match(source, classPattern(entrypoint, name));
    assert.equal(source.match(/^ {2}static workload = /gm)?.length, hostile.length);
    await compiles(source);
    const module = await evaluate(entrypointsModuleSource(hostile, FAKE_ISSUER_URL));
    for (const { name, entrypoint } of hostile) assert.equal((module[entrypoint] as EntrypointClass).workload, name);
  });

  it("JSON-escapes the issuer module path", async () => {
    const source = entrypointsModuleSource(WORKLOADS, './odd "path"\\index.ts');
    assert.ok(source.startsWith('export * from "./odd \\"path\\"\\\\index.ts";\n'));
    await compiles(source);
  });
});
