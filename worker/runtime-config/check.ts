// Worker side: the shape and version of a runtime config document, and the few invariants that
// bound what the issuer signs. The values were validated at deploy time by the stack validator,
// which stays out of the issuer bundle; this makes sure the bundle carries a document of the
// version this code reads, and that even a hand-built or stale one cannot widen a token: every
// lifetime within its caps and the platform's, one entry per name, each subject the one its name
// and the account give, no static claim over a claim the issuer sets, each native subject one
// workload's. A broken document fails with a message naming the field instead of somewhere deep
// in issuance.

import {
  MAX_CLOCK_SKEW_SECONDS,
  MAX_CLOUDFLARE_INSTANCE_ID_LENGTH,
  MAX_ROTATION_PERIOD_DAYS,
  MAX_TOKEN_LIFETIME_CAP_SECONDS,
  MIN_CLOCK_SKEW_SECONDS,
  MIN_MAX_INSTANCE_ID_LENGTH,
  MIN_ROTATION_PERIOD_DAYS,
  MIN_TOKEN_LIFETIME_SECONDS,
  RESERVED_CLAIM_NAMES,
} from "../config/limits.js";
import { IssuerConfigError } from "../errors.js";
import { THUMBPRINT_PATTERN } from "../mtls/thumbprints.js";
import { RUNTIME_CONFIG_VERSION, type RuntimeConfig } from "./types.js";

/** How to get a bundle with a runtime config of the right version. */
export const REBUILD = "rebuild and redeploy the issuer with `pulumi up` (locally: restart `npm start`)";

type Check = (value: unknown) => boolean;

