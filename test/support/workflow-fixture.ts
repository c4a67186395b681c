// Workflows and introspection in the test stack: a raw config with two workflows (defined by two
// scripts run as the example workflow Worker) and two introspection clients, and helpers that
// steer instances through the example Worker's HTTP API and call POST /introspect.

import assert from "node:assert/strict";
import type { IssuerHarness } from "./issuer-harness.js";
import { API_AUDIENCE, AWS_AUDIENCE, rawStackConfig } from "./stack-fixture.js";

export const EXPORT_WORKFLOW = "nightly-export";
export const OTHER_WORKFLOW = "cleanup";
export const INTROSPECTION_CLIENT = "payments-api";
export const INTROSPECTION_SECRETS: Record<string, string> = {
  "payments-api": `${"p".repeat(20)}-secret-of-payments-api-0123456789`,
  "ledger-api": `${"l".repeat(20)}-secret-of-ledger-api-0123456789`,
};

export function workflowStackConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return rawStackConfig({
    "worker-identity:workflows": {
      [EXPORT_WORKFLOW]: {
        script: "jobs",
        className: "NightlyExport",
        audiences: [AWS_AUDIENCE, API_AUDIENCE],
        tokenLifetimeSeconds: 600,
        claims: { team: "data" },
      },
      [OTHER_WORKFLOW]: { script: "maintenance", className: "Cleanup", audiences: [API_AUDIENCE] },
    },
    "worker-identity:introspectionClients": Object.keys(INTROSPECTION_SECRETS),
    ...overrides,
  });
}

export interface InstanceToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Creates an instance of `workflow` that asks the issuer for a token for `audience` in its run(). */
export async function createInstance(
  harness: IssuerHarness,
  workflow: string,
  audience: string,
  id?: string,
): Promise<string> {
  const response = await harness.mf.dispatchFetch(`${harness.url}/workflows/${workflow}/instances`, {
    method: "POST",
    body: JSON.stringify({ audience, ...(id === undefined ? {} : { id }) }),
  });
  const body = (await response.json()) as { id?: string; error?: string };
  assert.ok(body.id, `create failed: ${JSON.stringify(body)}`);
  return body.id;
}

export async function instanceStatus(harness: IssuerHarness, workflow: string, id: string): Promise<string> {
  const response = await harness.mf.dispatchFetch(`${harness.url}/workflows/${workflow}/instances/${id}`);
  return ((await response.json()) as { status: string }).status;
}

export async function waitForStatus(
  harness: IssuerHarness,
  workflow: string,
  id: string,
  wanted: readonly string[],
): Promise<string> {
  let status = "";
  for (let attempt = 0; attempt < 200; attempt++) {
    status = await instanceStatus(harness, workflow, id);
    if (wanted.includes(status)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`instance ${id} of ${workflow} stayed ${status}, never ${wanted.join(" or ")}`);
}

/** The token the instance got in its run(), once it has one. */
export async function instanceToken(harness: IssuerHarness, workflow: string, id: string): Promise<InstanceToken> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await harness.mf.dispatchFetch(`${harness.url}/workflows/${workflow}/instances/${id}/token`);
    if (response.ok) return (await response.json()) as InstanceToken;
    await response.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(
    `instance ${id} of ${workflow} never got a token (status ${await instanceStatus(harness, workflow, id)})`,
  );
}

/** Sends the instance an action: finish (complete or error), terminate, pause, resume. */
export async function steer(
  harness: IssuerHarness,
  workflow: string,
  id: string,
  action: string,
  body?: unknown,
): Promise<void> {
  const response = await harness.mf.dispatchFetch(`${harness.url}/workflows/${workflow}/instances/${id}/${action}`, {
    method: "POST",
    body: JSON.stringify(body ?? {}),
  });
  assert.equal(response.status, 200, await response.text());
}

export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}

/** POST /introspect as a registered client; the parsed answer and the response. */
export async function introspect(
  harness: IssuerHarness,
  token: string,
  client = INTROSPECTION_CLIENT,
): Promise<{ response: Response; body: Record<string, unknown> }> {
  const response = await harness.fetch("/introspect", {
    method: "POST",
    headers: {
      authorization: basicAuthorization(client, INTROSPECTION_SECRETS[client] ?? ""),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token, token_type_hint: "access_token" }).toString(),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}
