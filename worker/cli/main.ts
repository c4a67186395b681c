// `wid <command>` (`npx wid`, `npm run wid --`): the operator's and workload developer's tool.
//   token, verify                          a token through a workload's binding; verify as a relying party
//   keys list | keys rotate | keys revoke | keys rewrap  the admin API's signing keys
//   revoke, revocations                    token revocation through the admin API
//   validate                               the stack config checked offline, with pulumi up's messages
//   trust anthropic | trust openai         the console trust a workload needs, printed from the stack file
//   explain                                why a target admits or refuses a token, from the stack's trust documents
// The commands, their options and help are a table (commands.ts); worker/cli/README.md is the
// reference. `run(argv)` returns the exit code (0 success, 1 failure, 2 usage) and never throws:
// bin/wid.js imports this module (the source through tsx, or its bundle dist/main.js) and sets
// process.exitCode; run directly (`tsx worker/cli/main.ts`), the module runs itself.

import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DISCOVERY_PATH, JWKS_PATH, REVOCATIONS_PATH } from "../http/routes.js";
import { adminTokenFor, DEFAULT_STATE_DIR, secretsPath } from "../local/secrets.js";
import { parseCommandLine } from "./arguments.js";
import { ADMIN_TOKEN_ENV, type CommandName, type CommandSpec, commandNamed } from "./commands.js";
import { explainCommand } from "./explain.js";
import { CliFailure, failureDocument, failureLine, UsageError } from "./failure.js";
import { commandHelp, overview, usageLine } from "./help.js";
import { nonJsonAnswerAt, reach, readJsonAnswer } from "./http.js";
import { issuerUrl } from "./issuer-url.js";
import { type KeyListingView, printKeyListing, printRewrap, type RewrapReportView } from "./key-listing.js";
import { printRevocations, type RevocationListingView, revocationBody } from "./revoke.js";
import { trustCommand } from "./trust.js";
import { validateStack } from "./validate.js";
import { verifyOptions, verifyToken } from "./verify.js";
import { cliVersion } from "./version.js";

/** Where a run writes and what it reads: the process's own, or a test's. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** All of stdin, for a `-` argument (`wid explain -`); absent: stdin is empty. */
  readonly stdin?: () => Promise<string>;
}

const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
});

/** A command's success: what it prints, as text and as its --json document. */
interface Printed {
  readonly text: string;
  readonly json: unknown;
}

/** The document behind each verifier failure that means "could not use the issuer's document". */
const DOCUMENT_OF: Readonly<Record<string, string>> = {
  ERR_DISCOVERY: DISCOVERY_PATH,
  ERR_JWKS_UNAVAILABLE: JWKS_PATH,
  ERR_REVOCATION_UNAVAILABLE: REVOCATIONS_PATH,
};

type Values = Readonly<Record<string, string | boolean | undefined>>;

export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const json = wantsJson(argv);
  try {
    return await dispatch(argv, io, json);
  } catch (error) {
    const failure =
      error instanceof CliFailure
        ? error
        : new CliFailure("failed", error instanceof Error ? error.message : String(error));
    if (json) {
      io.stdout(`${JSON.stringify(failureDocument(failure))}\n`);
    } else if (failure instanceof UsageError) {
      const spec = failure.command === undefined ? undefined : commandNamed(failure.command);
      const how =
        spec !== undefined
          ? `usage: ${usageLine(spec)} (\`wid ${spec.name} --help\` for its options)`
          : failure.command === "keys"
            ? `${KEYS_USAGE} (\`wid keys --help\`)`
            : failure.command === "trust"
              ? `${TRUST_USAGE} (\`wid trust --help\`)`
              : "usage: wid <command> [options] (`wid --help` lists the commands)";
      io.stderr(`${failure.message}\n${how}\n`);
    } else {
      io.stderr(`${failureLine(failure)}\n`);
    }
    return failure.exitCode;
  }
}

