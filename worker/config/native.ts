// A workload's `native` section: the issuer and subject `wrangler deploy` printed for Cloudflare's
// own `oidc_tokens` binding, and the audiences those bindings use. Read here field by field, then
// resolved against the stack (the clouds the workload uses, the issuer's own URL, the other
// workloads' native identities). Nothing here knows a native token's other claims: only iss, sub
// and aud are public, so only they are configured.

import {
  describeValue,
  type FieldReader,
  readDistinctStrings,
  readMapSection,
  readString,
  utf8Length,
} from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import { MAX_GCP_SUBJECT_BYTES } from "./limits.js";
import { AWS_IAM, GCP_IAM } from "./provider-limits.js";
import type { NativeTokenSettings } from "./types.js";

/** Cloudflare's rule for an `oidc_tokens` binding's audience: 1 to 2048 printable ASCII characters, no whitespace. */
export const NATIVE_AUDIENCE_PATTERN = /^[\x21-\x7e]{1,2048}$/;
export const MAX_NATIVE_AUDIENCE_LENGTH = 2_048;
/** A subject trusted exactly: printable ASCII without whitespace (AWS StringEquals and GCP compare it verbatim). */
const SUBJECT_PATTERN = /^[\x21-\x7e]+$/;
/** Characters AWS's StringLike and GCP's principal sets read as wildcards: never in a subject trusted exactly. */
const WILDCARD_CHARACTERS = /[*?]/;

const NATIVE_FIELDS = {
  issuer: {
    read: readNativeIssuer,
    required: "is missing; copy the issuer wrangler deploy printed for this Worker, e.g. issuer: https://<issuer>",
  },
  subject: {
    read: readNativeSubject,
    required: 'is missing; copy the subject wrangler deploy printed for this Worker, e.g. subject: "<subject>"',
  },
  audiences: {
    read: readNativeAudiences,
    required:
      "is missing; list the audiences this Worker's oidc_tokens bindings use, e.g. audiences: [sts.amazonaws.com]",
  },
  jwksUri: { read: readJwksUri },
} as const;

export const WORKLOAD_NATIVE_EMPTY =
  "is empty; write the issuer and subject wrangler deploy printed and the audiences of the Worker's oidc_tokens " +
  "bindings ({issuer: https://<issuer>, subject: <subject>, audiences: [sts.amazonaws.com]}), or delete the line";

export const readWorkloadNative: FieldReader<NativeTokenSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, NATIVE_FIELDS, {
    what: "a native field (issuer, subject, audiences, jwksUri)",
    shape: "a map like {issuer: https://<issuer>, subject: <subject>, audiences: [sts.amazonaws.com]}",
  });
  if (fields?.issuer === undefined || fields.subject === undefined || fields.audiences === undefined) return undefined;
  return {
    issuer: fields.issuer,
    subject: fields.subject,
    audiences: fields.audiences,
    ...(fields.jwksUri === undefined ? {} : { jwksUri: fields.jwksUri }),
  };
};

