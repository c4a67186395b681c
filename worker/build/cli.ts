// `npm run build -- [--stack Pulumi.dev.yaml] [--out dist]`: writes the issuer bundle for a
// stack (with its per-workload entrypoints) and the example workload, for wrangler users and for
// inspection. The Pulumi program bundles in memory with the same functions.

import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadStackConfigFile } from "../config/stack-file.js";
import { bundleIssuer, bundleWorker, WORKER_ROOT } from "./bundle.js";

const { values } = parseArgs({
  options: { stack: { type: "string", default: "Pulumi.dev.yaml" }, out: { type: "string", default: "dist" } },
});
const config = loadStackConfigFile(resolve(values.stack));
mkdirSync(values.out, { recursive: true });
const issuer = await bundleIssuer(config.workloads, config.workflows);
writeFileSync(resolve(values.out, "issuer.js"), issuer);
writeFileSync(resolve(values.out, "example-workload.js"), await bundleWorker(resolve(WORKER_ROOT, "examples/workload.ts")));
console.log(
  `wrote ${values.out}/issuer.js (${issuer.length} bytes, entrypoints: Issuer, ${[...config.workloads, ...config.workflows].map((w) => w.entrypoint).join(", ")})`,
);
