// A valid raw `config:` map that sets every cloud federation field (none to its default), and
// helpers to change one field of it at a time.

import { ACCOUNT_ID, expectOneIssue, PROJECT } from "./fixtures.js";

/** A custom AWS audience (the OIDC provider's client id), listed by the AWS workloads. */
export const CLOUD_AWS_AUDIENCE = "aws-sts.id.example.dev";
/** Written out by hand from projectNumber 987654321098, pool cf-workers and provider id-example-dev. */
export const CLOUD_GCP_AUDIENCE =
  "//iam.googleapis.com/projects/987654321098/locations/global/workloadIdentityPools/cf-workers/providers/id-example-dev";

/** Two public keys, as the issuer's /.well-known/jwks.json serves them (RFC 7517 A.1 values). */
export const PUBLIC_JWKS_TEXT = `{
  "keys": [
    {"kty": "EC", "crv": "P-256", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
     "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM", "use": "sig", "alg": "ES256", "kid": "ec-1"},
    {"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP",
     "e": "AQAB", "use": "sig", "alg": "RS256", "kid": "rsa-1"}
  ]
}`;

export const key = (path: string): string => `${PROJECT}:${path}`;

export function cloudRaw(): Record<string, unknown> {
  return {
    "aws:region": "eu-west-1",
    "gcp:project": "acme-identity-stage",
    [key("accountId")]: ACCOUNT_ID,
    [key("issuerHostname")]: "id.example.dev",
    [key("aws")]: { audience: CLOUD_AWS_AUDIENCE },
    [key("gcp")]: {
      projectId: "acme-identity-stage",
      projectNumber: 987654321098,
      poolId: "cf-workers",
      providerId: "id-example-dev",
      jwksJson: PUBLIC_JWKS_TEXT,
    },
    [key("workloads")]: {
      billing: {
        audiences: [CLOUD_AWS_AUDIENCE, CLOUD_GCP_AUDIENCE],
        aws: {
          roleName: "BillingRole",
          managedPolicyArns: [
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "arn:aws-us-gov:iam::111122223333:policy/billing/ledger-read",
          ],
          inlinePolicies: {
            // As a YAML map ...
            "ledger-write": {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: "dynamodb:PutItem",
                  Resource: "arn:aws:dynamodb:eu-west-1:111122223333:table/ledger",
                },
              ],
            },
            // ... and as JSON text, with whitespace.
            "queue-send":
              '{ "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"} }',
          },
          maxSessionDurationSeconds: 7200,
        },
        gcp: {
          serviceAccount: { create: { accountId: "billing-payments" } },
          projectRoles: [
            "roles/bigquery.dataViewer",
            "projects/acme-identity-stage/roles/ledgerReader",
            "organizations/123456/roles/audit.viewer",
          ],
        },
      },
      "reports-exporter": {
        audiences: [CLOUD_GCP_AUDIENCE],
        gcp: { serviceAccount: { existing: "reports@acme-data.iam.gserviceaccount.com" } },
      },
      "ledger-sync": {
        audiences: [CLOUD_AWS_AUDIENCE],
        aws: { roleName: "ledger-sync-writer" },
      },
      "edge-api": { audiences: ["https://api.internal.example.dev"] },
    },
  };
}

/** The cloud map with the stack key `name` set to `value`, or deleted when value is undefined. */
export function cloudWithKey(name: string, value: unknown): Record<string, unknown> {
  const raw = cloudRaw();
  if (value === undefined) delete raw[key(name)];
  else raw[key(name)] = value;
  return raw;
}

/** The cloud map with one field of the stack's `aws` or `gcp` map set (or deleted, for undefined). */
export function cloudWithSetting(section: "aws" | "gcp", field: string, value: unknown): Record<string, unknown> {
  const raw = cloudRaw();
  const settings = raw[key(section)] as Record<string, unknown>;
  if (value === undefined) delete settings[field];
  else settings[field] = value;
  return raw;
}

/** The cloud map with one workload's settings changed by `edit` (a new workload if absent). */
export function cloudWithWorkload(
  name: string,
  edit: (settings: Record<string, unknown>) => void,
): Record<string, unknown> {
  const raw = cloudRaw();
  const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
  const settings = workloads[name] ?? {};
  edit(settings);
  workloads[name] = settings;
  return raw;
}

/** The `aws` or `gcp` section of a workload, for editing one of its fields. */
export function section(settings: Record<string, unknown>, name: "aws" | "gcp"): Record<string, unknown> {
  return settings[name] as Record<string, unknown>;
}

/** The cloud map with one field of billing's `aws` or `gcp` section set. */
export function withBillingField(cloud: "aws" | "gcp", field: string, value: unknown): Record<string, unknown> {
  return cloudWithWorkload("billing", (w) => {
    section(w, cloud)[field] = value;
  });
}

/** One field of billing's section set to a value the validator refuses: [title, field, value, issue path, fix]. */
export type BillingFieldIssue = readonly [string, string, unknown, string, RegExp];

/** One test per row: one issue, at `workloads.billing.<cloud>.<issue path>`, whose message names the fix. */
export function itRefusesBillingFields(cloud: "aws" | "gcp", rows: readonly BillingFieldIssue[]): void {
  for (const [title, field, value, path, fix] of rows) {
    it(title, () => {
      expectOneIssue(withBillingField(cloud, field, value), key(`workloads.billing.${cloud}.${path}`), fix);
    });
  }
}