async function dispatch(argv: readonly string[], io: CliIo, json: boolean): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError("wid: no command given");
  if (first.startsWith("-")) return topLevel(argv, io, json);
  let name: string = first;
  let args = rest;
  if (first === "keys") {
    const [action, ...after] = rest;
    if (action === undefined || action.startsWith("-")) {
      if (wantsHelp(rest)) return print(io, false, { text: keysHelp(), json: null });
      throw new UsageError("wid keys: name an action: keys list, keys rotate, keys revoke or keys rewrap", "keys");
    }
    name = `keys ${action}`;
    args = after;
    if (commandNamed(name) === undefined) {
      throw new UsageError(`wid keys: unknown action '${action}': keys takes list, rotate, revoke or rewrap`, "keys");
    }
  }
  if (first === "trust") {
    const [party, ...after] = rest;
    if (party !== "anthropic" && party !== "openai") {
      if (party === undefined || party.startsWith("-")) {
        if (wantsHelp(rest)) return print(io, false, { text: trustHelp(), json: null });
      }
      throw new UsageError(
        party === undefined || party.startsWith("-")
          ? "wid trust: name the relying party: trust anthropic <workload> or trust openai <workload>"
          : `wid trust: unknown relying party '${party}': trust takes anthropic or openai`,
        "trust",
      );
    }
    name = `trust ${party}`;
    args = after;
  }
  const spec = commandNamed(name);
  if (spec === undefined) throw new UsageError(`wid: unknown command '${first}' (\`wid --help\` lists the commands)`);
  if (wantsHelp(args)) return print(io, false, { text: commandHelp(spec), json: null });
  const { values, positionals } = parseCommandLine(spec.name, args, spec.options);
  if (positionals.length > spec.positionals.max) {
    const extra = positionals[spec.positionals.max];
    throw new UsageError(`wid ${spec.name}: unexpected argument '${extra}'`, spec.name);
  }
  if (spec.name === "validate") {
    const outcome = validateStack(typeof values.stack === "string" ? values.stack : "dev", { cwd: io.cwd, json });
    io.stdout(outcome.stdout);
    io.stderr(outcome.stderr);
    return outcome.code;
  }
  if (spec.name === "explain") {
    const outcome = await explainCommand({
      token: positionals[0],
      target: text(values.target),
      workload: text(values.workload),
      workflow: text(values.workflow),
      audience: text(values.audience),
      awsAccount: text(values["aws-account"]),
      stack: text(values.stack) ?? "dev",
      cwd: io.cwd,
      stdin: io.stdin ?? (async () => ""),
      now: Math.floor(Date.now() / 1000),
    });
    io.stdout(`${json ? JSON.stringify(outcome.json, null, 2) : outcome.text}\n`);
    return outcome.code;
  }
  if (spec.name === "trust anthropic" || spec.name === "trust openai") {
    const party = spec.name === "trust anthropic" ? "anthropic" : "openai";
    const stack = typeof values.stack === "string" ? values.stack : "dev";
    return print(io, json, trustCommand(party, positionals[0], { stack, cwd: io.cwd }));
  }
  return print(io, json, await issuerCommand(spec, values, positionals, io));
}

const TOP_LEVEL_OPTIONS = ["-h", "--help", "--version", "--json"];

/** `wid --help`, `wid --version` (with --json: {"version"}); any other option before a command is a usage error. */
function topLevel(argv: readonly string[], io: CliIo, json: boolean): number {
  const stray = argv.find((arg) => !TOP_LEVEL_OPTIONS.includes(arg));
  if (stray !== undefined) {
    throw new UsageError(
      `wid: '${stray}' before a command: the command comes first (wid <command> [options]; \`wid --help\` lists them)`,
    );
  }
  if (wantsHelp(argv)) return print(io, false, { text: overview(), json: null });
  if (!argv.includes("--version")) throw new UsageError("wid: --json goes after a command: wid <command> --json");
  const version = cliVersion();
  return print(io, json, { text: version, json: { version } });
}

