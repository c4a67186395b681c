// AWS federation: the stack's `aws` key (its presence registers the issuer as an IAM OIDC
// provider) and each workload's `aws` section (the role that workload, and only it, may assume).

import { readInlinePolicies, readManagedPolicyArns } from "./aws-policies.js";
import {
  type CloudSection,
  checkCloudSection,
  type Federation,
  type NameClaim,
  reportDuplicateNames,
  type WorkloadRef,
} from "./federation.js";
import { characterCount, describeValue, type FieldReader, integerField, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  AUDIENCE_FORBIDDEN_CHARACTERS,
  DEFAULT_AWS_AUDIENCE,
  DEFAULT_CLOUD_NAME_PREFIX,
  DEFAULT_ROLE_SESSION_SECONDS,
  MAX_AWS_AUDIENCE_LENGTH,
  MAX_IAM_ROLE_NAME_LENGTH,
  MAX_ROLE_SESSION_SECONDS,
  MIN_ROLE_SESSION_SECONDS,
} from "./limits.js";
import { AWS_IAM } from "./provider-limits.js";
import type { AwsSettings, WorkloadAwsSettings } from "./types.js";

const IAM_ROLE_NAME_PATTERN = AWS_IAM.roleName.value;

const AWS: CloudSection = {
  section: "aws",
  cloud: "AWS",
  minimal: "{}",
  audience: (stackKey) => `the AWS audience (${stackKey}.audience), so it could never assume its role`,
};

// ---- the stack's `aws` key --------------------------------------------------------------
const AWS_FIELDS = {
  audience: { read: readAwsAudience },
} as const;

/** The `aws` stack key: `{}` federates AWS with the defaults. */
export const readAwsSettings: FieldReader<AwsSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, AWS_FIELDS, {
    what: "an aws setting",
    jsonText: true,
    shape: `a map: {} to federate AWS with the defaults, or {audience: ${DEFAULT_AWS_AUDIENCE}}`,
  });
  if (fields === undefined) return undefined;
  return { audience: fields.audience ?? DEFAULT_AWS_AUDIENCE };
};

export const AWS_STACK_KEY_EMPTY = "is empty; write aws: {} to federate AWS with the defaults, or delete the line";

function readAwsAudience(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const audience = readString(value, key, issues, `the audience AWS STS receives, e.g. ${DEFAULT_AWS_AUDIENCE}`);
  if (audience === undefined) return undefined;
  const length = characterCount(audience);
  const fallback = `remove it to use ${DEFAULT_AWS_AUDIENCE}, the default`;
  if (length === 0) {
    issues.add(key, `is empty; ${fallback}`);
  } else if (length > MAX_AWS_AUDIENCE_LENGTH) {
    issues.add(
      key,
      `is ${length} characters long, more than the ${MAX_AWS_AUDIENCE_LENGTH} an IAM OIDC provider's ` +
        `client id may have; shorten it, or ${fallback}`,
    );
  } else if (AUDIENCE_FORBIDDEN_CHARACTERS.test(audience)) {
    const cleaned = audience.replace(new RegExp(AUDIENCE_FORBIDDEN_CHARACTERS.source, "gu"), "");
    issues.add(
      key,
      `contains whitespace or an invisible character (${describeValue(audience)}); remove it: ` +
        `${describeValue(cleaned)}, or ${fallback}`,
    );
  } else {
    return audience;
  }
  return undefined;
}

// ---- a workload's `aws` section ---------------------------------------------------------
const ROLE_NAME_RULE = `1 to ${MAX_IAM_ROLE_NAME_LENGTH} letters, digits or _ + = , . @ -`;

const WORKLOAD_AWS_FIELDS = {
  roleName: { read: readRoleName },
  managedPolicyArns: { read: readManagedPolicyArns },
  inlinePolicies: { read: readInlinePolicies },
  maxSessionDurationSeconds: integerField({
    min: MIN_ROLE_SESSION_SECONDS,
    max: MAX_ROLE_SESSION_SECONDS,
    unit: "seconds",
    fix: `set it to ${DEFAULT_ROLE_SESSION_SECONDS} (1 hour), the default, or at most ${MAX_ROLE_SESSION_SECONDS} (12 hours)`,
  }),
} as const;

