// `npm run build -- [--stack Pulumi.dev.yaml] [--out dist] [--thumbprints FILE] [--help]`: writes the issuer
// bundle for a stack (its per-workload entrypoints and its runtime config built in) and the example
// workload, for wrangler users and for inspection. The Pulumi program bundles in memory with the
// same functions. A stack with mTLS workloads needs their certificates' thumbprints: pass
// --thumbprints with JSON {workload: x5t#S256} (`pulumi stack output workloads` carries them).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors.js";
import { loadStackConfigFile } from "../config-files/stack-file.js";
import { errorDetailOf, IssuerConfigError } from "../errors.js";
import { runtimeConfigOf } from "../runtime-config/compute.js";
import type { RuntimeConfig } from "../runtime-config/types.js";
import { bundleIssuer, bundleWorker, WORKER_ROOT } from "./bundle.js";

const USAGE = `usage: npm run build -- [--stack Pulumi.dev.yaml] [--out dist] [--thumbprints FILE]
  --stack FILE        the stack file (default Pulumi.dev.yaml)
  --out DIR           where issuer.js and example-workload.js are written (default dist)
  --thumbprints FILE  JSON {"<workload>": "<x5t#S256>"} of every workload with mtls enabled
  -h, --help          print this help
exit codes: 0 written, 1 the stack cannot be built (its problems listed), 2 usage`;

let values: { stack: string; out: string; thumbprints?: string | undefined; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      stack: { type: "string", default: "Pulumi.dev.yaml" },
      out: { type: "string", default: "dist" },
      thumbprints: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (error) {
  // parseArgs' own errors (an unknown option, a missing value, a stray argument) are usage errors.
  console.error(`npm run build: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
let config: ReturnType<typeof loadStackConfigFile>;
try {
  config = loadStackConfigFile(resolve(values.stack));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const thumbprints = values.thumbprints === undefined ? {} : readThumbprints(values.thumbprints);
let runtime: RuntimeConfig;
try {
  runtime = runtimeConfigOf(config, thumbprints);
} catch (error) {
  if (!(error instanceof IssuerConfigError)) throw error;
  console.error(
    `${values.stack}: ${errorDetailOf(error)}\n` +
      'pass --thumbprints FILE, JSON {"<workload>": "<x5t#S256>"} of every workload with mtls enabled ' +
      "(`pulumi stack output workloads` gives each one's mtls.thumbprint)",
  );
  process.exit(1);
}
mkdirSync(values.out, { recursive: true });
const issuer = await bundleIssuer(config, runtime);
writeFileSync(resolve(values.out, "issuer.js"), issuer);
writeFileSync(
  resolve(values.out, "example-workload.js"),
  await bundleWorker(resolve(WORKER_ROOT, "examples/workload.ts")),
);
console.log(
  `wrote ${values.out}/issuer.js (${issuer.length} bytes, entrypoints: Issuer, ${[...config.workloads, ...config.workflows].map((w) => w.entrypoint).join(", ")})`,
);

function readThumbprints(path: string): Record<string, string> {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(resolve(path), "utf8"));
  } catch (error) {
    console.error(`--thumbprints ${path}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (
    typeof document !== "object" ||
    document === null ||
    Array.isArray(document) ||
    !Object.values(document).every((v) => typeof v === "string")
  ) {
    console.error(`--thumbprints ${path} must be a JSON object {"<workload>": "<x5t#S256>"}`);
    process.exit(1);
  }
  return document as Record<string, string>;
}
