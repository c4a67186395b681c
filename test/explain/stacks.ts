// The stacks the explain tests judge tokens on: the repository's dev stack as validated, and the
// same stack with billing (aws and gcp) and ledger-sync (aws) also holding Cloudflare-native
// tokens, as test/infra/end-to-end-native-trust.test.ts registers them.

import type { StackConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { dev } from "../support/dev-stack.js";

export const ACCOUNT = String(dev.config["worker-identity:accountId"]);
export const ISSUER_URL = `https://${String(dev.config["worker-identity:issuerHostname"])}`;
export const AWS_AUDIENCE = "sts.amazonaws.com";
export const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
export const AWS_ACCOUNT = "111122223333";
export const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/7f3a";
export const OTHER_NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/9e9e";
export const NATIVE: Record<string, { subject: string; audiences: string[] }> = {
  billing: { subject: "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f", audiences: [AWS_AUDIENCE, GCP_AUDIENCE] },
  "ledger-sync": { subject: "cf:worker:11111111-2222-4333-8444-555555555555", audiences: [AWS_AUDIENCE] },
};

export function devStack(): StackConfig {
  return validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
}

export function nativeStack(): StackConfig {
  const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<string, Record<string, unknown>>;
  for (const [name, native] of Object.entries(NATIVE)) workloads[name]!.native = { issuer: NATIVE_ISSUER, ...native };
  return validateStackConfig(
    { ...dev.config, "worker-identity:workloads": workloads },
    { project: dev.project, stack: dev.stack },
  );
}

/** The dev stack with its workflow also impersonating a GCP service account of its own. */
export function workflowGcpStack(): StackConfig {
  const workflows = structuredClone(dev.config["worker-identity:workflows"]) as Record<string, Record<string, unknown>>;
  const workflow = workflows["nightly-export"]!;
  workflow.audiences = [...(workflow.audiences as string[]), GCP_AUDIENCE];
  workflow.gcp = { serviceAccount: { create: {} } };
  return validateStackConfig(
    { ...dev.config, "worker-identity:workflows": workflows },
    { project: dev.project, stack: dev.stack },
  );
}
