// The IAM documents that federate the issuer into AWS, as pure functions: the role trust policy
// (the security boundary: one Worker, one role), and the description and tags that show in the
// console which Worker a role trusts. No Pulumi here; federation.ts wires these into resources.

import { AWS_IAM } from "../../config/provider-limits.js";
import type { WorkloadConfig } from "../../config/types.js";
import { checkedIamTags, checkedRoleDescription } from "./iam-labels.js";

export const TRUST_STATEMENT_SID = "WorkerIdentityWebIdentity";
export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";
/** Needed as well when tokens carry `https://aws.amazon.com/tags`, or STS refuses the call. */
export const TAG_SESSION_ACTION = "sts:TagSession";
/** IAM's limit on a role description. */
const ROLE_DESCRIPTION_MAX_LENGTH = AWS_IAM.roleDescriptionLength.value;
/** IAM's limit on a tag value (Unicode characters). */
const TAG_VALUE_MAX_LENGTH = AWS_IAM.tagValueLength.value.max;
export const TAG_PREFIX = "worker-identity:";

export interface WebIdentityTrustPolicyInput {
  /** ARN of the account's IAM OIDC provider for the issuer. */
  readonly providerArn: string;
  /** The issuer's exact `iss`: `https://<host>`. */
  readonly issuerUrl: string;
  /** The one `sub` allowed to assume the role: `worker/<account_id>/<script_name>`. */
  readonly subject: string;
  /** The audience AWS STS receives (the provider's client id). */
  readonly audience: string;
  /** Whether the workload's tokens carry session tags. */
  readonly tagSession: boolean;
  /** The workload's native-token statement (native-trust.ts), beside its own: one more exact subject. */
  readonly native?: TrustPolicyStatement;
}

export interface TrustPolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: { readonly Federated: string };
  readonly Action: string | readonly string[];
  readonly Condition: {
    readonly StringEquals: Readonly<Record<string, string>>;
    /** Workflow roles only: `<host>:sub` = `workflow/<account>/<name>/*`, every instance of one workflow. */
    readonly StringLike?: Readonly<Record<string, string>>;
  };
}

export interface TrustPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly TrustPolicyStatement[];
}

/**
 * The host of an https issuer URL, as AWS names the provider's condition keys (`<host>:sub`).
 * AWS compares the provider URL with `iss` verbatim, so anything but `https://<host>` is refused.
 */
export function issuerHost(issuerUrl: string): string {
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    throw new Error(`issuer URL ${JSON.stringify(issuerUrl)} is not a URL: use https://<host>`);
  }
  const problem = issuerUrlProblem(issuerUrl, url);
  if (problem !== undefined) {
    throw new Error(`issuer URL ${JSON.stringify(issuerUrl)} ${problem}; use https://<host>`);
  }
  return url.hostname;
}

function issuerUrlProblem(issuerUrl: string, url: URL): string | undefined {
  if (url.protocol !== "https:") return `uses ${url.protocol.replace(/:$/, "")}: AWS trusts only https issuers`;
  if (url.username !== "" || url.password !== "") return "carries credentials";
  if (url.port !== "" || hasExplicitPort(issuerUrl, url.hostname)) {
    return "names a port: AWS accepts issuers on the default port only";
  }
  if (url.search !== "" || issuerUrl.includes("?")) return "has a query: AWS refuses issuer URLs with a query";
  if (url.hash !== "" || issuerUrl.includes("#")) return "has a fragment";
  if (url.pathname !== "/" || issuerUrl.endsWith("/")) {
    return "has a path: the issuer is the bare origin, without even a trailing slash";
  }
  if (issuerUrl !== `https://${url.hostname}`) {
    return `is not written as https://${url.hostname} (AWS compares it with iss verbatim)`;
  }
  return undefined;
}

/** WHATWG URL drops a default port (`:443`), which iss would still carry verbatim. */
function hasExplicitPort(issuerUrl: string, hostname: string): boolean {
  const afterScheme = issuerUrl.slice(issuerUrl.indexOf("//") + 2);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? "";
  return authority.toLowerCase() !== hostname && /:\d*$/.test(authority);
}

/**
 * The trust policy of one workload's role: only tokens from this issuer's provider, with exactly
 * this subject and this audience. Both keys are always present and compared with StringEquals,
 * never StringLike: a wildcard would let one Worker's script name match another's.
 */
export function webIdentityTrustPolicy(input: WebIdentityTrustPolicyInput): TrustPolicyDocument {
  const host = issuerHost(input.issuerUrl);
  requireProviderArn(input.providerArn);
  if (input.subject === "") throw new Error("the trusted subject is empty: a role must trust exactly one workload");
  requireAudience(input.audience);
  const document = federatedTrustDocument(
    input.providerArn,
    input.tagSession ? [WEB_IDENTITY_ACTION, TAG_SESSION_ACTION] : WEB_IDENTITY_ACTION,
    {
      StringEquals: {
        [`${host}:sub`]: input.subject,
        [`${host}:aud`]: input.audience,
      },
    },
  );
  if (input.native === undefined) return document;
  if (input.native.Principal.Federated === input.providerArn) {
    throw new Error("the native statement names the issuer's own provider: native tokens come from another issuer");
  }
  return { ...document, Statement: [...document.Statement, input.native] };
}

