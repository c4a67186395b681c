// `wid --version`: the version of the package the CLI runs from, read at run time beside the
// module (worker/cli/main.ts in a checkout, dist/main.js in the installed @worker-identity/cli),
// so the source and its bundle answer alike. The CLI's own package.json wins; before the
// workspace package exists, the repository's (two folders up from worker/cli) answers.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliFailure } from "./failure.js";

export const CLI_PACKAGE = "@worker-identity/cli";
const REPOSITORY_PACKAGE = "worker-identity";

/** The package.json files that may hold the version, nearest first. */
export function packageCandidates(moduleUrl: string): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  return [join(here, "package.json"), join(here, "..", "package.json"), join(here, "..", "..", "package.json")];
}

export function cliVersion(moduleUrl: string = import.meta.url): string {
  const found = packageCandidates(moduleUrl)
    .filter((path) => existsSync(path))
    .map((path) => ({ path, manifest: readManifest(path) }));
  const chosen =
    found.find(({ manifest }) => manifest.name === CLI_PACKAGE) ??
    found.find(({ manifest }) => manifest.name === REPOSITORY_PACKAGE);
  if (chosen === undefined || typeof chosen.manifest.version !== "string") {
    throw new CliFailure(
      "version_unknown",
      `no package.json of ${CLI_PACKAGE} (or of the ${REPOSITORY_PACKAGE} checkout) with a version beside ` +
        `${fileURLToPath(moduleUrl)}: reinstall the package`,
    );
  }
  return chosen.manifest.version;
}

function readManifest(path: string): { name?: unknown; version?: unknown } {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as { name?: unknown; version?: unknown };
  } catch {
    return {};
  }
}