/** Why `text` cannot be an issuer (AWS's provider URL, GCP's issuerUri: both compared with iss verbatim), or undefined. */
export function nativeIssuerProblem(text: string): string | undefined {
  const shown = describeValue(text);
  if (text !== text.trim()) return `has leading or trailing whitespace (${shown}); write '${text.trim()}'`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is ${shown}, not a URL; copy the issuer wrangler deploy printed (an https URL)`;
  }
  if (url.protocol !== "https:") return `is ${shown}, but AWS and GCP trust only https issuers; write the https URL`;
  if (url.username !== "" || url.password !== "") return "carries credentials; write the issuer without them";
  if (/^https:\/\/[^/?#]*:\d*(?:[/?#]|$)/i.test(text)) {
    return "names a port, which AWS refuses in an OIDC provider URL; write the issuer as wrangler deploy printed it";
  }
  if (text.includes("?")) return "has a query, which AWS refuses in an OIDC provider URL; remove it";
  if (text.includes("#")) return "has a fragment, which iss never has; remove it";
  if (text.endsWith("/")) {
    return `ends with '/'; remove the trailing slash: '${text.replace(/\/+$/, "")}' (iss is compared verbatim)`;
  }
  if (url.href !== text && url.href !== `${text}/`) {
    return `is not written as the URL it stands for ('${url.href.replace(/\/$/, "")}'); write it exactly as iss has it`;
  }
  if (text.length > AWS_IAM.oidcProviderUrl.value) {
    return `is ${text.length} characters long, more than the ${AWS_IAM.oidcProviderUrl.value} an AWS OIDC provider URL may have`;
  }
  return undefined;
}

function readNativeIssuer(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the https issuer URL wrangler deploy printed");
  if (text === undefined) return undefined;
  const problem = nativeIssuerProblem(text);
  if (problem === undefined) return text;
  issues.add(key, problem);
  return undefined;
}

function readNativeSubject(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the subject wrangler deploy printed");
  if (text === undefined) return undefined;
  const problem = subjectProblem(text);
  if (problem === undefined) return text;
  issues.add(key, problem);
  return undefined;
}

function subjectProblem(subject: string): string | undefined {
  if (subject === "") return "is empty; copy the subject wrangler deploy printed for this Worker";
  if (/\s/.test(subject)) {
    return (
      `contains whitespace (${describeValue(subject)}); copy the subject exactly as wrangler deploy printed it ` +
      `(trimmed: '${subject.replace(/\s+/g, "")}'), since relying parties compare sub verbatim`
    );
  }
  if (WILDCARD_CHARACTERS.test(subject)) {
    return (
      `contains '*' or '?' (${describeValue(subject)}); a role or service account trusts one exact subject, ` +
      "never a pattern: write the one subject wrangler deploy printed"
    );
  }
  if (!SUBJECT_PATTERN.test(subject)) {
    return `contains a character that is not printable ASCII (${describeValue(subject)}); copy the subject exactly as wrangler deploy printed it`;
  }
  return undefined;
}

function readNativeAudiences(value: unknown, key: string, issues: IssueCollector): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    const single = typeof value === "string" ? `; write it as a list: [${value}]` : ", e.g. [sts.amazonaws.com]";
    issues.add(key, `is ${describeValue(value)}, but must be the list of the oidc_tokens bindings' audiences${single}`);
    return undefined;
  }
  if (value.length === 0) {
    issues.add(key, "is empty; list the audience of each oidc_tokens binding of this Worker, e.g. [sts.amazonaws.com]");
    return undefined;
  }
  const audiences = issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "an audience string such as sts.amazonaws.com",
      problem: nativeAudienceProblem,
      repeated: (audience, first) => `repeats audiences[${first}] (${describeValue(audience)}); remove the duplicate`,
    }),
  );
  return audiences === undefined ? undefined : Object.freeze([...audiences].sort());
}

function nativeAudienceProblem(audience: string): string | undefined {
  if (NATIVE_AUDIENCE_PATTERN.test(audience)) return undefined;
  if (audience === "") return "is empty; write the binding's audience (e.g. sts.amazonaws.com) or remove the entry";
  if (audience.length > MAX_NATIVE_AUDIENCE_LENGTH) {
    return `is ${audience.length} characters long, more than the ${MAX_NATIVE_AUDIENCE_LENGTH} Cloudflare allows for a binding's audience`;
  }
  return (
    `is ${describeValue(audience)}, but a binding's audience is printable ASCII without whitespace ` +
    "(Cloudflare's rule); write it as the oidc_tokens binding has it"
  );
}

function readJwksUri(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the https URL of the issuer's JWKS");
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol === "https:" && url.username === "" && url.password === "" && !text.includes("#")) return text;
  issues.add(
    key,
    `is ${describeValue(text)}, but must be an https URL (without credentials or fragment); ` +
      "remove it to use the jwks_uri of the issuer's discovery document",
  );
  return undefined;
}

// ---- against the stack ---------------------------------------------------------------------