async function issuerCommand(
  spec: CommandSpec,
  values: Values,
  positionals: readonly string[],
  io: CliIo,
): Promise<Printed> {
  // Resolved here, so every message names the directory whatever the reader's cwd.
  const stateDir = resolve(io.cwd, text(values["state-dir"]) ?? DEFAULT_STATE_DIR);
  // Looked up once the command line is known good: a usage error comes before "no issuer".
  const issuer = () => issuerUrl({ flag: text(values.issuer), env: io.env, stateDir });
  type IssuerCommand = Exclude<CommandName, "validate" | "trust anthropic" | "trust openai" | "explain">;
  const name: IssuerCommand = spec.name as IssuerCommand;
  switch (name) {
    case "token":
      return token(issuer, values);
    case "verify": {
      const args = {
        token: positionals[0],
        audience: text(values.audience),
        introspect: values.introspect === true,
        clientId: text(values["client-id"]),
        certificate: text(values.certificate),
        certificateThumbprint: text(values["certificate-thumbprint"]),
        stateDir,
      };
      // Checked against a stand-in issuer first, so that a usage error comes before the issuer's lookup.
      const problem = verifyOptions({ ...args, issuer: "https://issuer.invalid" }, io.env);
      if (typeof problem === "string") throw new UsageError(`wid verify: ${problem}`, "verify");
      const at = issuer();
      const request = verifyOptions({ ...args, issuer: at }, io.env);
      if (typeof request === "string") throw new UsageError(`wid verify: ${request}`, "verify");
      const result = await verifyToken(request.token, request.options, request.presentation);
      if (!result.ok) {
        // The verifier says a document was unusable; what the issuer's URL answered says why.
        const path = DOCUMENT_OF[result.code];
        const seen = path === undefined ? undefined : await nonJsonAnswerAt(new URL(`${at}${path}`));
        throw new CliFailure(
          result.code,
          seen === undefined ? result.message : `${result.message}; ${seen}`,
          1,
          undefined,
          "invalid",
        );
      }
      const verified = { header: result.header, claims: result.claims };
      return { text: JSON.stringify(verified, null, 2), json: verified };
    }
    case "keys list":
      return admin<KeyListingView>(issuer, "/admin/keys", {}, stateDir, io, printKeyListing);
    case "keys rotate": {
      const body = JSON.stringify({ emergency: values.emergency === true });
      return admin<KeyListingView>(
        issuer,
        "/admin/keys/rotate",
        { method: "POST", body },
        stateDir,
        io,
        printKeyListing,
      );
    }
    case "keys revoke": {
      const kid = text(values.kid);
      if ((kid === undefined) === (positionals[0] === undefined)) {
        throw new UsageError("wid keys revoke: give the key's kid once: keys revoke <kid> or --kid=<kid>", spec.name);
      }
      const path = `/admin/keys/${encodeURIComponent(kid ?? positionals[0] ?? "")}/revoke`;
      return admin<KeyListingView>(issuer, path, { method: "POST" }, stateDir, io, printKeyListing);
    }
    case "keys rewrap":
      return admin<RewrapReportView>(issuer, "/admin/keys/rewrap", { method: "POST" }, stateDir, io, printRewrap);
    case "revoke": {
      const body = revocationBody({
        jti: text(values.jti),
        exp: text(values.exp),
        workload: text(values.workload),
        workflow: text(values.workflow),
      });
      if (typeof body === "string") throw new UsageError(`wid revoke: ${body}`, "revoke");
      const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
      return admin<RevocationListingView>(issuer, "/admin/revocations", init, stateDir, io, printRevocations);
    }
    case "revocations":
      return admin<RevocationListingView>(issuer, "/admin/revocations", {}, stateDir, io, printRevocations);
  }
}

