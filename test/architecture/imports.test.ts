// The import graph of worker/, infra/ and policies/, read from the sources (every static
// `import … from "…"`, `export … from "…"` and `import "…"`, type-only ones included: a type is a
// dependency too), and the layering it must keep:
//   - no cycle between the top-level folders of worker/ (a file directly in worker/ counts as a
//     folder of its own), apart from the file imports KNOWN_CYCLE_EDGES lists, each still to be cut;
//   - worker/ never imports the Pulumi program (infra/) or the policy pack (policies/);
//   - the config kernel (worker/config/) imports no package and, outside itself, only the pure
//     modules CONFIG_KERNEL_IMPORTS names; nothing it reaches imports node: or the middleware;
//   - the policy pack imports config only through the kernel's public entry, worker/config/index.ts.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT } from "../support/run-tsx.js";

interface Import {
  /** The importing file, relative to the repository root. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** The imported file, relative to the repository root, for a relative specifier. */
  readonly to: string | undefined;
}

const IMPORT = /^\s*(?:import|export)\s(?:[^;"'`]*?\sfrom\s+)?["']([^"']+)["']/gm;

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "dist") files.push(...sourceFiles(path));
    } else if (entry.name.endsWith(".ts")) {
      files.push(path);
    }
  }
  return files;
}

/** The repository file a relative specifier names (`./x.js` is the source `./x.ts`), if it exists. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const target = resolve(REPO_ROOT, dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, join(target, "index.ts")]) {
    if (existsSync(candidate) && candidate.endsWith(".ts")) return relative(REPO_ROOT, candidate).split("\\").join("/");
  }
  return undefined;
}

/** Each workspace package's name → its source entry (the "@worker-identity/source" export). */
const WORKSPACE_ENTRIES: ReadonlyMap<string, string> = new Map(
  (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { workspaces: string[] }).workspaces.map(
    (folder) => {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, folder, "package.json"), "utf8")) as {
        name: string;
        exports?: Record<string, Record<string, string>>;
      };
      const source = manifest.exports?.["."]?.["@worker-identity/source"] ?? "./main.ts";
      return [
        manifest.name,
        relative(REPO_ROOT, join(REPO_ROOT, folder, source))
          .split("\\")
          .join("/"),
      ];
    },
  ),
);

function importsOf(files: readonly string[]): Import[] {
  return files.flatMap((from) =>
    [...readFileSync(join(REPO_ROOT, from), "utf8").matchAll(IMPORT)].map(([, specifier = ""]) => ({
      from,
      specifier,
      to: specifier.startsWith(".") ? resolveSpecifier(from, specifier) : WORKSPACE_ENTRIES.get(specifier),
    })),
  );
}

/** `worker/<folder>` for a file in a folder of worker/, the file itself for one directly in worker/. */
function workerFolder(path: string): string {
  const [, folder, rest] = path.split("/");
  return rest === undefined ? path : `worker/${folder}`;
}

/**
 * File imports that close a cycle between worker/ folders today, each to be cut; the test fails
 * when one of them is gone, so the list only shrinks. Keyed "from -> to".
 */
// Empty: every cycle is cut. An edge may only be added with its reason and the way to cut it.
const KNOWN_CYCLE_EDGES: ReadonlyMap<string, string> = new Map<string, string>([]);

/** Pure modules outside worker/config/ that the config kernel may import. */
const CONFIG_KERNEL_IMPORTS: ReadonlySet<string> = new Set([
  "worker/deep-freeze.ts",
  "worker/http/routes.ts",
  "worker/options/is-record.ts",
  "worker/options/json-value.ts",
  "worker/options/options-error.ts",
  "worker/rules/rules.ts",
]);

const CONFIG_ENTRY = "worker/config/index.ts";

/** A cycle in `graph` as its nodes in order (first = last), or undefined when it has none. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...path.slice(path.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) !== undefined) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The folder graph of worker/ from `imports`, leaving out the file imports in `excluded`. */
function folderGraph(imports: readonly Import[], excluded: ReadonlySet<string>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    if (to === undefined || !to.startsWith("worker/") || excluded.has(`${from} -> ${to}`)) continue;
    const [a, b] = [workerFolder(from), workerFolder(to)];
    if (a === b) continue;
    const targets = graph.get(a) ?? new Set<string>();
    targets.add(b);
    graph.set(a, targets);
  }
  return graph;
}

function fileImportsBetween(imports: readonly Import[], a: string, b: string): string[] {
  return imports
    .filter(({ from, to }) => to !== undefined && workerFolder(from) === a && workerFolder(to) === b)
    .map(({ from, to }) => `${from} -> ${to}`);
}