/** What resolving a workload's native section needs; undefined values were invalid (already reported). */
export interface NativeContext {
  /** This stack's own issuer URL. */
  readonly issuerUrl: string | undefined;
  readonly accountId: string | undefined;
  /** The audience each cloud the workload uses trusts (AWS's client id, GCP's provider audience). */
  readonly awsAudience: string | undefined;
  readonly gcpAudience: string | undefined;
}

/** A workload's native identity, to compare across workloads once. */
export interface NativeClaim {
  readonly workload: string;
  /** The workload's `native` key. */
  readonly key: string;
  readonly issuer: string;
  readonly subject: string;
  readonly jwksUri: string | undefined;
  readonly gcp: boolean;
}

/**
 * Checks a workload's native section against the stack and its own clouds: the issuer is not this
 * stack's, the subject cannot be one this issuer mints, it fits google.subject when the workload
 * has gcp, and the native audiences include each of its clouds' audiences.
 */
export function resolveWorkloadNative(
  workload: { readonly name: string; readonly key: string; readonly aws: boolean; readonly gcp: boolean },
  native: NativeTokenSettings,
  context: NativeContext,
  claims: NativeClaim[],
  issues: IssueCollector,
): NativeTokenSettings | undefined {
  const key = memberKey(workload.key, "native");
  const ok = issues.checked(() => {
    if (context.issuerUrl !== undefined && native.issuer === context.issuerUrl) {
      issues.add(
        memberKey(key, "issuer"),
        `is this stack's own issuer (${context.issuerUrl}), whose tokens this workload already gets; ` +
          "write the issuer wrangler deploy printed for the oidc_tokens binding, or remove native",
      );
    }
    const subjectKey = memberKey(key, "subject");
    if (context.accountId !== undefined) {
      for (const prefix of [`worker/${context.accountId}/`, `workflow/${context.accountId}/`]) {
        if (!native.subject.startsWith(prefix)) continue;
        issues.add(
          subjectKey,
          `starts with '${prefix}', the form of the subjects this stack's issuer mints, so one GCP pool or AWS ` +
            "condition could not tell the two issuers' tokens apart; copy the subject wrangler deploy printed",
        );
      }
    }
    const bytes = utf8Length(native.subject);
    if (workload.gcp && bytes > MAX_GCP_SUBJECT_BYTES) {
      issues.add(
        subjectKey,
        `is ${bytes} bytes, more than GCP's ${GCP_IAM.subjectBytes.value}-byte google.subject, so GCP would refuse ` +
          "every token of it; remove this workload's gcp section or use the issuer's own tokens for GCP",
      );
    }
    const audiencesKey = memberKey(key, "audiences");
    if (workload.aws && context.awsAudience !== undefined && !native.audiences.includes(context.awsAudience)) {
      issues.add(
        audiencesKey,
        `does not list the AWS audience '${context.awsAudience}', which the workload's role trusts; add an ` +
          `oidc_tokens binding with audience '${context.awsAudience}' and list it here`,
      );
    }
    if (workload.gcp && context.gcpAudience !== undefined && !native.audiences.includes(context.gcpAudience)) {
      issues.add(
        audiencesKey,
        `does not list the GCP provider's audience '${context.gcpAudience}', which the native provider allows; add ` +
          "an oidc_tokens binding with that audience and list it here",
      );
    }
    return true;
  });
  if (ok === undefined) return undefined;
  claims.push({
    workload: workload.name,
    key,
    issuer: native.issuer,
    subject: native.subject,
    jwksUri: native.jwksUri,
    gcp: workload.gcp,
  });
  return native;
}

/**
 * Two workloads may not claim one native subject (under one issuer or two: GCP's principal://
 * identifiers name the pool, not the provider), and the condition each native GCP provider carries
 * must fit GCP's limit.
 */
