// `wid --help` (every command, the exit codes, the environment) and `wid <command> --help` (its
// usage, options and examples), both rendered from the command table (commands.ts).

import { ADMIN_TOKEN_ENV, COMMANDS, type CommandSpec } from "./commands.js";
import { ISSUER_ENV } from "./issuer-url.js";
import { INTROSPECTION_CLIENT_ENV, INTROSPECTION_SECRET_ENV } from "./verify.js";

export const EXIT_CODES = [
  "0  success",
  "1  failure: refused by the issuer, an invalid token or stack config, no issuer, an unreachable issuer,",
  "   an HTTP error or an answer that is not JSON; explain: denied, or an unknown target or workload",
  "2  usage: unknown command or option, a missing or malformed argument, a missing admin token or secret",
];

export function usageLine(spec: CommandSpec): string {
  return `wid ${spec.name}${spec.synopsis === "" ? "" : ` ${spec.synopsis}`} [options]`;
}

export function overview(): string {
  const width = Math.max(...COMMANDS.map((spec) => spec.name.length));
  return [
    "wid: worker-identity's CLI: tokens, verification, keys and revocation through an issuer, stack configs and their trust",
    "",
    "usage: wid <command> [options]      wid <command> --help      wid --version",
    "",
    "commands:",
    ...COMMANDS.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    "",
    "every command takes --json (one JSON document on stdout; a failure is {error: {code, message}}) and -h, --help.",
    "",
    "the issuer: --issuer <url>, else WID_ISSUER, else the local stack `npm start` runs (it records its URL in",
    "--state-dir, default .wid, while it runs); with none of them the command fails and says so.",
    "",
    "environment:",
    `  ${ISSUER_ENV}                    the issuer's URL, when --issuer is not given`,
    `  ${ADMIN_TOKEN_ENV}               the admin token (keys, revoke, revocations), else the local stack's`,
    `  ${INTROSPECTION_CLIENT_ENV}   the introspection client of verify --introspect, when --client-id is not given`,
    `  ${INTROSPECTION_SECRET_ENV}      its secret, else the local stack's`,
    "",
    "exit codes:",
    ...EXIT_CODES.map((line) => `  ${line}`),
    "",
    "in a checkout: npx wid <command>, or npm run wid -- <command>",
  ].join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short === undefined ? "    " : `-${option.short}, `}--${name}${option.value === undefined ? "" : ` ${option.value}`}`;
    return { flag, description: option.description };
  });
  const width = Math.max(...options.map((o) => o.flag.length));
  return [
    `usage: ${usageLine(spec)}`,
    "",
    spec.summary,
    ...spec.details.map((line) => `  ${line}`),
    "",
    "options:",
    ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.description}`),
    "",
    `--json prints: ${spec.json}`,
    "",
    "examples:",
    ...spec.examples.map((example) => `  ${example}`),
    "",
    "exit codes:",
    ...EXIT_CODES.map((line) => `  ${line}`),
  ].join("\n");
}
