// `npm run bench:profile -- <kind> [RS256|ES256]`: a CPU profile of one Worker's isolate while a
// driver performs one kind of operation, summarised by self time. This is how the hot spots in
// bench/RESULTS.md were found. Kinds:
//   issue-cold, issue-warm     the issuer's isolate, issuing through bench/workers/driver.ts
//   verifier, distinct         the verifying driver's isolate (bench/workers/verify-driver.ts)
// workerd reports no idle time: time spent waiting on I/O is charged to the frame sampled before.

import { driver, workloadBindings } from "./drivers.js";
import { formatProfileSummary, InspectorSession, summariseProfile } from "./inspector.js";
import { timeRequest } from "./measure.js";
import { type BenchAlgorithm, startStack } from "./stack.js";

const PORT = 18_795;
const INSPECTOR_PORT = 18_796;
const WARMUP = 500;
const OPERATIONS = 3_000;
const ISSUANCE = new Set(["issue-cold", "issue-warm"]);
const VERIFICATION = new Set(["verifier", "distinct"]);

async function main(): Promise<void> {
  const kind = process.argv[2] ?? "";
  const algorithm = (process.argv[3] ?? "RS256") as BenchAlgorithm;
  if (!ISSUANCE.has(kind) && !VERIFICATION.has(kind)) {
    console.error(`profile what? one of ${[...ISSUANCE, ...VERIFICATION].join(", ")}, then RS256 or ES256`);
    process.exit(2);
  }
  const stack = await startStack({
    algorithm,
    port: PORT,
    miniflare: { inspectorPort: INSPECTOR_PORT },
    drivers: async (context) => [
      await driver({ name: "bench-driver", source: "driver.ts", routes: ["*/bench/*"], ...workloadBindings(context) }),
      await driver({
        name: "bench-verify",
        source: "verify-driver.ts",
        routes: ["*/bench-verify/*"],
        ...workloadBindings(context),
      }),
    ],
  });
  try {
    const path = ISSUANCE.has(kind) ? `bench/${kind}` : `bench-verify/${kind}`;
    const worker = ISSUANCE.has(kind) ? stack.config.issuer.scriptName : "bench-verify";
    await timeRequest(stack.mf, stack.issuerUrl, path, WARMUP);
    const session = await InspectorSession.connect(INSPECTOR_PORT, worker);
    try {
      await session.startProfiling(50);
      const ms = await timeRequest(stack.mf, stack.issuerUrl, path, OPERATIONS);
      const profile = await session.stopProfiling();
      console.log(
        `${kind} (${algorithm}) in ${worker}: ${((ms / OPERATIONS) * 1_000).toFixed(1)} µs per operation while profiled`,
      );
      console.log(formatProfileSummary(summariseProfile(profile, 30)));
    } finally {
      session.close();
    }
  } finally {
    await stack.dispose();
  }
}

await main();
