// Every wid command as data: its synopsis, options, positional arguments, --json shape and
// examples. The parser (arguments.ts), `--help` (help.ts) and worker/cli/README.md read the same
// table, so a new option is one row here and its use in main.ts.

import { DEFAULT_STATE_DIR } from "../local/secrets.js";
import type { OptionTable } from "./arguments.js";
import { ISSUER_ENV } from "./issuer-url.js";
import { INTROSPECTION_CLIENT_ENV, INTROSPECTION_SECRET_ENV } from "./verify.js";

export const ADMIN_TOKEN_ENV = "WID_ADMIN_TOKEN";

export type CommandName =
  | "token"
  | "verify"
  | "keys list"
  | "keys rotate"
  | "keys revoke"
  | "revoke"
  | "revocations"
  | "validate"
  | "trust anthropic"
  | "trust openai";

export interface CommandSpec {
  readonly name: CommandName;
  readonly summary: string;
  /** What follows `wid <name>` in the usage line. */
  readonly synopsis: string;
  readonly details: readonly string[];
  readonly options: OptionTable;
  /** How many positional arguments it takes. */
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string };
  /** What --json prints on success. */
  readonly json: string;
  readonly examples: readonly string[];
}

const COMMON: OptionTable = {
  json: { type: "boolean", description: "print one JSON document on stdout, a failure as {error: {code, message}}" },
  help: { type: "boolean", short: "h", description: "print this help" },
};

const ISSUER: OptionTable = {
  issuer: {
    type: "string",
    value: "<url>",
    description: `the issuer's URL (default: ${ISSUER_ENV}, else the local stack \`npm start\` runs)`,
  },
  "state-dir": {
    type: "string",
    value: "<dir>",
    description: `the local stack's state directory, where it records its URL and secrets (default: ${DEFAULT_STATE_DIR})`,
  },
};