export function reportNativeClaims(claims: readonly NativeClaim[], issues: IssueCollector): void {
  const owners = new Map<string, NativeClaim>();
  for (const claim of claims) {
    const owner = owners.get(claim.subject);
    if (owner === undefined) {
      owners.set(claim.subject, claim);
      continue;
    }
    const where = owner.issuer === claim.issuer ? "from the same issuer" : `from ${owner.issuer}`;
    issues.add(
      memberKey(claim.key, "subject"),
      `is also workload '${owner.workload}''s native subject (${where}); a subject is one Worker's (it carries its ` +
        "immutable ID): copy this Worker's own subject from wrangler deploy",
    );
  }
  // One issuer, one JWKS: the issuer's exchange reads an issuer's keys from one place (worker/runtime-config/check.ts).
  const jwksOf = new Map<string, NativeClaim>();
  for (const claim of claims) {
    const first = jwksOf.get(claim.issuer);
    if (first === undefined) jwksOf.set(claim.issuer, claim);
    else if (first.jwksUri !== claim.jwksUri) {
      issues.add(
        memberKey(claim.key, "jwksUri"),
        `is ${claim.jwksUri === undefined ? "not set" : `'${claim.jwksUri}'`}, but workload '${first.workload}' names ` +
          `${first.jwksUri === undefined ? "none" : `'${first.jwksUri}'`} for the same native issuer; an issuer has one JWKS: ` +
          "write the same jwksUri (or none) in every workload of this issuer",
      );
    }
  }
  const byIssuer = new Map<string, NativeClaim[]>();
  for (const claim of claims) {
    if (claim.gcp) byIssuer.set(claim.issuer, [...(byIssuer.get(claim.issuer) ?? []), claim]);
  }
  for (const group of byIssuer.values()) {
    const condition = nativeSubjectCondition(group.map((claim) => claim.subject));
    if (condition.length <= GCP_IAM.attributeCondition.value) continue;
    const last = group[group.length - 1]!;
    issues.add(
      memberKey(last.key, "issuer"),
      `is the native issuer of ${group.length} workloads with gcp, whose subjects make the GCP provider's ` +
        `attributeCondition ${condition.length} characters, more than GCP's ${GCP_IAM.attributeCondition.value}; ` +
        "move some of them to the issuer's own tokens for GCP",
    );
  }
}

/**
 * The attributeCondition of a native issuer's GCP provider: it admits only the exact subjects the
 * stack registered for that issuer, so no other token of it (another Worker, another account)
 * becomes a principal in the shared pool.
 */
export function nativeSubjectCondition(subjects: readonly string[]): string {
  if (subjects.length === 0) throw new TypeError("nativeSubjectCondition: no subject");
  for (const subject of subjects) {
    if (!SUBJECT_PATTERN.test(subject) || WILDCARD_CHARACTERS.test(subject)) {
      throw new TypeError(`nativeSubjectCondition: ${JSON.stringify(subject)} is not an exact subject`);
    }
  }
  const literals = [...new Set(subjects)].sort().map((subject) => JSON.stringify(subject));
  return `assertion.sub in [${literals.join(", ")}]`;
}

/**
 * The characters (IAM counts no white space) of the trust policy a native workload's role gets:
 * its own statement and its native one, as worker/trust/aws/trust-policy.ts and native-trust.ts build
 * them (test/trust/aws/native-trust.test.ts holds the two equal), with a 12-digit account in the
 * provider ARNs. The default quota is 2,048: a long native issuer and subject can pass it.
 */
export function nativeTrustPolicyCharacters(
  issuerUrl: string,
  awsAudience: string,
  workload: { readonly subject: string; readonly native: NativeTokenSettings; readonly tagSession: boolean },
): number {
  const arn = (prefix: string) => `arn:aws:iam::000000000000:oidc-provider/${prefix}`;
  const host = new URL(issuerUrl).hostname;
  const prefix = workload.native.issuer.slice("https://".length);
  const document = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WorkerIdentityWebIdentity",
        Effect: "Allow",
        Principal: { Federated: arn(host) },
        Action: workload.tagSession
          ? ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
          : "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${host}:sub`]: workload.subject, [`${host}:aud`]: awsAudience } },
      },
      {
        Sid: "CloudflareNativeWebIdentity",
        Effect: "Allow",
        Principal: { Federated: arn(prefix) },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${prefix}:sub`]: workload.native.subject, [`${prefix}:aud`]: awsAudience },
        },
      },
    ],
  };
  return JSON.stringify(document).replace(/\s/g, "").length;
}
