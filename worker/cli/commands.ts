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
  | "keys rewrap"
  | "revoke"
  | "revocations"
  | "validate"
  | "trust anthropic"
  | "trust openai"
  | "explain";

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
    name: "keys rewrap",
    summary: "re-seal every signing key under KEY_ENCRYPTION_KEY, after a KEK rotation (admin API)",
    synopsis: "",
    details: [ADMIN, "says whether KEY_ENCRYPTION_KEY_PREVIOUS can be removed (no key is sealed under it any more)"],
    options: { ...ISSUER, ...COMMON },
    positionals: NONE,
    json: "{currentKekId, rewrapped, underPrevious, previousKekId, removable}",
    examples: ["npx wid keys rewrap"],
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
  {
    name: "explain",
    summary: "why a target admits or refuses a token: the stack's trust, condition by condition",
    synopsis:
      "<token|-> --target <t> | --workload <name> [--audience <aud>] [--target <t>] | --workflow <name> [--target <t>]",
    details: [
      "evaluates the token's claims against the trust the stack declares (Pulumi.<stack>.yaml, default dev), built by",
      "the program's own builders: an AWS role's trust policy, a GCP provider's mapping and condition and the service",
      "account's grant, an Entra application's FICs, a Vault role; prints what each condition requires, what the token",
      "carries, and the failing one with its fix. A token (or - to read it from stdin) is decoded WITHOUT verifying:",
      "`wid verify` checks its signature. --workload mints the claims locally as the issuer would (no key needed);",
      "without --target it lists every target the workload (or --workflow) reaches, and why.",
      "targets: arn:aws:iam::<account>:role/<name>, <account>@<project>.iam.gserviceaccount.com, an Entra client id,",
      "application <name> or managed identity resource id, a Vault role <mount>/role/<name> (or its name)",
      "exit 0 allowed (a listing: every target reached), 1 denied, or an unknown target, workload or invalid stack",
    ],
    options: {
      target: {
        type: "string",
        value: "<t>",
        description: "the role ARN, service account email, Entra application or Vault role",
      },
      workload: { type: "string", value: "<name>", description: "mint the claims of this workload instead of a token" },
      workflow: { type: "string", value: "<name>", description: "or of an instance of this workflow" },
      audience: { type: "string", value: "<aud>", description: "the minted claims' aud (default: the target's)" },
      "aws-account": {
        type: "string",
        value: "<id>",
        description: "the AWS account the stack deployed its OIDC provider to (default: the role ARN's)",
      },
      stack: { type: "string", value: "<name|path>", description: "the stack (default: dev)" },
      ...COMMON,
    },
    positionals: { min: 0, max: 1, names: "<token|->" },
    json: "{verified: false, source, claims, target, allowed, document, conditions: [{name, claim, requires, carries, passed, why}], failing, hint}; a listing: {stack, kind, name, subject, targets: [...], printed}",
    examples: [
      "npx wid explain --workload billing",
      "npx wid explain --workload billing --target arn:aws:iam::111122223333:role/wid-ledger-sync",
      'npx wid explain "$TOKEN" --target wid-billing@example-identity-dev.iam.gserviceaccount.com --json',
    ],
  },
];

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}
