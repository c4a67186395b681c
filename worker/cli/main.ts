// `npm run wid -- <command>`: the operator's and workload developer's tool.
//   token  --workload <name> --audience <aud> [--lifetime <s>]   a token minted through that workload's binding
//   verify <token> --audience <aud> [--certificate <pem> | --certificate-thumbprint <x5t#S256>] [--introspect [--client-id <id>]] [--issuer <url>]
//                                      verify as a relying party (discovery, JWKS, revocation list; with
//                                      --introspect also /introspect), print the claims
//   keys list | keys rotate [--emergency] | keys revoke <kid>    the admin API
//   revoke --jti <jti> --exp <exp> | --workload <name> | --workflow <name>; revocations   token revocation
//   validate [--stack dev] [--json]   the stack config checked offline, with pulumi up's messages
// Every command talks to an issuer over HTTP: by default the local stack (`npm start`).

import { parseArgs } from "node:util";
import { adminTokenFor, DEFAULT_STATE_DIR } from "../local/secrets.js";
import { type KeyListingView, printKeyListing } from "./key-listing.js";
import { printRevocations, type RevocationListingView, revocationBody } from "./revoke.js";
import { validateStack } from "./validate.js";
import { INTROSPECTION_CLIENT_ENV, INTROSPECTION_SECRET_ENV, verifyOptions, verifyToken } from "./verify.js";

const DEFAULT_ISSUER = process.env.WID_ISSUER ?? "http://127.0.0.1:8787";

