// `npm run build -- [--stack Pulumi.dev.yaml] [--out dist] [--thumbprints FILE]`: writes the issuer
// bundle for a stack (its per-workload entrypoints and its runtime config built in) and the example
// workload, for wrangler users and for inspection. The Pulumi program bundles in memory with the
// same functions. A stack with mTLS workloads needs their certificates' thumbprints: pass
// --thumbprints with JSON {workload: x5t#S256} (`pulumi stack output workloads` carries them).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadStackConfigFile } from "../config-files/stack-file.js";
import { errorDetailOf, IssuerConfigError } from "../errors.js";
import { runtimeConfigOf } from "../runtime-config/compute.js";
import type { RuntimeConfig } from "../runtime-config/types.js";
import { bundleIssuer, bundleWorker, WORKER_ROOT } from "./bundle.js";

const { values } = parseArgs({
  options: {
    stack: { type: "string", default: "Pulumi.dev.yaml" },
    out: { type: "string", default: "dist" },
    thumbprints: { type: "string" },
  },
});
const config = loadStackConfigFile(resolve(values.stack));
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
  const document: unknown = JSON.parse(readFileSync(resolve(path), "utf8"));
  if (
    typeof document !== "object" ||
    document === null ||
    Array.isArray(document) ||
    !Object.values(document).every((v) => typeof v === "string")
  ) {
    throw new Error(`--thumbprints ${path} must be a JSON object {"<workload>": "<x5t#S256>"}`);
  }
  return document as Record<string, string>;
}
