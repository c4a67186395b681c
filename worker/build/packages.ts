// Builds the workspace packages for npm (`npm run build:packages`, and each package's `prepack`,
// which builds the workspace packages it depends on first):
// each entry bundled by esbuild into one ES module in the package's dist/ (the repository's shared
// modules inlined, the package's declared dependencies left as imports), its type declarations
// emitted by tsc for the entry's closure, and the repository's LICENSE copied beside them.
//
// The declarations are compiled with lib DOM and no @cloudflare/workers-types, so a public type
// that only exists in Workers fails the build rather than a consumer's type check.

import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import ts from "typescript";
import { WORKER_ROOT } from "./bundle.js";

const REPOSITORY_ROOT = resolve(WORKER_ROOT, "..");

export interface PackageSpec {
  /** The npm name, as in the folder's package.json. */
  readonly name: string;
  /** The package's folder, relative to the repository. */
  readonly folder: string;
  /** The entry module, relative to the package's folder. */
  readonly entry: string;
  /** The bundle, relative to the package's folder (what its exports map or bin shim loads). */
  readonly bundle: string;
  /** Node for the CLI; every other package runs on web-standard APIs alone. */
  readonly platform: "neutral" | "node";
  /** Whether the package ships type declarations (libraries do; the CLI does not). */
  readonly declarations: boolean;
}

/** In build order: a package comes after the packages it depends on (their declarations are read). */
export const PACKAGES: readonly PackageSpec[] = [
  spec("@worker-identity/verifier", "worker/verification"),
  spec("@worker-identity/sdk", "worker/sdk"),
  spec("@worker-identity/middleware", "worker/middleware"),
  {
    name: "@worker-identity/cli",
    folder: "worker/cli",
    entry: "main.ts",
    bundle: "dist/main.js",
    platform: "node",
    declarations: false,
  },
];

function spec(name: string, folder: string): PackageSpec {
  return { name, folder, entry: "index.ts", bundle: "dist/index.js", platform: "neutral", declarations: true };
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** A package that cannot be built as it stands: what is wrong, and what to change. */
export class PackageBuildError extends Error {
  override readonly name = "PackageBuildError";
}

export function manifestOf(pkg: PackageSpec): Manifest {
  return JSON.parse(readFileSync(resolve(REPOSITORY_ROOT, pkg.folder, "package.json"), "utf8")) as Manifest;
}

/** Builds one package into its dist/ (emptied first). */
export async function buildPackage(pkg: PackageSpec): Promise<void> {
  const folder = resolve(REPOSITORY_ROOT, pkg.folder);
  const manifest = manifestOf(pkg);
  if (manifest.name !== pkg.name) {
    throw new PackageBuildError(`${pkg.folder}/package.json names ${manifest.name}, expected ${pkg.name}`);
  }
  rmSync(resolve(folder, "dist"), { recursive: true, force: true });
  const dependencies = Object.keys(manifest.dependencies ?? {});
  await bundle(pkg, folder, dependencies);
  if (pkg.declarations) emitDeclarations(pkg, folder);
  copyFileSync(resolve(REPOSITORY_ROOT, "LICENSE"), resolve(folder, "LICENSE"));
}

async function bundle(pkg: PackageSpec, folder: string, dependencies: readonly string[]): Promise<void> {
  const node = pkg.platform === "node";
  const result = await build({
    entryPoints: [resolve(folder, pkg.entry)],
    outfile: resolve(folder, pkg.bundle),
    bundle: true,
    format: "esm",
    platform: pkg.platform,
    target: node ? "node20" : "es2022",
    mainFields: ["module", "main"],
    // The repository's shared modules are read from source; a declared dependency stays an import.
    conditions: ["@worker-identity/source"],
    external: [...dependencies, ...dependencies.map((name) => `${name}/*`), ...(node ? ["node:*"] : [])],
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const undeclared = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match) undeclared.add(match[1] ?? input); // inlined from node_modules: a dependency in disguise
  }
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const bare = imported.path.startsWith("@")
        ? imported.path.split("/").slice(0, 2).join("/")
        : imported.path.split("/")[0];
      const builtin = imported.path.startsWith("node:") || builtinModules.includes(imported.path);
      if (!(node && builtin) && !dependencies.includes(bare ?? "")) undeclared.add(imported.path);
    }
  }
  if (undeclared.size > 0) {
    throw new PackageBuildError(
      `${pkg.name} imports ${[...undeclared].join(", ")} at runtime without declaring it: add it to ${pkg.folder}/package.json "dependencies"`,
    );
  }
}

function emitDeclarations(pkg: PackageSpec, folder: string): void {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    stripInternal: true,
    rootDir: WORKER_ROOT,
    outDir: resolve(folder, "dist/types"),
  };
  const program = ts.createProgram([resolve(folder, pkg.entry)], options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => REPOSITORY_ROOT,
      getNewLine: () => "\n",
    });
    throw new PackageBuildError(
      `${pkg.name}'s public types do not compile without @cloudflare/workers-types (lib DOM): type them with web-standard or structural types\n${text}`,
    );
  }
}

/**
 * `name` after the workspace packages it depends on, in build order: a package's declarations
 * read those of the packages it imports, so they are built first. Empty for an unknown name.
 */
export function withWorkspaceDependencies(name: string): PackageSpec[] {
  const wanted = new Set<string>();
  const visit = (current: string) => {
    const pkg = PACKAGES.find((candidate) => candidate.name === current);
    if (pkg === undefined || wanted.has(current)) return;
    wanted.add(current);
    for (const dependency of Object.keys(manifestOf(pkg).dependencies ?? {})) visit(dependency);
  };
  visit(name);
  return PACKAGES.filter((pkg) => wanted.has(pkg.name));
}

const USAGE = `usage: npm run build:packages [-- --package <name>]
  builds each workspace package's dist/ (bundle, type declarations, LICENSE); packages: ${PACKAGES.map((pkg) => pkg.name).join(", ")}`;

async function main(argv: string[]): Promise<number> {
  let values: { package?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { package: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const chosen = values.package === undefined ? PACKAGES : withWorkspaceDependencies(values.package);
  if (chosen.length === 0) {
    console.error(`unknown package ${values.package}\n${USAGE}`);
    return 2;
  }
  for (const pkg of chosen) {
    try {
      await buildPackage(pkg);
    } catch (error) {
      if (!(error instanceof PackageBuildError)) throw error;
      console.error(error.message);
      return 1;
    }
    console.log(`built ${pkg.name} in ${relative(process.cwd(), resolve(REPOSITORY_ROOT, pkg.folder, "dist"))}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2));