const string: Check = (v) => typeof v === "string";
const record: Check = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const strings: Check = (v) => Array.isArray(v) && v.every(string);
const algorithm: Check = (v) => v === "RS256" || v === "ES256";
const wholeIn =
  (min: number, max: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const lifetime = wholeIn(MIN_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_CAP_SECONDS);
const LIFETIME = `a whole number of seconds from ${MIN_TOKEN_LIFETIME_SECONDS} to ${MAX_TOKEN_LIFETIME_CAP_SECONDS}`;
const thumbprint: Check = (v) => typeof v === "string" && THUMBPRINT_PATTERN.test(v);
/** An https URL (http only on a loopback host, as the local stand-in native issuer is), without a trailing slash. */
const trustedUrl: Check = (v) => {
  if (typeof v !== "string" || v.endsWith("/")) return false;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.hash !== "" || url.search !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
};
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const TRUSTED_URL =
  "an https URL without a trailing slash, query or fragment (http only on 127.0.0.1, localhost or [::1])";
const NATIVE: Readonly<Record<string, Field>> = {
  issuer: [trustedUrl, TRUSTED_URL],
  subject: [(v) => typeof v === "string" && v.length > 0, "a non-empty string"],
  jwksUri: [trustedUrl, TRUSTED_URL, "optional"],
};

/** A member's check and what it must be, for the message. */
type Field = readonly [check: Check, what: string, optional?: "optional"];

const ISSUER: Readonly<Record<string, Field>> = {
  accountId: [string, "a string"],
  environment: [string, "a string"],
  issuerUrl: [string, "a string"],
  scriptName: [string, "a string"],
  signingAlgorithm: [algorithm, `"RS256" or "ES256"`],
  rotationPeriodDays: [
    wholeIn(MIN_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS),
    `a whole number of days from ${MIN_ROTATION_PERIOD_DAYS} to ${MAX_ROTATION_PERIOD_DAYS}`,
  ],
  tokenLifetimeSeconds: [lifetime, LIFETIME],
  maxTokenLifetimeSeconds: [lifetime, LIFETIME],
  clockSkewSeconds: [
    wholeIn(MIN_CLOCK_SKEW_SECONDS, MAX_CLOCK_SKEW_SECONDS),
    `a whole number of seconds from ${MIN_CLOCK_SKEW_SECONDS} to ${MAX_CLOCK_SKEW_SECONDS}`,
  ],
};

const TARGET_PARTIES: ReadonlySet<unknown> = new Set(["aws", "gcp", "azure", "vault", "anthropic", "openai"]);
/** A federated target (worker/trust/targets.ts): shown on the operator page, never read to issue. */
const target: Check = (v) => {
  if (!record(v)) return false;
  const { party, target: name, audience, trusts } = v as Record<string, unknown>;
  return (
    TARGET_PARTIES.has(party) &&
    string(name) &&
    string(audience) &&
    Array.isArray(trusts) &&
    trusts.every(
      (t) =>
        record(t) && string((t as Record<string, unknown>).issuer) && string((t as Record<string, unknown>).subject),
    )
  );
};
const targets: Check = (v) => Array.isArray(v) && v.every(target);

const TOKEN_SETTINGS: Readonly<Record<string, Field>> = {
  name: [string, "a string"],
  audiences: [strings, "a list of strings"],
  tokenLifetimeSeconds: [lifetime, LIFETIME],
  maxTokenLifetimeSeconds: [lifetime, LIFETIME],
  claims: [record, "an object"],
  targets: [targets, "a list of {party, target, audience, trusts: [{issuer, subject}]}"],
};

const ACCESS: Readonly<Record<string, Field>> = {
  teamDomain: [string, "a string"],
  audience: [string, "a string"],
};

const WORKLOAD: Readonly<Record<string, Field>> = {
  ...TOKEN_SETTINGS,
  subject: [string, "a string"],
  awsSessionTags: [
    (v) =>
      record(v) &&
      record((v as Record<string, unknown>).principalTags) &&
      strings((v as Record<string, unknown>).transitiveTagKeys),
    "{principalTags, transitiveTagKeys}",
    "optional",
  ],
  certificateThumbprint: [thumbprint, "a base64url SHA-256 thumbprint (43 characters)", "optional"],
  native: [record, "an object {issuer, subject[, jwksUri]}", "optional"],
};

const WORKFLOW: Readonly<Record<string, Field>> = {
  ...TOKEN_SETTINGS,
  subjectPrefix: [string, "a string"],
  binding: [string, "a string"],
  maxInstanceIdLength: [
    wholeIn(MIN_MAX_INSTANCE_ID_LENGTH, MAX_CLOUDFLARE_INSTANCE_ID_LENGTH),
    `a whole number from ${MIN_MAX_INSTANCE_ID_LENGTH} to ${MAX_CLOUDFLARE_INSTANCE_ID_LENGTH}`,
  ],
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
  members(
    document,
    {
      project: [string, "a string"],
      stack: [string, "a string"],
      introspectionClients: [strings, "a list of strings"],
    },
    "",
  );
  if (!record(document.issuer)) throw problem("issuer", "must be an object");
  if (document.access !== undefined) {
    if (!record(document.access)) throw problem("access", "must be an object {teamDomain, audience}");
    members(document.access as Record<string, unknown>, ACCESS, "access.");
  }
  members(document.issuer as Record<string, unknown>, ISSUER, "issuer.");
  list(document, "workloads", WORKLOAD);
  list(document, "workflows", WORKFLOW);
  (document.workloads as Record<string, unknown>[]).forEach((workload, i) => {
    if (workload.native !== undefined)
      members(workload.native as Record<string, unknown>, NATIVE, `workloads[${i}].native.`);
  });
  const config = value as unknown as RuntimeConfig;
  checkBounds(config);
  return config;
}

/** The invariants that bound what the issuer signs (shapes already checked). */
function checkBounds(config: RuntimeConfig): void {
  const { issuer } = config;
  if (issuer.tokenLifetimeSeconds > issuer.maxTokenLifetimeSeconds) {
    throw problem(
      "issuer.tokenLifetimeSeconds",
      `is above issuer.maxTokenLifetimeSeconds (${issuer.maxTokenLifetimeSeconds})`,
    );
  }
  const entries = [
    ...config.workloads.map((w, i) => ({
      path: `workloads[${i}]`,
      entry: w,
      subject: w.subject,
      expected: `worker/${issuer.accountId}/${w.name}`,
    })),
    ...config.workflows.map((w, i) => ({
      path: `workflows[${i}]`,
      entry: w,
      subject: w.subjectPrefix,
      expected: `workflow/${issuer.accountId}/${w.name}/`,
    })),
  ];
  const seen = new Set<string>();
  for (const { path, entry, subject, expected } of entries) {
    const kind = path.startsWith("workloads") ? "workload" : "workflow";
    if (seen.has(`${kind}:${entry.name}`))
      throw problem(`${path}.name`, `names the ${kind} '${entry.name}' a second time`);
    seen.add(`${kind}:${entry.name}`);
    if (subject !== expected) {
      throw problem(
        `${path}.${kind === "workload" ? "subject" : "subjectPrefix"}`,
        `must be ${JSON.stringify(expected)} (its account and name)`,
      );
    }
    if (entry.maxTokenLifetimeSeconds > issuer.maxTokenLifetimeSeconds) {
      throw problem(
        `${path}.maxTokenLifetimeSeconds`,
        `is above issuer.maxTokenLifetimeSeconds (${issuer.maxTokenLifetimeSeconds})`,
      );
    }
    if (entry.tokenLifetimeSeconds > entry.maxTokenLifetimeSeconds) {
      throw problem(
        `${path}.tokenLifetimeSeconds`,
        `is above its maxTokenLifetimeSeconds (${entry.maxTokenLifetimeSeconds})`,
      );
    }
    const reserved = Object.keys(entry.claims).find((claim) => RESERVED_CLAIM_NAMES.includes(claim));
    if (reserved !== undefined)
      throw problem(`${path}.claims`, `sets ${JSON.stringify(reserved)}, a claim the issuer sets itself`);
  }
  // One native (iss, sub) is one workload: two would make an exchange's answer depend on the order.
  const natives = new Map<string, string>();
  // One issuer, one JWKS: the exchange fetches an issuer's keys once, from the first workload naming it.
  const jwksOf = new Map<string, string | undefined>();
  config.workloads.forEach((workload, i) => {
    if (workload.native === undefined) return;
    const { issuer: nativeIssuer, jwksUri } = workload.native;
    if (jwksOf.has(nativeIssuer) && jwksOf.get(nativeIssuer) !== jwksUri) {
      throw problem(`workloads[${i}].native.jwksUri`, "differs from another workload's for the same native issuer");
    }
    jwksOf.set(nativeIssuer, jwksUri);
    const key = JSON.stringify([workload.native.issuer, workload.native.subject]);
    const earlier = natives.get(key);
    if (earlier !== undefined) {
      throw problem(
        `workloads[${i}].native.subject`,
        `is the native subject of '${earlier}' too (one subject, one workload)`,
      );
    }
    natives.set(key, workload.name);
  });
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
    if (!check(value))
      throw problem(`${path}${member}`, value === undefined ? `is missing (${what})` : `must be ${what}`);
  }
}

function problem(path: string, what: string): IssuerConfigError {
  const subject = path === "" ? "the issuer's runtime config" : `the issuer's runtime config: ${path}`;
  return new IssuerConfigError(`${subject} ${what}; ${REBUILD}`);
}
