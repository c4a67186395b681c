import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { freePort } from "../support/free-port.js";
import { startLocal as startLocalStack, stopLocal as stop } from "../support/local-start.js";
import { runTsx, spawnTsx } from "../support/run-tsx.js";

/** The local stack from Pulumi.dev.yaml, up within 30 s. */
const startLocal = (port: number, stateDir: string, args: string[] = []) =>
  startLocalStack(port, stateDir, args, 30_000);

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

      // The banner's wid commands work as printed on this port and state directory (<token> and
      // <x5t#S256> filled in from what the previous commands printed).
      const widLines = first.banner
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("npm run wid -- "));
      const wid = (line: string, fill: Record<string, string> = {}) =>
        runTsx(
          "worker/cli/main.ts",
          line
            .replace("npm run wid -- ", "")
            .replace(/<[^>]+>/g, (slot) => fill[slot] ?? slot)
            .split(/\s+/),
        );
      const tokenLine = widLines.find((line) => line.includes(" token --workload "))!;
      const printed = await wid(tokenLine);
      assert.equal(printed.code, 0, `${tokenLine}\n${printed.stderr}`);
      const verifyLine = widLines.find(
        (line) => line.startsWith("npm run wid -- verify <token> --audience ") && !line.includes("<aud>"),
      )!;
      const verified = await wid(verifyLine, { "<token>": printed.stdout.trim() });
      assert.equal(verified.code, 0, `${verifyLine}\n${verified.stderr}`);
      const keysLine = widLines.find((line) => line.includes(" keys list"))!;
      assert.equal((await wid(keysLine)).code, 0, keysLine);
      const boundLine = widLines.find((line) => line.includes("--certificate-thumbprint"))!;
      const billing = (await (await fetch(`${issuer}/workloads/billing/token?audience=sts.amazonaws.com`)).json()) as {
        token: string;
      };
      const thumbprint = /billing\s+([A-Za-z0-9_-]{43})/.exec(first.banner)?.[1];
      assert.ok(thumbprint, "the banner lists billing's thumbprint");
      const bound = await wid(boundLine, {
        "<token>": billing.token,
        "<aud>": "sts.amazonaws.com",
        "<x5t#S256>": thumbprint,
      });
      assert.equal(bound.code, 0, `${boundLine}\n${bound.stderr}`);
      // A thumbprint is base64url and may start with "-": the printed line must still pass it as a
      // value (it is then refused as another certificate's, not as a usage error).
      const dashed = await wid(boundLine, {
        "<token>": billing.token,
        "<aud>": "sts.amazonaws.com",
        "<x5t#S256>": `-${thumbprint.slice(1)}`,
      });
      assert.equal(dashed.code, 1, `${boundLine}\n${dashed.stderr}`);

      // The edge middleware under /api/, in front of the example origin, with the example rules.
      assert.match(first.banner, new RegExp(`edge middleware on ${issuer}/api/\\*`));
      const api = "https://api.internal.example.dev";
      const minted = await fetch(`${issuer}/workloads/edge-api/token?audience=${encodeURIComponent(api)}`);
      const apiToken = ((await minted.json()) as { token: string }).token;
      const forwarded = await fetch(`${issuer}/api/reports/daily`, {
        headers: { authorization: `Bearer ${apiToken}` },
      });
      assert.equal(forwarded.status, 200);
      const echo = (await forwarded.json()) as {
        origin: string;
        identity: Record<string, string>;
        authorization: boolean;
      };
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

// The check runs before workerd starts, so a refused file costs one Node start-up, not a stack.
describe("npm start --rules FILE: the file's rules checked against the registry, as the stack's own are", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wid-start-rules-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function startWithRules(name: string, rules: unknown) {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(rules));
    const child = spawnTsx("worker/local/start.ts", [
      "--port",
      String(await freePort()),
      "--state-dir",
      join(dir, "state"),
      "--rules",
      file,
    ]);
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));
    // A stack that comes up despite the file is stopped at once, so the test fails instead of hanging.
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("Ctrl-C stops")) child.kill("SIGINT");
    });
    const code = await exited;
    return { file, code, stdout, stderr };
  }

  it("refuses rules naming an unregistered workload, workflow, account or audience, each with the fix, and starts nothing", async () => {
    const { file, code, stdout, stderr } = await startWithRules("typos.json", {
      rules: [
        { methods: ["GET"], path: "/api/ledger", allow: { workloads: ["ledger-sinc"] } },
        {
          methods: ["GET"],
          path: "/api/export",
          allow: { subjects: ["workflow/0123456789abcdef0123456789abcdef/nightly-exprt/run-1"] },
        },
        {
          methods: ["GET"],
          path: "/api/other",
          allow: { subjects: ["worker/ffffffffffffffffffffffffffffffff/billing"] },
        },
        {
          methods: ["GET"],
          path: "/api/elsewhere",
          allow: { workloads: ["billing"], audiences: ["https://elsewhere.example"] },
        },
        { methods: ["GET"], path: "/api/health", public: true },
      ],
    });
    assert.equal(code, 1, stderr);
    assert.doesNotMatch(stdout, /is running locally/);
    assert.match(stderr, new RegExp(`--rules ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*\\(4 problems\\)`));
    assert.match(
      stderr,
      /\$\.rules\[0\]\.allow\.workloads\[0\]: names 'ledger-sinc', which is not a registered workload, so this rule can only answer 403; did you mean 'ledger-sync'\?/,
    );
    assert.match(
      stderr,
      /\$\.rules\[1\]\.allow\.subjects\[0\]: names the workflow 'nightly-exprt', which is not a registered workflow.*did you mean 'nightly-export'\?/,
    );
    assert.match(
      stderr,
      /\$\.rules\[2\]\.allow\.subjects\[0\]: names account 'f{32}', but this stack's workloads and workflows are in account '0123456789abcdef0123456789abcdef'/,
    );
    assert.match(
      stderr,
      /\$\.rules\[3\]\.allow\.audiences\[0\]: names "https:\/\/elsewhere\.example", which is not among the middleware's audiences/,
    );
    assert.doesNotMatch(stderr, /rules\[4\]/);
  });

  it("still refuses a malformed file with the parser's problems, before the registry is asked", async () => {
    const { file, code, stderr } = await startWithRules("malformed.json", {
      rules: [{ methods: ["GET"], path: "/api/x", allow: { workloads: [] } }],
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /invalid rules document/);
    assert.ok(stderr.includes(`--rules ${file}: `), stderr);
    assert.doesNotMatch(stderr, /does not register/);
  });

  it("starts with a file whose rules name only what the stack registers (the example rules)", async () => {
    const { child, banner } = await startLocal(await freePort(), join(dir, "state"), [
      "--rules",
      "worker/middleware/rules.example.json",
    ]);
    try {
      assert.match(banner, /rules: worker\/middleware\/rules\.example\.json \(--rules\)/);
    } finally {
      await stop(child);
    }
  });
});
