// A complete, valid raw stack config for tests: four workloads covering props and entrypoint
// bindings, static claims, session tags and per-workload lifetime caps.

import type { LocalStackInput } from "../../worker/local/stack.js";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const PROJECT = "worker-identity";
export const STACK = "test";

export const AWS_AUDIENCE = "sts.amazonaws.com";
export const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/wid/providers/wid";
export const API_AUDIENCE = "https://api.internal.example.dev";

export function rawStackConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "worker-identity:accountId": ACCOUNT_ID,
    "worker-identity:issuerHostname": "id.example.dev",
    "worker-identity:environment": "test",
    "worker-identity:rotationPeriodDays": 30,
    "worker-identity:tokenLifetimeSeconds": 300,
    "worker-identity:maxTokenLifetimeSeconds": 3600,
    "worker-identity:workloads": {
      billing: {
        audiences: [AWS_AUDIENCE, GCP_AUDIENCE],
        claims: { team: "payments", tier: 1 },
        awsSessionTags: { tags: { team: "payments", "cost-center": "cc-1234" }, transitive: ["team"] },
      },
      "reports-exporter": { audiences: [GCP_AUDIENCE], maxTokenLifetimeSeconds: 900 },
      "ledger-sync": { audiences: [AWS_AUDIENCE] },
      "edge-api": { audiences: [API_AUDIENCE], tokenLifetimeSeconds: 120 },
    },
    "aws:region": "us-east-1",
    ...overrides,
  };
}

/** The local stack of this config served at `issuerUrl`, with a fresh KEK and no example workloads; `extra` adds to it. */
export function testStackInput(issuerUrl: string, extra: Partial<LocalStackInput> = {}): LocalStackInput {
  return {
    project: PROJECT,
    stack: STACK,
    config: rawStackConfig(),
    issuerUrl,
    keyEncryptionKey: randomKek(),
    exampleWorkloads: false,
    ...extra,
  };
}

/** 32 bytes of base64, as `openssl rand -base64 32` prints. */
export function randomKek(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

export function randomAdminToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