const ADMIN = `needs the admin token: ${ADMIN_TOKEN_ENV} (the issuer's ADMIN_TOKEN secret), else the local stack's`;
const NONE = { min: 0, max: 0, names: "" };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "token",
    summary: "a token minted through a workload's binding (the local stack's example Worker)",
    synopsis: "--workload <name> --audience <aud> [--lifetime <seconds>]",
    details: ["prints the token; the workload must run at the issuer's URL (the local stack runs one per workload)"],
    options: {
      workload: { type: "string", value: "<name>", description: "the workload, as registered in the stack config" },
      audience: { type: "string", value: "<aud>", description: "one of the workload's audiences" },
      lifetime: { type: "string", value: "<seconds>", description: "the token's lifetime (default: the workload's)" },
      ...ISSUER,
      ...COMMON,
    },
    positionals: NONE,
    json: "the issuer's answer: {token, expiresAt}",
    examples: ["npx wid token --workload ledger-sync --audience sts.amazonaws.com"],
  },
  {
    name: "verify",
    summary: "verify a token as a relying party and print its header and claims",
    synopsis:
      "<token> --audience <aud> [--certificate <pem> | --certificate-thumbprint <x5t#S256>] [--introspect [--client-id <id>]]",
    details: [
      "discovery, the JWKS, every check a relying party makes, then the issuer's revocation list;",
      "a certificate-bound token verifies only with its client certificate (--certificate or --certificate-thumbprint);",
      `--introspect also asks the issuer's /introspect as an introspection client (--client-id or ${INTROSPECTION_CLIENT_ENV};`,
      `its secret: ${INTROSPECTION_SECRET_ENV}, else the local stack's)`,
      "prints {header, claims} as JSON, with or without --json",
    ],
    options: {
      audience: { type: "string", value: "<aud>", description: "the audience the relying party expects" },
      certificate: {
        type: "string",
        value: "<pem>",
        description: "the client certificate's PEM file a certificate-bound token is presented with",
      },
      "certificate-thumbprint": {
        type: "string",
        value: "<x5t#S256>",
        description: "or that certificate's thumbprint (`npm start` prints it)",
      },
      introspect: { type: "boolean", description: "also ask the issuer's /introspect (RFC 7662)" },
      "client-id": { type: "string", value: "<id>", description: "the introspection client to ask as" },
      ...ISSUER,
      ...COMMON,
    },
    positionals: { min: 1, max: 1, names: "<token>" },
    json: "{header, claims}",
    examples: [
      'npx wid verify "$(npx wid token --workload ledger-sync --audience sts.amazonaws.com)" --audience sts.amazonaws.com',
    ],
  },
  {
    name: "keys list",
    summary: "the issuer's signing keys, their states and recent key events (admin API)",
    synopsis: "",
    details: [ADMIN],
    options: { ...ISSUER, ...COMMON },
    positionals: NONE,
    json: "the admin API's listing: {now, keys, events, rotationPeriodDays, jwksMaxAgeSeconds, publicationDelaySeconds, nextCheckAt}",
    examples: ["npx wid keys list", "npx wid keys list --json"],
  },
  {
    name: "keys rotate",
    summary: "publish the next signing key ahead of schedule (it signs after the publication delay)",
    synopsis: "[--emergency]",
    details: [ADMIN],
    options: {
      emergency: {
        type: "boolean",
        description: "stop signing with the active key now (it stays published; a compromised key: keys revoke)",
      },
      ...ISSUER,
      ...COMMON,
    },
    positionals: NONE,
    json: "the key listing after the rotation (as keys list)",
    examples: ["npx wid keys rotate"],
  },
  {
    name: "keys revoke",
    summary: "withdraw one signing key from the JWKS now: every token it signed stops verifying",
    synopsis: "<kid> | --kid <kid>",
    details: [ADMIN, 'a kid starting with "-" is written --kid=<kid>'],
    options: {
      kid: { type: "string", value: "<kid>", description: "the key's kid (see keys list)" },
      ...ISSUER,
      ...COMMON,
    },
    positionals: { min: 0, max: 1, names: "<kid>" },
    json: "the key listing after the revocation (as keys list)",
    examples: ["npx wid keys revoke --kid=<kid from keys list>"],
  },
  {
    name: "revoke",
    summary: "revoke one token, or every token of a workload or workflow issued up to now",
    synopsis: "--jti <jti> --exp <exp> | --workload <name> | --workflow <name>",
    details: [
      ADMIN,
      "prints what it did: revoked, revoked again (covering more), or already revoked (nothing changed)",
    ],
    options: {
      jti: { type: "string", value: "<jti>", description: "one token's jti claim" },
      exp: { type: "string", value: "<exp>", description: "that token's exp claim (how long the entry is kept)" },
      workload: { type: "string", value: "<name>", description: "every token of this workload issued up to now" },
      workflow: { type: "string", value: "<name>", description: "every token of every instance of this workflow" },
      ...ISSUER,
      ...COMMON,
    },
    positionals: NONE,
    json: "{now, entries, outcome: added|extended|unchanged, entry, registered}",
    examples: ["npx wid revoke --workload ledger-sync"],
  },
  {
    name: "revocations",
    summary: "the issuer's live revocation list (admin API)",
    synopsis: "",
    details: [ADMIN],
    options: { ...ISSUER, ...COMMON },
    positionals: NONE,
    json: "{now, entries: [{kind, jti | name, revokedAt, expiresAt}]}",
    examples: ["npx wid revocations --json"],
  },
  {
    name: "validate",
    summary: "check a stack config offline, with the messages `pulumi up` gives",
    synopsis: "[--stack <name> | --stack <path to Pulumi.<name>.yaml>]",
    details: ["a stack name as `pulumi -s` takes it reads Pulumi.<name>.yaml in this directory; exit 1 when invalid"],
    options: {
      stack: { type: "string", value: "<name|path>", description: "the stack (default: dev)" },
      ...COMMON,
    },
    positionals: NONE,
    json: "{valid: true, stack, workloads, workflows, warnings} or {valid: false, issues: [{key, message}]}",
    examples: ["npx wid validate", "npx wid validate --stack dev --json"],
  },

  {
    name: "trust anthropic",
    summary: "the Claude API federation issuer and rule a workload needs, as the Admin API takes them",
    synopsis: "<workload> [--stack <name> | --stack <path>]",
    details: [
      "read offline from Pulumi.<stack>.yaml (default dev), as the program's anthropic output: the issuer (this stack's",
      "exact iss, keys by discovery) and a rule matching exactly the workload's sub and audience, with curl commands;",
      "exit 1 for an invalid or missing stack, an unknown workload, or a workload without an anthropic section",
    ],
    options: {
      stack: { type: "string", value: "<name|path>", description: "the stack (default: dev)" },
      ...COMMON,
    },
    positionals: { min: 1, max: 1, names: "<workload>" },
    json: "{issuer, subject, audience, federationIssuer, federationRule, exchange, placeholders, calls: [{title, method, url, body, curl}]}",
    examples: ["npx wid trust anthropic support-agent", "npx wid trust anthropic support-agent --stack dev --json"],
  },
  {
    name: "trust openai",
    summary: "the OpenAI workload identity provider and service-account mapping a workload needs",
    synopsis: "<workload> [--stack <name> | --stack <path>]",
    details: [
      "read offline from Pulumi.<stack>.yaml (default dev), as the program's openai output: the provider (this stack's",
      "exact iss, one audience, keys by discovery) and a federation rule whose attribute_matchers hold exactly the",
      "workload's sub, with curl commands; exit 1 as trust anthropic",
    ],
    options: {
      stack: { type: "string", value: "<name|path>", description: "the stack (default: dev)" },
      ...COMMON,
    },
    positionals: { min: 1, max: 1, names: "<workload>" },
    json: "{issuer, subject, audience, identityProviderId, workloadIdentityProvider, federationRule, exchange, placeholders, calls}",
    examples: ["npx wid trust openai search-indexer --json"],
  },
];

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}
