// `npm start`: the whole system on this machine. Reads Pulumi.dev.yaml (or --stack FILE), runs
// the issuer and one example workload per registered workload in workerd, persists state under
// .wid/ so a restart keeps the keys, and prints what is running and how to try it.

import { Miniflare } from "miniflare";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors.js";
import { readStackConfigMap } from "../config/stack-file.js";
import { DEFAULT_STATE_DIR, loadOrCreateSecrets, secretsPath } from "./secrets.js";
import { localStack } from "./stack.js";

const USAGE = `usage: npm start -- [--stack Pulumi.dev.yaml] [--host 127.0.0.1] [--port 8787] [--state-dir .wid]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "Pulumi.dev.yaml" },
      host: { type: "string", default: process.env.WID_HOST ?? "127.0.0.1" },
      port: { type: "string", default: process.env.WID_PORT ?? "8787" },
      "state-dir": { type: "string", default: DEFAULT_STATE_DIR },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--port must be a TCP port number\n${USAGE}`);
  const stateDir = values["state-dir"];
  const raw = readStackConfigMap(resolve(values.stack));
  const secrets = loadOrCreateSecrets(stateDir);
  const issuerUrl = `http://${values.host}:${port}`;
  const { options, config } = await localStack({
    project: raw.project,
    stack: raw.stack,
    config: raw.config,
    issuerUrl,
    keyEncryptionKey: secrets.keyEncryptionKey,
    adminToken: secrets.adminToken,
    persistDir: resolve(stateDir, "state"),
  });
  const mf = new Miniflare(options);
  await mf.ready;

  const lines = [
    `worker-identity is running locally: stack ${config.stack}, account ${config.issuer.accountId}`,
    "",
    `  issuer     ${issuerUrl}`,
    `             ${issuerUrl}/.well-known/openid-configuration`,
    `             ${issuerUrl}/.well-known/jwks.json`,
    `  admin      ${issuerUrl}/admin/keys  (Authorization: Bearer <adminToken in ${secretsPath(stateDir)}>)`,
    "",
    "  workloads, each calling the issuer through its own service binding:",
    ...config.workloads.map(
      (w) =>
        `    ${w.name.padEnd(20)} curl '${issuerUrl}/workloads/${w.name}/token?audience=${encodeURIComponent(w.audiences[0] ?? "")}'`,
    ),
    "",
    "  try:",
    `    npm run wid -- token --workload ${config.workloads[0]?.name} --audience ${config.workloads[0]?.audiences[0]}`,
    `    npm run wid -- verify <token> --audience ${config.workloads[0]?.audiences[0]}`,
    "    npm run wid -- keys list",
    "",
    `  state persists in ${stateDir}/state (delete ${stateDir} to start afresh); Ctrl-C stops.`,
  ];
  console.log(lines.join("\n"));

  const stop = async () => {
    await mf.dispose();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? error.message : String(error));
  }
  process.exit(1);
});
