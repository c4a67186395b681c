// `npm start`: the whole system on this machine. Reads Pulumi.dev.yaml (or --stack FILE), runs
// the issuer, one example workload per registered workload, and the edge middleware in front of an
// example origin under /api/, in workerd: configured by the stack's edgeMiddleware exactly as
// deployed (rules, audiences, revocation list, introspection client), --rules and --api-audience
// overriding (a --rules file is checked against the registry as the stack's own rules are);
// persists state under .wid/ so a restart keeps the keys, records the running stack (its URL,
// port and pid) there while it runs so the CLI finds it (running-stack.ts), and prints what is running.

import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { WORKER_ROOT } from "../build/bundle.js";
import { reportUnregisteredRuleNames } from "../config/edge-middleware-registry.js";
import { ConfigError } from "../config/errors.js";
import { IssueCollector } from "../config/issues.js";
import type { EdgeMiddlewareSettings, StackConfig } from "../config/types.js";
import { validateStackConfig } from "../config/validate.js";
import { stackWarnings } from "../config/warnings.js";
import { readStackConfigMap } from "../config-files/stack-file.js";
import { parseRules, RulesError } from "../rules/rules.js";
import { type StackMiddlewareInput, stackEdgeMiddleware } from "./edge-middleware.js";
import { recordRunningStack, removeRunningStack } from "./running-stack.js";
import { DEFAULT_STATE_DIR, loadOrCreateIntrospectionSecrets, loadOrCreateSecrets, secretsPath } from "./secrets.js";
import { localStack } from "./stack.js";