/** A workload's `aws` section as written; the role name defaults later, from the workload's name. */
export interface WorkloadAwsEntry {
  readonly roleName?: string;
  readonly managedPolicyArns: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly maxSessionDurationSeconds: number;
}

export const readWorkloadAws: FieldReader<WorkloadAwsEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, WORKLOAD_AWS_FIELDS, {
    what: "an aws field of a workload",
    shape:
      `a map like {} (a role named ${DEFAULT_CLOUD_NAME_PREFIX}<workload>) or ` +
      "{managedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]}",
  });
  if (fields === undefined) return undefined;
  return {
    ...(fields.roleName === undefined ? {} : { roleName: fields.roleName }),
    managedPolicyArns: fields.managedPolicyArns ?? [],
    inlinePolicies: fields.inlinePolicies ?? {},
    maxSessionDurationSeconds: fields.maxSessionDurationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS,
  };
};

export const WORKLOAD_AWS_EMPTY = `is empty; write aws: {} for a role named ${DEFAULT_CLOUD_NAME_PREFIX}<workload> with no policies, or delete the line`;

function readRoleName(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const name = readString(value, key, issues, `an IAM role name (${ROLE_NAME_RULE})`);
  if (name === undefined || IAM_ROLE_NAME_PATTERN.test(name)) return name;
  const suggestion = name.replace(/[^\w+=,.@-]+/g, "-").slice(0, MAX_IAM_ROLE_NAME_LENGTH);
  const fix = IAM_ROLE_NAME_PATTERN.test(suggestion) ? `e.g. '${suggestion}'` : "or remove it to use the default";
  issues.add(key, `is ${describeValue(name)}, but an IAM role name must be ${ROLE_NAME_RULE}; rename it, ${fix}`);
  return undefined;
}

/**
 * The role of a workload with an `aws` section: checks the stack federates AWS and that the
 * workload may request the audience the role trusts, defaults the role name, and records it in
 * `roleNames` for the uniqueness check across workloads.
 */
export function resolveWorkloadAws(
  workload: WorkloadRef,
  entry: WorkloadAwsEntry | undefined,
  federation: Federation<AwsSettings>,
  roleNames: NameClaim[],
  issues: IssueCollector,
): WorkloadAwsSettings | undefined {
  if (!checkCloudSection(workload, AWS, federation, issues)) return undefined;
  if (entry === undefined) return undefined;
  const key = memberKey(memberKey(workload.key, "aws"), "roleName");
  const roleName = entry.roleName ?? `${DEFAULT_CLOUD_NAME_PREFIX}${workload.name}`;
  if (entry.roleName === undefined && !IAM_ROLE_NAME_PATTERN.test(roleName)) {
    issues.add(
      key,
      `is not set, and the default '${roleName}' (${DEFAULT_CLOUD_NAME_PREFIX}<workload>) is ` +
        `${characterCount(roleName)} characters, more than the ${MAX_IAM_ROLE_NAME_LENGTH} IAM allows; set aws.roleName ` +
        "to a shorter name",
    );
    return undefined;
  }
  roleNames.push({ workload: workload.name, key, name: roleName, explicit: entry.roleName !== undefined });
  return {
    roleName,
    managedPolicyArns: entry.managedPolicyArns,
    inlinePolicies: entry.inlinePolicies,
    maxSessionDurationSeconds: entry.maxSessionDurationSeconds,
  };
}

/** IAM role names are unique per account, and IAM compares them ignoring case. */
export function reportDuplicateRoleNames(roleNames: readonly NameClaim[], issues: IssueCollector): void {
  reportDuplicateNames(
    roleNames,
    (name) => name.toLowerCase(),
    (duplicate, owner) => {
      const how = owner.explicit ? "its aws.roleName" : "its default";
      const same =
        duplicate.name === owner.name
          ? "which is also the role of"
          : `which IAM reads as '${owner.name}' (it ignores case in role names), the role of`;
      return (
        `is '${duplicate.name}', ${same} workload '${owner.workload}' (${how}); role names are unique per AWS ` +
        "account and each workload gets a role of its own: set another aws.roleName here"
      );
    },
    issues,
  );
}
