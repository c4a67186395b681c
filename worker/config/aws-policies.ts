// The permissions of a workload's AWS role: managed policies attached by ARN, and inline policy
// documents (a YAML map or JSON text in the stack file, stored as JSON).

import { characterCount, describeValue, isPlainObject, parseJsonText, readDistinctStrings } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  IAM_POLICY_NAME_MAX_LENGTH,
  IAM_POLICY_NAME_PATTERN,
  IAM_POLICY_VERSION,
  MAX_ROLE_INLINE_POLICY_CHARACTERS,
} from "./limits.js";
import { AWS_IAM } from "./provider-limits.js";

const MANAGED_POLICY_ARN_PATTERN = AWS_IAM.managedPolicyArn.value;
/** The hard maximum; past the default quota of 10 the validator warns (warnings.ts). */
const MAX_MANAGED_POLICIES_PER_ROLE = AWS_IAM.managedPoliciesPerRoleMax.value;

const ARN_EXAMPLE = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const ARN_RULE =
  "an IAM managed policy ARN: arn:aws:iam::aws:policy/<name> for an AWS managed policy, " +
  "arn:aws:iam::<12-digit account id>:policy/<path and name> for your own";

export function readManagedPolicyArns(
  value: unknown,
  key: string,
  issues: IssueCollector,
): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    const single = typeof value === "string" ? `; write it as a list: [${value}]` : `, e.g. [${ARN_EXAMPLE}]`;
    issues.add(key, `is ${describeValue(value)}, but must be a list of managed policy ARNs${single}`);
    return undefined;
  }
  return issues.checked(() => {
    if (value.length > MAX_MANAGED_POLICIES_PER_ROLE) {
      issues.add(
        key,
        `has ${value.length} policies, more than the ${MAX_MANAGED_POLICIES_PER_ROLE} AWS attaches to one ` +
          "role; combine them into fewer customer managed policies, or move statements into inlinePolicies",
      );
    }
    return readDistinctStrings(value, key, issues, {
      expected: ARN_RULE,
      problem: (arn) => {
        if (MANAGED_POLICY_ARN_PATTERN.test(arn)) return undefined;
        const fix = /^[\w+=,.@-]+$/.test(arn)
          ? `write 'arn:aws:iam::aws:policy/${arn}' for the AWS managed policy of that name`
          : `e.g. ${ARN_EXAMPLE}`;
        return `is ${describeValue(arn)}, but must be ${ARN_RULE}; ${fix}`;
      },
      repeated: (_, first) => `repeats managedPolicyArns[${first}]; remove the duplicate`,
    });
  });
}

const POLICY_NAME_RULE = `1 to ${IAM_POLICY_NAME_MAX_LENGTH} letters, digits or _ + = , . @ -`;
const POLICY_EXAMPLE = `{Version: "${IAM_POLICY_VERSION}", Statement: [{Effect: Allow, Action: ..., Resource: ...}]}`;

/** Policy name → the document as JSON text. */
export function readInlinePolicies(
  value: unknown,
  key: string,
  issues: IssueCollector,
): Readonly<Record<string, string>> | undefined {
  if (!isPlainObject(value)) {
    issues.add(
      key,
      `is ${describeValue(value)}, but must be a map of policy name to policy document, ` +
        `e.g. {ledger-write: ${POLICY_EXAMPLE}}`,
    );
    return undefined;
  }
  const policies = issues.checked(() => {
    const policies: [string, string][] = [];
    for (const [name, document] of Object.entries(value)) {
      const policyKey = memberKey(key, name);
      if (!IAM_POLICY_NAME_PATTERN.test(name)) {
        const suggestion = name.replace(/[^\w+=,.@-]+/g, "-").slice(0, IAM_POLICY_NAME_MAX_LENGTH);
        const fix = IAM_POLICY_NAME_PATTERN.test(suggestion) ? `rename it, e.g. to '${suggestion}'` : "rename it";
        issues.add(policyKey, `is not a valid IAM policy name (${POLICY_NAME_RULE}); ${fix}`);
        continue;
      }
      const json = readPolicyDocument(document, policyKey, issues);
      if (json !== undefined) policies.push([name, json]);
    }
    return policies;
  });
  if (policies === undefined) return undefined;
  // IAM counts every inline policy of a role together, without whitespace.
  const size = policies.reduce((sum, [, json]) => sum + characterCount(json.replace(/\s+/g, "")), 0);
  if (size > MAX_ROLE_INLINE_POLICY_CHARACTERS) {
    issues.add(
      key,
      `add up to ${size} characters, more than the ${MAX_ROLE_INLINE_POLICY_CHARACTERS} IAM allows for all ` +
        "inline policies of one role; move statements into a customer managed policy and list it in managedPolicyArns",
    );
    return undefined;
  }
  return Object.fromEntries(policies);
}

/** One policy document, as JSON text; problems of a map's members are keyed at the member. */
function readPolicyDocument(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const isText = typeof value === "string";
  const document = isText
    ? parseJsonText(value, key, issues, `write the policy as a YAML map or as JSON text, e.g. ${POLICY_EXAMPLE}`)
    : value;
  if (document === undefined) return undefined;
  if (!isPlainObject(document)) {
    issues.add(key, `is ${describeValue(document)}, but must be an IAM policy document, e.g. ${POLICY_EXAMPLE}`);
    return undefined;
  }
  const memberPath = (member: string): string => (isText ? key : memberKey(key, member));
  const checked = issues.checked(() => {
    const version = document.Version;
    if (version !== IAM_POLICY_VERSION) {
      const shown = version === undefined ? "has no Version" : `has Version ${describeValue(version)}`;
      issues.add(
        memberPath("Version"),
        `${shown}; set Version: "${IAM_POLICY_VERSION}", the current IAM policy language ` +
          "(policy variables and newer condition operators need it)",
      );
    }
    const statement = document.Statement;
    const empty = Array.isArray(statement)
      ? statement.length === 0
      : !isPlainObject(statement) || Object.keys(statement).length === 0;
    if (empty) {
      const shown = statement === undefined ? "has no Statement" : `has the Statement ${describeValue(statement)}`;
      issues.add(
        memberPath("Statement"),
        `${shown}; list at least one statement, e.g. ` +
          "Statement: [{Effect: Allow, Action: dynamodb:PutItem, Resource: <table ARN>}]",
      );
    }
    return document;
  });
  if (checked === undefined) return undefined;
  try {
    return JSON.stringify(document);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    issues.add(key, `cannot be written as JSON (${reason}); write the document out in full, without YAML aliases`);
    return undefined;
  }
}
