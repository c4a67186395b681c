// A complete, valid raw `config:` map, and helpers to break one field of it at a time.

import assert from "node:assert/strict";
import { ConfigError, type ConfigIssue } from "../../worker/config/errors.js";
import { type ValidateOptions, validateStackConfig } from "../../worker/config/validate.js";

export const PROJECT = "worker-identity";
export const STACK = "staging";
export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
export const OPTIONS: ValidateOptions = { project: PROJECT, stack: STACK };

/** Every key of our namespace set, plus keys of other namespaces the validator must ignore. */
export function happyRaw(): Record<string, unknown> {
  return {
    "aws:region": "us-east-1",
    "gcp:project": "example-identity",
    "cloudflare:apiToken": { secure: "v1:abc:def" },
    "worker-identity:accountId": ACCOUNT_ID,
    "worker-identity:environment": "stage",
    "worker-identity:issuerHostname": "id.example.dev",
    "worker-identity:issuerScriptName": "identity-issuer",
    "worker-identity:signingAlgorithm": "ES256",
    "worker-identity:rotationPeriodDays": 14,
    "worker-identity:tokenLifetimeSeconds": 600,
    "worker-identity:maxTokenLifetimeSeconds": 7200,
    "worker-identity:clockSkewSeconds": 30,
    "worker-identity:workloads": {
      billing: {
        audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
        claims: { team: "payments", tier: 1, owners: ["ana", "bo"] },
        awsSessionTags: { tags: { team: "payments", "cost-center": "cc-1234" }, transitive: ["team"] },
      },
      "reports-exporter": { audiences: [GCP_AUDIENCE], maxTokenLifetimeSeconds: 900 },
      "edge-api": { audiences: ["https://api.internal.example.dev"], tokenLifetimeSeconds: 120 },
    },
  };
}

/** The happy map with `key` (of our namespace) set to `value`, or deleted when value is undefined. */
export function withKey(name: string, value: unknown): Record<string, unknown> {
  const raw = happyRaw();
  if (value === undefined) delete raw[`${PROJECT}:${name}`];
  else raw[`${PROJECT}:${name}`] = value;
  return raw;
}

/** The happy map with one workload's settings changed by `edit`. */
export function withWorkload(name: string, edit: (settings: Record<string, unknown>) => void): Record<string, unknown> {
  const raw = happyRaw();
  const workloads = raw[`${PROJECT}:workloads`] as Record<string, Record<string, unknown>>;
  const settings = workloads[name] ?? {};
  edit(settings);
  workloads[name] = settings;
  return raw;
}

export function workloadsOf(raw: Record<string, unknown>): Record<string, unknown> {
  return raw[`${PROJECT}:workloads`] as Record<string, unknown>;
}

/** The issues of the ConfigError `run` throws (failing if it throws nothing or something else). */
export function issuesOf(run: () => unknown): readonly ConfigIssue[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, "ERR_STACK_CONFIG");
    return error.issues;
  }
  assert.fail("expected a ConfigError, but the config was accepted");
}

/** Asserts that validating `raw` reports exactly one issue, at `key`, whose message names the fix. */
export function expectOneIssue(
  raw: Record<string, unknown>,
  key: string,
  fix: RegExp,
  options: ValidateOptions = OPTIONS,
): ConfigIssue {
  const issues = issuesOf(() => validateStackConfig(raw, options));
  assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map((i) => `${i.key}: ${i.message}`).join("\n")}`);
  const [issue] = issues;
  assert.ok(issue);
  assert.equal(issue.key, key);
  assert.match(issue.message, fix);
  return issue;
}
