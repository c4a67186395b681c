// The local edge middleware is configured like the deployed one: Pulumi.dev.yaml's edgeMiddleware
// turns on the revocation list and introspection as api-gateway, so under `npm start` a token
// revoked through the admin API, or one of an ended workflow instance, is refused at /api/*, as
// `pulumi up`'s middleware would refuse it.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decodeJwt } from "jose";
import type { WorkerOptions } from "miniflare";
import { validateStackConfig } from "../../worker/config/validate.js";
import { readStackConfigMap } from "../../worker/config-files/stack-file.js";
import { EDGE_MIDDLEWARE_NAME, stackEdgeMiddleware } from "../../worker/local/edge-middleware.js";
import { localStack } from "../../worker/local/stack.js";
import { freePort } from "../support/free-port.js";
import { startLocal, stopLocal } from "../support/local-start.js";
import { REPO_ROOT } from "../support/run-tsx.js";

const API_AUDIENCE = "https://api.internal.example.dev";
const DEV_STACK = resolve(REPO_ROOT, "Pulumi.dev.yaml");

describe("local edge middleware: the stack's edgeMiddleware settings", function () {
  this.timeout(60_000);
  const raw = readStackConfigMap(DEV_STACK);
  const issuerUrl = "http://127.0.0.1:8798";
  const secrets = { "payments-api": "a".repeat(43), "api-gateway": "b".repeat(43) };

  it("takes Pulumi.dev.yaml's revocation list and introspection client, with the secret the local issuer checks", async () => {
    const config = validateStackConfig(raw.config, {
      project: raw.project,
      stack: raw.stack,
      localIssuerUrl: issuerUrl,
    });
    const settings = config.edgeMiddleware;
    assert.ok(settings, "Pulumi.dev.yaml configures edgeMiddleware");
    const middleware = stackEdgeMiddleware(settings, secrets);
    const { options } = await localStack({
      project: raw.project,
      stack: raw.stack,
      config: raw.config,
      issuerUrl,
      introspectionSecrets: secrets,
      exampleWorkloads: false,
      exampleWorkflows: false,
      edgeMiddleware: middleware,
    });
    const issuer = options.workers.find((w: WorkerOptions) => w.name === config.issuer.scriptName)!;
    const edge = options.workers.find((w: WorkerOptions) => w.name === EDGE_MIDDLEWARE_NAME)!;
    const bindings = edge.bindings as Record<string, string>;
    assert.equal(bindings.REVOCATION_LIST_URL, `${issuerUrl}/revocations.json`);
    assert.equal(bindings.INTROSPECTION_URL, `${issuerUrl}/introspect`);
    assert.equal(bindings.INTROSPECTION_CLIENT_ID, "api-gateway");
    assert.equal(bindings.INTROSPECTION_FOR, "workflow");
    const issuerSecrets = JSON.parse((issuer.bindings as Record<string, string>).INTROSPECTION_SECRETS!) as Record<
      string,
      string
    >;
    assert.equal(bindings.INTROSPECTION_CLIENT_SECRET, issuerSecrets["api-gateway"]);
    assert.deepEqual(JSON.parse(bindings.AUDIENCES!), [API_AUDIENCE]);
    assert.deepEqual(JSON.parse(bindings.RULES!), settings.rules);
  });

  it("refuses to run an introspection client it has no secret for", () => {
    const config = validateStackConfig(raw.config, {
      project: raw.project,
      stack: raw.stack,
      localIssuerUrl: issuerUrl,
    });
    assert.throws(
      () => stackEdgeMiddleware(config.edgeMiddleware!, { "payments-api": "a".repeat(43) }),
      /'api-gateway' has no local secret/,
    );
  });
});

describe("npm start: revoked and ended tokens are refused at /api/*", function () {
  this.timeout(120_000);
  let stateDir: string;
  let child: ChildProcess | undefined;
  let issuer: string;
  let banner = "";

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "wid-edge-"));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    ({ child, banner } = await startLocal(port, stateDir));
  });
  after(async () => {
    if (child !== undefined) await stopLocal(child);
    await rm(stateDir, { recursive: true, force: true });
  });

  /** A token for the API from a fresh instance of nightly-export (its run() asks for it). */
  async function instanceWithToken(): Promise<{ id: string; token: string }> {
    const created = await fetch(`${issuer}/workflows/nightly-export/instances`, {
      method: "POST",
      body: JSON.stringify({ audience: API_AUDIENCE }),
    });
    const { id } = (await created.json()) as { id: string };
    assert.ok(id, "instance created");
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await fetch(`${issuer}/workflows/nightly-export/instances/${id}/token`);
      if (response.ok) return { id, token: ((await response.json()) as { token: string }).token };
      await response.arrayBuffer();
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`instance ${id} never got a token`);
  }

  async function whoami(token: string): Promise<{ status: number; code?: string }> {
    const response = await fetch(`${issuer}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { code?: string };
    return { status: response.status, ...(body.code === undefined ? {} : { code: body.code }) };
  }

  it("says in its banner that the middleware checks the revocation list and introspects as api-gateway", () => {
    assert.match(banner, new RegExp(`revocation list ${issuer}/revocations\\.json, introspection as api-gateway`));
  });

  it("refuses a token whose jti was revoked through the admin API with 401 ERR_TOKEN_REVOKED", async () => {
    const { token } = await instanceWithToken();
    const claims = decodeJwt(token);
    const { adminToken } = JSON.parse(readFileSync(join(stateDir, "local-secrets.json"), "utf8")) as {
      adminToken: string;
    };
    const revoked = await fetch(`${issuer}/admin/revocations`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ jti: claims.jti, exp: claims.exp }),
    });
    assert.equal(revoked.status, 200, await revoked.text());
    // The first call through the middleware: no list was cached before the revocation.
    assert.deepEqual(await whoami(token), { status: 401, code: "ERR_TOKEN_REVOKED" });
  });

  it("still admits a running instance's token that nobody revoked", async () => {
    const { token } = await instanceWithToken();
    assert.deepEqual(await whoami(token), { status: 200 });
  });

  it("refuses the token of an ended workflow instance with 401 ERR_TOKEN_INACTIVE", async () => {
    const { id, token } = await instanceWithToken();
    const finished = await fetch(`${issuer}/workflows/nightly-export/instances/${id}/finish`, {
      method: "POST",
      body: JSON.stringify({ outcome: "complete" }),
    });
    assert.equal(finished.status, 200, await finished.text());
    let status = "";
    for (let attempt = 0; attempt < 200 && status !== "complete"; attempt++) {
      status = (
        (await (await fetch(`${issuer}/workflows/nightly-export/instances/${id}`)).json()) as { status: string }
      ).status;
      if (status !== "complete") await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, "complete");
    // Never introspected before it ended, so no cached "active" answer stands in the way.
    assert.deepEqual(await whoami(token), { status: 401, code: "ERR_TOKEN_INACTIVE" });
  });
});