/** The one-statement document both role kinds use: the issuer's provider may assume the role under `condition`. */
function federatedTrustDocument(
  providerArn: string,
  action: TrustPolicyStatement["Action"],
  condition: TrustPolicyStatement["Condition"],
): TrustPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: TRUST_STATEMENT_SID,
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: action,
        Condition: condition,
      },
    ],
  };
}

function requireProviderArn(providerArn: string): void {
  if (providerArn === "") throw new Error("the OIDC provider ARN is empty");
}

function requireAudience(audience: string): void {
  if (audience === "") throw new Error("the trusted audience is empty: use the provider's client id");
}

type WorkloadIdentity = Pick<WorkloadConfig, "name" | "subject">;

/** What the IAM console shows for the role: which Worker, by which issuer. */
export function roleDescription(workload: WorkloadIdentity, issuerUrl: string): string {
  const description =
    `Assumed only by Cloudflare Worker ${workload.name} (sub ${workload.subject}) ` +
    `via worker-identity issuer ${issuerUrl}`;
  // Script names (63), subjects (~100) and hosts (253) keep this far below the limit; the cut is
  // a guard only, and loses nothing that decides access (the trust policy does that).
  return checkedRoleDescription(description.slice(0, ROLE_DESCRIPTION_MAX_LENGTH));
}

/** Tags on a workload's role, so the console and tag-based searches show whom it trusts. */
export function roleTags(workload: WorkloadIdentity, issuerUrl: string, stack: string): Record<string, string> {
  return checkedIamTags({
    [`${TAG_PREFIX}workload`]: tagValue(workload.name),
    [`${TAG_PREFIX}subject`]: tagValue(workload.subject),
    ...providerTags(issuerUrl, stack),
  });
}

/** Tags on the OIDC provider. */
export function providerTags(issuerUrl: string, stack: string): Record<string, string> {
  return checkedIamTags({
    [`${TAG_PREFIX}issuer`]: issuerTagValue(issuerUrl),
    [`${TAG_PREFIX}stack`]: tagValue(stack),
  });
}

/**
 * An https URL of a 253-character host is 261 characters: too long for a tag value. The host
 * alone (at most 253) then names the same issuer unambiguously, since the scheme is always https.
 */
function issuerTagValue(issuerUrl: string): string {
  return issuerUrl.length <= TAG_VALUE_MAX_LENGTH ? issuerUrl : tagValue(issuerHost(issuerUrl));
}

/**
 * Workload names (63) and subjects (~100) always fit; only an unusually long stack name could
 * not. Tags here are informational (nothing authorizes on them), so cutting one is safe.
 */
function tagValue(value: string): string {
  return value.slice(0, TAG_VALUE_MAX_LENGTH);
}

// ---- workflows ----------------------------------------------------------------------------
export interface WorkflowTrustPolicyInput {
  readonly providerArn: string;
  readonly issuerUrl: string;
  /** `workflow/<account_id>/<workflow name>/`: the instance id follows, and is never in the policy. */
  readonly subjectPrefix: string;
  readonly audience: string;
}

const WORKFLOW_SUBJECT_PREFIX = /^workflow\/[0-9a-f]{32}\/[A-Za-z0-9_][A-Za-z0-9_-]*\/$/;

/**
 * The trust policy of one workflow's role: every instance of that workflow, and nothing else.
 * Instances come and go, so `sub` is matched with StringLike on the workflow's prefix, the `*`
 * right after its final `/`: workflow names cannot contain `/`, `*` or `?`, so no other
 * workflow's (or workload's) subject can match. The audience stays StringEquals.
 */
export function workflowTrustPolicy(input: WorkflowTrustPolicyInput): TrustPolicyDocument {
  const host = issuerHost(input.issuerUrl);
  requireProviderArn(input.providerArn);
  if (!WORKFLOW_SUBJECT_PREFIX.test(input.subjectPrefix)) {
    throw new Error(
      `the workflow subject prefix ${JSON.stringify(input.subjectPrefix)} is not workflow/<account_id>/<name>/`,
    );
  }
  requireAudience(input.audience);
  return federatedTrustDocument(input.providerArn, WEB_IDENTITY_ACTION, {
    StringEquals: { [`${host}:aud`]: input.audience },
    StringLike: { [`${host}:sub`]: `${input.subjectPrefix}*` },
  });
}

export function workflowRoleDescription(
  workflow: { readonly name: string; readonly subjectPrefix: string },
  issuerUrl: string,
): string {
  return checkedRoleDescription(
    (
      `Assumed only by instances of Cloudflare Workflow ${workflow.name} ` +
      `(sub ${workflow.subjectPrefix}<instance id>) via worker-identity issuer ${issuerUrl}`
    ).slice(0, ROLE_DESCRIPTION_MAX_LENGTH),
  );
}

/**
 * A workflow role trusts every subject under its prefix. The tag names the prefix itself (under
 * its own key, subject-prefix): IAM tag values cannot hold the trust policy's `*`.
 */
export function workflowRoleTags(
  workflow: { readonly name: string; readonly subjectPrefix: string },
  issuerUrl: string,
  stack: string,
): Record<string, string> {
  return checkedIamTags({
    [`${TAG_PREFIX}workflow`]: tagValue(workflow.name),
    [`${TAG_PREFIX}subject-prefix`]: tagValue(workflow.subjectPrefix),
    ...providerTags(issuerUrl, stack),
  });
}
