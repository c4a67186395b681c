// The Pulumi program under mocks for 100 and 1,000 workloads (AWS and GCP for each): the time
// ratio shows whether the program's cost grows linearly with the registry (target ≤ 12 for 10x).

import * as pulumi from "@pulumi/pulumi";
import { installMocks, recorded, resolved } from "../test/support/pulumi-mocks.js";
import { defineProgram } from "../infra/program.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const GCP_AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

function configFor(count: number): Record<string, string> {
  const workloads: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    workloads[`svc-${String(i).padStart(4, "0")}`] = {
      audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
      aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      gcp: { projectRoles: ["roles/viewer"] },
    };
  }
  return {
    "worker-identity:accountId": ACCOUNT,
    "worker-identity:issuerHostname": "id.example.dev",
    "worker-identity:aws": "{}",
    "worker-identity:gcp": JSON.stringify({ projectId: "example-identity-dev", projectNumber: "123456789012" }),
    "worker-identity:workloads": JSON.stringify(workloads),
  };
}

async function timeProgram(count: number): Promise<{ ms: number; resources: number }> {
  installMocks("worker-identity", "bench");
  pulumi.runtime.setAllConfig(configFor(count));
  const started = performance.now();
  const deployment = defineProgram();
  await resolved(deployment.issuer.script.scriptName);
  for (const workload of Object.values(deployment.workloads)) {
    await resolved(workload.awsRoleArn);
    await resolved(workload.gcpServiceAccount);
  }
  return { ms: performance.now() - started, resources: recorded.length };
}

export async function benchPulumiProgram(): Promise<{ small: number; large: number; ratio: number; resources: number }> {
  await timeProgram(20); // warm-up: module loading, esbuild's service
  const small = await timeProgram(100);
  const large = await timeProgram(1_000);
  return { small: small.ms, large: large.ms, ratio: large.ms / small.ms, resources: large.resources };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchPulumiProgram();
  console.log(
    `Pulumi program under mocks: 100 workloads ${result.small.toFixed(0)} ms, 1,000 workloads ${result.large.toFixed(0)} ms ` +
      `(${result.resources} resources), ratio ${result.ratio.toFixed(2)} (target ≤ 12)`,
  );
}