const workerImports = importsOf(sourceFiles("worker"));
const infraImports = importsOf(sourceFiles("infra"));
const policyImports = importsOf(sourceFiles("policies"));

describe("the import graph", () => {
  it("reads every relative import to a file that exists", () => {
    const unresolved = [...workerImports, ...infraImports, ...policyImports].filter(
      ({ specifier, to }) => specifier.startsWith(".") && to === undefined,
    );
    assert.deepEqual(
      unresolved.map(({ from, specifier }) => `${from}: ${specifier}`),
      [],
    );
    // The reader sees the graph at all: the issuer's entrypoint and the policy pack's config entry.
    assert.ok(
      workerImports.some(({ from, to }) => from === "worker/issuer/entrypoint.ts" && to?.startsWith("worker/")),
    );
    assert.ok(policyImports.some(({ to }) => to === CONFIG_ENTRY));
  });

  it("has no cycle between the folders of worker/ but the known ones still to cut", () => {
    const cycle = findCycle(folderGraph(workerImports, new Set(KNOWN_CYCLE_EDGES.keys())));
    const through = cycle?.slice(1).map((to, i) => fileImportsBetween(workerImports, cycle[i] ?? "", to).join(", "));
    assert.equal(cycle, undefined, `import cycle ${cycle?.join(" -> ")}:\n  ${through?.join("\n  ")}`);
  });

  it("lists only known cycle edges that still exist, so the list shrinks as they are cut", () => {
    const present = new Set(workerImports.map(({ from, to }) => `${from} -> ${to}`));
    assert.deepEqual(
      [...KNOWN_CYCLE_EDGES.keys()].filter((edge) => !present.has(edge)),
      [],
    );
  });

  it("keeps the issuer and workflows apart one way: the issuer imports workflows, never back", () => {
    assert.ok(fileImportsBetween(workerImports, "worker/issuer", "worker/workflows").length > 0);
    assert.deepEqual(fileImportsBetween(workerImports, "worker/workflows", "worker/issuer"), []);
  });

  it("never imports the Pulumi program or the policy pack from worker/", () => {
    const outward = workerImports.filter(({ to }) => to?.startsWith("infra/") || to?.startsWith("policies/"));
    assert.deepEqual(
      outward.map(({ from, to }) => `${from} -> ${to}`),
      [],
    );
  });

  it("keeps the config kernel pure: no package, and outside itself only the named pure modules", () => {
    const kernel = workerImports.filter(({ from }) => from.startsWith("worker/config/"));
    assert.deepEqual(
      kernel
        .filter(({ specifier }) => !specifier.startsWith("."))
        .map(({ from, specifier }) => `${from}: ${specifier}`),
      [],
    );
    const outside = kernel.filter(({ to }) => to !== undefined && !to.startsWith("worker/config/"));
    assert.deepEqual(
      outside.filter(({ to }) => !CONFIG_KERNEL_IMPORTS.has(to ?? "")).map(({ from, to }) => `${from} -> ${to}`),
      [],
    );
  });

  it("reaches neither node: nor the middleware from the config kernel, through any chain of imports", () => {
    const byFile = new Map<string, Import[]>();
    for (const entry of workerImports) byFile.set(entry.from, [...(byFile.get(entry.from) ?? []), entry]);
    const reached = new Set<string>();
    const pending = [...byFile.keys()].filter((file) => file.startsWith("worker/config/"));
    const forbidden: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop() ?? "";
      if (reached.has(file)) continue;
      reached.add(file);
      for (const { specifier, to } of byFile.get(file) ?? []) {
        if (specifier.startsWith("node:")) forbidden.push(`${file}: ${specifier}`);
        if (to?.startsWith("worker/middleware/") && !file.startsWith("worker/middleware/")) {
          forbidden.push(`${file} -> ${to}`);
        }
        if (to !== undefined) pending.push(to);
      }
    }
    assert.deepEqual(forbidden, []);
  });

  it("lets the policy pack import config only through the kernel's public entry", () => {
    const internal = policyImports.filter(({ to }) => to?.startsWith("worker/config/") && to !== CONFIG_ENTRY);
    assert.deepEqual(
      internal.map(({ from, to }) => `${from} -> ${to}`),
      [],
    );
  });

  it("builds infra/ and policies/ URLs from the pure route paths, not from the issuer's route modules", () => {
    const handlers = /^worker\/(?:discovery|introspection|revocation|admin|publishing)\/|^worker\/issuer\/router\.ts$/;
    const reaching = [...infraImports, ...policyImports].filter(({ to }) => to !== undefined && handlers.test(to));
    assert.deepEqual(
      reaching.map(({ from, to }) => `${from} -> ${to}`),
      [],
    );
  });
});