const USAGE = `usage: npm start -- [--stack Pulumi.dev.yaml] [--host 127.0.0.1] [--port 8787] [--state-dir .wid] [--rules FILE] [--api-audience AUD]`;
const EXAMPLE_RULES = resolve(WORKER_ROOT, "middleware/rules.example.json");
/** The audience of the example API: the one the `edge-api` workload may request in Pulumi.dev.yaml. */
const EXAMPLE_API_AUDIENCE = "https://api.internal.example.dev";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "Pulumi.dev.yaml" },
      host: { type: "string", default: process.env.WID_HOST ?? "127.0.0.1" },
      port: { type: "string", default: process.env.WID_PORT ?? "8787" },
      "state-dir": { type: "string", default: DEFAULT_STATE_DIR },
      // No defaults: given, they override the stack's edgeMiddleware (exampleMiddleware without one).
      rules: { type: "string" },
      "api-audience": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`--port must be a TCP port number\n${USAGE}`);
  const stateDir = values["state-dir"];
  const raw = readStackConfigMap(resolve(values.stack));
  const secrets = loadOrCreateSecrets(stateDir);
  const issuerUrl = `http://${values.host}:${port}`;
  const registry = raw.registry === undefined ? {} : { registry: raw.registry };
  const validated = validateStackConfig(raw.config, {
    project: raw.project,
    stack: raw.stack,
    localIssuerUrl: issuerUrl,
    ...registry,
  });
  for (const warning of stackWarnings(validated)) console.warn(`warning: ${warning.subject}: ${warning.message}`);
  const { introspectionClients } = validated;
  const introspectionSecrets = loadOrCreateIntrospectionSecrets(stateDir, introspectionClients);
  const middleware = localMiddleware(
    validated.edgeMiddleware,
    introspectionSecrets,
    values.rules,
    values["api-audience"],
  );
  if (values.rules !== undefined) checkRuleNames(resolve(values.rules), middleware, validated);
  const apiAudience = middleware.audiences[0] ?? EXAMPLE_API_AUDIENCE;
  // The CLI finds this stack's URL in the record below, kept in the state directory: a command
  // run with another state directory than the default's is told where it is.
  const widStateDir = stateDir === DEFAULT_STATE_DIR ? "" : ` --state-dir ${stateDir}`;
  // The example calls below are written for Pulumi.dev.yaml's own rules and audience.
  const devStackRules =
    resolve(values.stack) === resolve("Pulumi.dev.yaml") &&
    values.rules === undefined &&
    values["api-audience"] === undefined;
  const apiToken = `$(npm run -s wid -- token --workload edge-api --audience ${apiAudience}${widStateDir})`;
  const { options, config, mtlsThumbprints, native } = await localStack({
    project: raw.project,
    stack: raw.stack,
    config: raw.config,
    ...registry,
    issuerUrl,
    keyEncryptionKey: secrets.keyEncryptionKey,
    adminToken: secrets.adminToken,
    introspectionSecrets,
    persistDir: resolve(stateDir, "state"),
    edgeMiddleware: middleware,
  });
  const mf = new Miniflare(options);
  await mf.ready;
  const recorded = recordRunningStack(stateDir, {
    issuerUrl,
    port,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  });
  // However the process ends (Ctrl-C, SIGTERM, a crash), the record goes with it.
  process.once("exit", () => removeRunningStack(stateDir));
  // A bearer token verifies without a certificate: suggest a workload without mTLS first.
  const tryWorkload = config.workloads.find((w) => w.mtls === undefined) ?? config.workloads[0];

  const lines = [
    `worker-identity is running locally: stack ${config.stack}, account ${config.issuer.accountId}`,
    "",
    `  issuer     ${issuerUrl}`,
    `             ${issuerUrl}/.well-known/openid-configuration`,
    `             ${issuerUrl}/.well-known/jwks.json`,
    `  admin      ${issuerUrl}/admin/keys  (Authorization: Bearer <adminToken in ${secretsPath(stateDir)}>)`,
    `             ${issuerUrl}/admin/revocations`,
    `  operator   ${issuerUrl}/admin/  (the operator page: sign in with the adminToken in ${secretsPath(stateDir)})`,
    `  relying    ${issuerUrl}/introspect  (HTTP Basic: a client of introspectionClients, its secret in ${secretsPath(stateDir)})`,
    `  parties    ${issuerUrl}/revocations.json`,
    "",
    ...(config.workflows.length === 0
      ? []
      : [
          "  workflows, whose instances get tokens through their script's binding (example Worker):",
          ...config.workflows.map(
            (w) =>
              `    ${w.name.padEnd(20)} curl -X POST ${issuerUrl}/workflows/${w.name}/instances -d '{"audience":"${w.audiences[0] ?? ""}"}'`,
          ),
          `    then: curl ${issuerUrl}/workflows/<name>/instances/<id>/token, .../finish -d '{"outcome":"complete"}'`,
          "",
        ]),
    "  workloads, each calling the issuer through its own service binding:",
    ...config.workloads.map(
      (w) =>
        `    ${w.name.padEnd(20)} curl '${issuerUrl}/workloads/${w.name}/token?audience=${encodeURIComponent(w.audiences[0] ?? "")}'`,
    ),
    "",
    "  native-token bindings (a stand-in for Cloudflare's oidc_tokens binding: env.NATIVE_EXCHANGE.getToken(),",
    "  one audience per binding, a new JWT each call), and their exchange at the issuer (POST /token, RFC 8693):",
    `    stand-in issuer ${native.issuer}  (its .well-known/openid-configuration and jwks.json; ES256 key made per run)`,
    ...config.workloads.map(
      (w) =>
        `    ${w.name.padEnd(20)} sub ${native.subjects[w.name]}\n` +
        `    ${"".padEnd(20)} curl '${issuerUrl}/workloads/${w.name}/exchange?audience=${encodeURIComponent(w.audiences[0] ?? "")}'`,
    ),
    "",
    `  edge middleware on ${issuerUrl}/api/*  (${middleware.source}; audiences ${middleware.audiences.join(", ")})`,
    `    revocation list ${middleware.revocationList ? `${issuerUrl}/revocations.json` : "off"}, ` +
      `introspection ${middleware.introspection ? `as ${middleware.introspection.clientId}` : "off"}`,
    "    in front of an example origin that echoes the identity headers it receives:",
    `    curl ${issuerUrl}/api/health`,
    ...(devStackRules
      ? [
          `    curl -H "Authorization: Bearer ${apiToken}" ${issuerUrl}/api/reports/daily`,
          `    curl -H "Authorization: Bearer ${apiToken}" ${issuerUrl}/api/whoami   # 401: edge-api's token is certificate-bound, and this rule does not opt out`,
        ]
      : []),
    "",
    ...(Object.keys(mtlsThumbprints).length === 0
      ? []
      : [
          "  mTLS workloads, whose tokens are bound to their certificate (x5t#S256):",
          ...Object.entries(mtlsThumbprints).map(([name, thumbprint]) => `    ${name.padEnd(20)} ${thumbprint}`),
          `    npm run wid -- verify <token> --audience <aud> --certificate-thumbprint=<x5t#S256>${widStateDir}`,
          "",
        ]),
    "  try:",
    `    npm run wid -- token --workload ${tryWorkload?.name} --audience ${tryWorkload?.audiences[0]}${widStateDir}`,
    `    npm run wid -- verify <token> --audience ${tryWorkload?.audiences[0]}${widStateDir}`,
    `    npm run wid -- keys list${widStateDir}`,
    "",
    `  listening on ${issuerUrl} (recorded in ${recorded} for the CLI while this runs)`,
    `  state persists in ${stateDir}/state (delete ${stateDir} to start afresh); Ctrl-C stops.`,
  ];
  console.log(lines.join("\n"));

  const stop = async () => {
    removeRunningStack(stateDir);
    await mf.dispose();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

interface LocalMiddleware extends StackMiddlewareInput {
  /** Where the rules come from, for the banner. */
  readonly source: string;
}

/**
 * The stack's edgeMiddleware as deployed, `--rules FILE` and `--api-audience AUD` overriding its
 * rules and audiences. A stack without edgeMiddleware still gets the example middleware (the
 * example rules and audience), and checks the local revocation list, so that a token revoked
 * locally is refused everywhere locally; it has no introspection client to ask as.
 */
function localMiddleware(
  settings: EdgeMiddlewareSettings | undefined,
  introspectionSecrets: Readonly<Record<string, string>>,
  rulesOption: string | undefined,
  audienceOption: string | undefined,
): LocalMiddleware {
  const rulesFile = rulesOption === undefined ? undefined : resolve(rulesOption);
  const overrides = {
    ...(rulesFile === undefined ? {} : { rules: readRules(rulesFile) }),
    ...(audienceOption === undefined ? {} : { audiences: [audienceOption] }),
  };
  const fromFile = rulesFile === undefined ? undefined : `rules: ${relative(process.cwd(), rulesFile)} (--rules)`;
  if (settings !== undefined) {
    return {
      ...stackEdgeMiddleware(settings, introspectionSecrets),
      ...overrides,
      source: fromFile ?? "the stack's edgeMiddleware rules",
    };
  }
  return {
    rules: readRules(EXAMPLE_RULES),
    audiences: [EXAMPLE_API_AUDIENCE],
    forwardAuthorization: false,
    revocationList: true,
    clientCertificates: "none",
    ...overrides,
    source: fromFile ?? `rules: ${relative(process.cwd(), EXAMPLE_RULES)} (the stack has no edgeMiddleware)`,
  };
}

/** The rules file, checked now so a broken one stops `npm start` with every problem listed. */
function readRules(file: string): unknown {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch (error) {
    throw new Error(`--rules ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    parseRules(document);
  } catch (error) {
    if (error instanceof RulesError) throw new Error(`--rules ${file}: ${error.message}`);
    throw error;
  }
  return document;
}

/**
 * `--rules FILE` against the stack's registry, as the stack validator checks the stack's own
 * rules (edge-middleware-registry.ts): a rule naming an unregistered workload or workflow, another
 * account or an audience the middleware does not accept stops `npm start`, every problem listed.
 */
function checkRuleNames(file: string, middleware: LocalMiddleware, validated: StackConfig): void {
  const issues = new IssueCollector();
  reportUnregisteredRuleNames(
    { rules: middleware.rules, audiences: middleware.audiences },
    {
      accountId: validated.issuer.accountId,
      workloads: validated.workloads.map((w) => w.name),
      workflows: validated.workflows.map((w) => w.name),
      // The stack's one setting, copied into every workflow; with none, no workflow subject is valid anyway.
      maxInstanceIdLength: validated.workflows[0]?.maxInstanceIdLength,
    },
    RULES_KEY,
    issues,
  );
  if (issues.count === 0) return;
  // The keys read "$.rules[0].allow.workloads[0]", as readRules' problems do, after the file's name.
  const lines = issues.issues.map((issue) => `  - ${issue.key.replace(`${RULES_KEY}.rules `, "")}: ${issue.message}`);
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  throw new Error(`--rules ${file}: the rules name what this stack does not register (${count}):\n${lines.join("\n")}`);
}
const RULES_KEY = "--rules";

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? error.message : String(error));
  }
  process.exit(1);
});
