import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { freePort } from "../support/free-port.js";
import { spawnTsx } from "../support/run-tsx.js";

async function startLocal(port: number, stateDir: string): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawnTsx("worker/local/start.ts", ["--port", String(port), "--state-dir", stateDir]);
  let banner = "";
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${banner}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      if (banner.includes("Ctrl-C stops")) {
        clearTimeout(timer);
        resolveStart();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (banner += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${banner}`));
    });
  });
  return { child, banner };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
}

describe("npm start: the local stack from Pulumi.dev.yaml", function () {
  this.timeout(90_000);
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "wid-start-"));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("runs the issuer and every example workload, and keeps its keys across a restart", async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const first = await startLocal(port, stateDir);
    let token: string;
    try {
      for (const workload of ["billing", "reports-exporter", "ledger-sync", "edge-api"]) {
        assert.match(first.banner, new RegExp(`${workload}\\s+curl '${issuer}/workloads/${workload}/token`));
      }
      const response = await fetch(`${issuer}/workloads/ledger-sync/token?audience=sts.amazonaws.com`);
      assert.equal(response.status, 200);
      token = ((await response.json()) as { token: string }).token;

      // The edge middleware under /api/, in front of the example origin, with the example rules.
      assert.match(first.banner, new RegExp(`edge middleware on ${issuer}/api/\\*`));
      const api = "https://api.internal.example.dev";
      const minted = await fetch(`${issuer}/workloads/edge-api/token?audience=${encodeURIComponent(api)}`);
      const apiToken = ((await minted.json()) as { token: string }).token;
      const forwarded = await fetch(`${issuer}/api/reports/daily`, { headers: { authorization: `Bearer ${apiToken}` } });
      assert.equal(forwarded.status, 200);
      const echo = (await forwarded.json()) as { origin: string; identity: Record<string, string>; authorization: boolean };
      assert.equal(echo.origin, "example-origin");
      assert.match(echo.identity.subject ?? "", /^worker\/[0-9a-f]{32}\/edge-api$/);
      assert.equal(echo.authorization, false);
      // edge-api's token is certificate-bound: only the reports rule accepts it without the certificate.
      for (const route of ["/api/accounts/42/ledger", "/api/whoami"]) {
        const refused = await fetch(`${issuer}${route}`, { headers: { authorization: `Bearer ${apiToken}` } });
        assert.equal(refused.status, 401, route);
        assert.equal(((await refused.json()) as { code: string }).code, "ERR_TOKEN_CERTIFICATE_REQUIRED", route);
      }
    } finally {
      await stop(first.child);
    }

    const second = await startLocal(port, stateDir);
    try {
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), {
        issuer,
        audience: "sts.amazonaws.com",
      });
      assert.match(String(payload.sub), /^worker\/[0-9a-f]{32}\/ledger-sync$/);
    } finally {
      await stop(second.child);
    }
  });
});