async function token(issuerOf: () => string, values: Values): Promise<Printed> {
  const workload = text(values.workload);
  const audience = text(values.audience);
  if (workload === undefined || audience === undefined) {
    throw new UsageError("wid token: token needs --workload <name> and --audience <aud>", "token");
  }
  const lifetime = text(values.lifetime);
  if (lifetime !== undefined && !/^[1-9]\d*$/.test(lifetime)) {
    throw new UsageError(`wid token: --lifetime must be a whole number of seconds; got '${lifetime}'`, "token");
  }
  const issuer = issuerOf();
  const url = new URL(`${issuer}/workloads/${encodeURIComponent(workload)}/token`);
  url.searchParams.set("audience", audience);
  if (lifetime !== undefined) url.searchParams.set("lifetime", lifetime);
  const response = await reach(url);
  const body = await readJsonAnswer(response, url);
  if (response.ok && typeof body.token === "string") return { text: body.token, json: body };
  if (response.status === 404) {
    throw new CliFailure(
      text(body.code) ?? "http_error",
      `no workload '${workload}' runs at ${issuer}: the local stack runs one example Worker per workload registered in its stack file`,
      1,
      404,
    );
  }
  throw refusal(response, body, url);
}

/** One admin API call with the admin token; the answer is printed as text by `print`, or as JSON. */
async function admin<T>(
  issuerOf: () => string,
  path: string,
  init: RequestInit,
  stateDir: string,
  io: CliIo,
  print: (body: T, line: (text: string) => void) => void,
): Promise<Printed> {
  const issuer = issuerOf();
  const token = io.env[ADMIN_TOKEN_ENV] || adminTokenFor(stateDir);
  if (!token) {
    throw new CliFailure(
      "no_admin_token",
      `no admin token: set ${ADMIN_TOKEN_ENV} (the issuer's ADMIN_TOKEN secret), or run \`npm start\` once ` +
        `(it keeps its own in ${secretsPath(stateDir)}; pass --state-dir for another state directory)`,
      2,
    );
  }
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
  const url = new URL(`${issuer}${path}`);
  const response = await reach(url, { ...init, headers });
  const body = await readJsonAnswer(response, url);
  if (!response.ok) throw refusal(response, body, url);
  const lines: string[] = [];
  print(body as T, (line) => lines.push(line));
  return { text: lines.join("\n"), json: body };
}

/** An issuer's HTTP error: its own code and detail when it gave them. */
function refusal(response: Response, body: Record<string, unknown>, url: URL): CliFailure {
  const code = text(body.code);
  const detail = text(body.detail) ?? `HTTP ${response.status} from ${url.origin}${url.pathname}`;
  return new CliFailure(code ?? "http_error", detail, 1, response.status, "refused");
}

function print(io: CliIo, json: boolean, printed: Printed): number {
  io.stdout(`${json ? JSON.stringify(printed.json, null, 2) : printed.text}\n`);
  return 0;
}

const KEYS_USAGE = "usage: wid keys <list | rotate | revoke | rewrap> [options]";
const TRUST_USAGE = "usage: wid trust <anthropic | openai> <workload> [options]";

function trustHelp(): string {
  const parties = ["trust anthropic", "trust openai"].map((name) => commandNamed(name)!);
  return [
    TRUST_USAGE,
    "",
    ...parties.flatMap((spec) => [`  ${usageLine(spec)}`, `      ${spec.summary}`]),
    "",
    "`wid trust <party> --help` for each one's options",
  ].join("\n");
}

function keysHelp(): string {
  const actions = ["keys list", "keys rotate", "keys revoke", "keys rewrap"].map((name) => commandNamed(name)!);
  return [
    KEYS_USAGE,
    "",
    ...actions.flatMap((spec) => [`  ${usageLine(spec)}`, `      ${spec.summary}`]),
    "",
    "`wid keys <action> --help` for its options",
  ].join("\n");
}

/** -h or --help before any `--`: help wins over whatever else the line gets wrong. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "-h" || arg === "--help");
}

function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).includes("--json");
}

function text(value: string | boolean | undefined): string | undefined;
function text(value: unknown): string | undefined;
function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Whether Node runs this file itself (tsx worker/cli/main.ts), rather than bin/wid.js importing it. */
function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) {
  // run() never rejects; the exit code is set, not forced, so stdout drains before Node exits.
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