const USAGE = `usage:
  npm run wid -- token --workload <name> --audience <aud> [--lifetime <seconds>] [--issuer <url>]
  npm run wid -- verify <token> --audience <aud> [--certificate <pem> | --certificate-thumbprint <x5t#S256>] [--introspect [--client-id <id>]] [--issuer <url>]
      a certificate-bound token verifies only with its client certificate (--certificate or --certificate-thumbprint); checks the issuer's revocation list; --introspect also asks its /introspect as an introspection
      client (--client-id or ${INTROSPECTION_CLIENT_ENV}; secret: ${INTROSPECTION_SECRET_ENV} or the local stack's)
  npm run wid -- keys list [--issuer <url>]
  npm run wid -- keys rotate [--emergency] [--issuer <url>]
  npm run wid -- keys revoke --kid <kid> [--issuer <url>]   (a kid may start with "-": use --kid=<kid>)
  npm run wid -- revoke --jti <jti> --exp <exp> | --workload <name> | --workflow <name> [--issuer <url>]
  npm run wid -- revocations [--issuer <url>]
  npm run wid -- validate [--stack <name> | --stack <path to Pulumi.<name>.yaml>] [--json]
      the stack config checked offline, with the messages pulumi up gives (exit 1 when invalid)
The issuer defaults to ${DEFAULT_ISSUER} (WID_ISSUER); admin commands read WID_ADMIN_TOKEN or the local stack's secrets.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workload: { type: "string" },
      workflow: { type: "string" },
      jti: { type: "string" },
      exp: { type: "string" },
      audience: { type: "string" },
      introspect: { type: "boolean", default: false },
      "client-id": { type: "string" },
      certificate: { type: "string" },
      "certificate-thumbprint": { type: "string" },
      lifetime: { type: "string" },
      issuer: { type: "string", default: DEFAULT_ISSUER },
      kid: { type: "string" },
      emergency: { type: "boolean", default: false },
      "state-dir": { type: "string", default: DEFAULT_STATE_DIR },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      stack: { type: "string", default: "dev" },
    },
  });
  const [command, ...rest] = positionals;
  if (command === "validate" && !values.help) {
    const outcome = validateStack(values.stack, { cwd: process.cwd(), json: values.json });
    process.stdout.write(outcome.stdout);
    process.stderr.write(outcome.stderr);
    return outcome.code;
  }
  const issuer = values.issuer.replace(/\/+$/, "");
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case "token": {
      if (!values.workload || !values.audience) throw new UsageError("token needs --workload and --audience");
      const url = new URL(`${issuer}/workloads/${encodeURIComponent(values.workload)}/token`);
      url.searchParams.set("audience", values.audience);
      if (values.lifetime) url.searchParams.set("lifetime", values.lifetime);
      const response = await reach(url);
      if (response.status === 404) {
        console.error(
          `no workload '${values.workload}' runs at ${issuer}: the local stack runs one example Worker per workload registered in its stack file`,
        );
        return 1;
      }
      const body = (await response.json()) as { token?: string; code?: string; detail?: string };
      if (!body.token) {
        console.error(`refused: ${body.code ?? response.status}: ${body.detail ?? "no detail"}`);
        return 1;
      }
      console.log(body.token);
      return 0;
    }
    case "verify": {
      const request = verifyOptions({
        token: rest[0],
        issuer,
        audience: values.audience,
        introspect: values.introspect,
        clientId: values["client-id"],
        certificate: values.certificate,
        certificateThumbprint: values["certificate-thumbprint"],
        stateDir: values["state-dir"],
      });
      if (typeof request === "string") throw new UsageError(request);
      const result = await verifyToken(request.token, request.options, request.presentation);
      if (!result.ok) {
        console.error(`invalid: ${result.code}: ${result.message}`);
        return 1;
      }
      console.log(JSON.stringify({ header: result.header, claims: result.claims }, null, 2));
      return 0;
    }
    case "keys":
      return keys(values.kid === undefined ? rest : [rest[0] ?? "", values.kid], issuer, values);
    case "revoke":
    case "revocations":
      return revocations(command, issuer, values);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

async function keys(
  args: string[],
  issuer: string,
  values: { emergency: boolean; "state-dir": string; json: boolean },
): Promise<number> {
  const [action, kid] = args;
  let path: string;
  let init: RequestInit = {};
  if (action === "list") {
    path = "/admin/keys";
  } else if (action === "rotate") {
    path = "/admin/keys/rotate";
    init = { method: "POST", body: JSON.stringify({ emergency: values.emergency }) };
  } else if (action === "revoke") {
    if (!kid) throw new UsageError("keys revoke needs --kid=<kid> (see keys list)");
    path = `/admin/keys/${encodeURIComponent(kid)}/revoke`;
    init = { method: "POST" };
  } else {
    throw new UsageError("keys takes list, rotate or revoke");
  }
  return admin<KeyListingView>(issuer, path, init, values, printKeyListing);
}

async function revocations(
  command: "revoke" | "revocations",
  issuer: string,
  values: { jti?: string; exp?: string; workload?: string; workflow?: string; "state-dir": string; json: boolean },
): Promise<number> {
  let init: RequestInit = {};
  if (command === "revoke") {
    const body = revocationBody(values);
    if (typeof body === "string") throw new UsageError(body);
    init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  }
  return admin<RevocationListingView>(issuer, "/admin/revocations", init, values, printRevocations);
}

/** One admin API call with the admin token; prints the answer (JSON with --json) or the refusal. */
async function admin<T>(
  issuer: string,
  path: string,
  init: RequestInit,
  values: { "state-dir": string; json: boolean },
  print: (body: T) => void,
): Promise<number> {
  const token = adminTokenFor(values["state-dir"]);
  if (!token) throw new UsageError("set WID_ADMIN_TOKEN (the issuer's ADMIN_TOKEN secret), or run `npm start` once");
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
  const response = await reach(new URL(`${issuer}${path}`), { ...init, headers });
  const body = (await response.json()) as T & { detail?: string; code?: string };
  if (!response.ok) {
    console.error(`refused: ${body.code ?? response.status}: ${body.detail ?? "no detail"}`);
    return 1;
  }
  if (values.json) console.log(JSON.stringify(body, null, 2));
  else print(body);
  return 0;
}

async function reach(url: URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new UsageError(
      `no issuer answers at ${url.origin}; start the local stack with \`npm start\`, or pass --issuer`,
    );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
