// Worker side: the shape and version of a runtime config document, and nothing more. The values
// were validated at deploy time by the stack validator, which stays out of the issuer bundle; this
// only makes sure the bundle carries a document of the version this code reads, so a hand-built
// or stale bundle fails with a message naming the field instead of somewhere deep in issuance.

import { IssuerConfigError } from "../errors.js";
import { THUMBPRINT_PATTERN } from "../mtls/thumbprints.js";
import { RUNTIME_CONFIG_VERSION, type RuntimeConfig } from "./types.js";

/** How to get a bundle with a runtime config of the right version. */
export const REBUILD = "rebuild and redeploy the issuer with `pulumi up` (locally: restart `npm start`)";

type Check = (value: unknown) => boolean;

const string: Check = (v) => typeof v === "string";
const number: Check = (v) => typeof v === "number" && Number.isFinite(v);
const record: Check = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const strings: Check = (v) => Array.isArray(v) && v.every(string);
const algorithm: Check = (v) => v === "RS256" || v === "ES256";
const thumbprint: Check = (v) => typeof v === "string" && THUMBPRINT_PATTERN.test(v);

/** A member's check and what it must be, for the message. */
type Field = readonly [check: Check, what: string, optional?: "optional"];

const ISSUER: Readonly<Record<string, Field>> = {
  accountId: [string, "a string"],
  environment: [string, "a string"],
  issuerUrl: [string, "a string"],
  scriptName: [string, "a string"],
  signingAlgorithm: [algorithm, `"RS256" or "ES256"`],
  rotationPeriodDays: [number, "a number"],
  tokenLifetimeSeconds: [number, "a number"],
  maxTokenLifetimeSeconds: [number, "a number"],
  clockSkewSeconds: [number, "a number"],
};

const TOKEN_SETTINGS: Readonly<Record<string, Field>> = {
  name: [string, "a string"],
  audiences: [strings, "a list of strings"],
  tokenLifetimeSeconds: [number, "a number"],
  maxTokenLifetimeSeconds: [number, "a number"],
  claims: [record, "an object"],
};

const WORKLOAD: Readonly<Record<string, Field>> = {
  ...TOKEN_SETTINGS,
  subject: [string, "a string"],
  awsSessionTags: [
    (v) => record(v) && record((v as Record<string, unknown>).principalTags) && strings((v as Record<string, unknown>).transitiveTagKeys),
    "{principalTags, transitiveTagKeys}",
    "optional",
  ],
  certificateThumbprint: [thumbprint, "a base64url SHA-256 thumbprint (43 characters)", "optional"],
};

const WORKFLOW: Readonly<Record<string, Field>> = {
  ...TOKEN_SETTINGS,
  subjectPrefix: [string, "a string"],
  binding: [string, "a string"],
  maxInstanceIdLength: [number, "a number"],
};

/** `value` as a RuntimeConfig, or an IssuerConfigError naming the first member that is not as this version has it. */
export function checkRuntimeConfig(value: unknown): RuntimeConfig {
  if (!record(value)) throw problem("", "must be a JSON object");
  const document = value as Record<string, unknown>;
  if (document.version !== RUNTIME_CONFIG_VERSION) {
    throw new IssuerConfigError(
      `the issuer's runtime config is version ${JSON.stringify(document.version)}, but this issuer reads version ` +
        `${RUNTIME_CONFIG_VERSION}; ${REBUILD}`,
    );
  }
  members(document, { project: [string, "a string"], stack: [string, "a string"], introspectionClients: [strings, "a list of strings"] }, "");
  if (!record(document.issuer)) throw problem("issuer", "must be an object");
  members(document.issuer as Record<string, unknown>, ISSUER, "issuer.");
  list(document, "workloads", WORKLOAD);
  list(document, "workflows", WORKFLOW);
  return value as unknown as RuntimeConfig;
}

function list(document: Record<string, unknown>, name: string, fields: Readonly<Record<string, Field>>): void {
  const entries = document[name];
  if (!Array.isArray(entries)) throw problem(name, "must be a list");
  entries.forEach((entry: unknown, i) => {
    if (!record(entry)) throw problem(`${name}[${i}]`, "must be an object");
    members(entry as Record<string, unknown>, fields, `${name}[${i}].`);
  });
}

function members(object: Record<string, unknown>, fields: Readonly<Record<string, Field>>, path: string): void {
  for (const [member, [check, what, optional]] of Object.entries(fields)) {
    const value = object[member];
    if (value === undefined && optional === "optional") continue;
    if (!check(value)) throw problem(`${path}${member}`, value === undefined ? `is missing (${what})` : `must be ${what}`);
  }
}

function problem(path: string, what: string): IssuerConfigError {
  const subject = path === "" ? "the issuer's runtime config" : `the issuer's runtime config: ${path}`;
  return new IssuerConfigError(`${subject} ${what}; ${REBUILD}`);
}
