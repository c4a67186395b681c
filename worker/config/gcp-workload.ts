// A workload's `gcp` section: the service account that workload, and only it, may impersonate
// through the pool (one the stack creates, or an existing one), and the project roles a created
// account is granted.

import {
  type CloudSection,
  checkCloudSection,
  type Federation,
  type NameClaim,
  reportDuplicateNames,
  type WorkloadRef,
} from "./federation.js";
import { describeValue, type FieldReader, readDistinctStrings, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  DEFAULT_CLOUD_NAME_PREFIX,
  GCP_ROLE_PATTERN,
  GCP_SERVICE_ACCOUNT_EMAIL_PATTERN,
  GCP_SERVICE_ACCOUNT_ID_PATTERN,
  MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH,
  MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH,
} from "./limits.js";
import type { GcpSettings, WorkloadGcpSettings } from "./types.js";

const GCP: CloudSection = {
  section: "gcp",
  cloud: "GCP",
  minimal: "{projectId: <project-id>, projectNumber: <number>}",
  audience: (stackKey) =>
    `the GCP provider's audience (derived from ${stackKey}), so it could never impersonate its service account`,
};

const ACCOUNT_ID_RULE =
  `GCP's service-account id rule: ${MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH} to ` +
  `${MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH} lowercase letters, digits or '-', starting with a letter and not ending with '-'`;

/** The section as written; a created account's id defaults later, from the workload's name. */
export interface WorkloadGcpEntry {
  readonly serviceAccount:
    | { readonly kind: "create"; readonly accountId?: string }
    | { readonly kind: "existing"; readonly email: string };
  readonly projectRoles: readonly string[];
}

const WORKLOAD_GCP_FIELDS = {
  serviceAccount: {
    read: readServiceAccount,
    empty: "is empty; write serviceAccount: {create: {}} to let the stack create one, or {existing: <email>}",
  },
  projectRoles: { read: readProjectRoles },
} as const;

export const WORKLOAD_GCP_EMPTY = `is empty; write gcp: {} for a service account the stack creates (${DEFAULT_CLOUD_NAME_PREFIX}<workload>), or delete the line`;

export const readWorkloadGcp: FieldReader<WorkloadGcpEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, WORKLOAD_GCP_FIELDS, {
    what: "a gcp field of a workload",
    shape:
      `a map like {} (the stack creates a service account ${DEFAULT_CLOUD_NAME_PREFIX}<workload>) or ` +
      "{serviceAccount: {existing: <email>}}",
  });
  if (fields === undefined) return undefined;
  const serviceAccount = fields.serviceAccount ?? { kind: "create" };
  const projectRoles = fields.projectRoles ?? [];
  if (serviceAccount.kind === "existing" && projectRoles.length > 0) {
    issues.add(
      memberKey(key, "projectRoles"),
      "grants roles to an existing service account, but the roles of an " +
        "existing account are managed where it was created; remove projectRoles and grant them there, or let the " +
        "stack create the account (serviceAccount: {create: {}})",
    );
    return undefined;
  }
  return { serviceAccount, projectRoles };
};

const SERVICE_ACCOUNT_FIELDS = {
  create: {
    read: readCreate,
    empty: `is empty; write create: {} for the account ${DEFAULT_CLOUD_NAME_PREFIX}<workload>, or create: {accountId: <id>}`,
  },
  existing: { read: readExistingEmail },
} as const;

function readServiceAccount(
  value: unknown,
  key: string,
  issues: IssueCollector,
): WorkloadGcpEntry["serviceAccount"] | undefined {
  if (typeof value === "string") {
    issues.add(
      key,
      `is the string ${describeValue(value)}, but must name how to get the account: write ` +
        `{existing: ${value}} to use an account you manage, or {create: {}} to let the stack create one`,
    );
    return undefined;
  }
  const fields = readMapSection(value, key, issues, SERVICE_ACCOUNT_FIELDS, {
    what: "a serviceAccount field (create or existing)",
    shape: "{create: {}} (the stack creates an account for this workload) or {existing: <email>}",
  });
  if (fields === undefined) return undefined;
  if (fields.create !== undefined && fields.existing !== undefined) {
    issues.add(
      key,
      "sets both create and existing; keep create to let the stack create an account for this " +
        "workload, or existing to use an account you manage elsewhere",
    );
    return undefined;
  }
  if (fields.create !== undefined) return { kind: "create", ...fields.create };
  if (fields.existing !== undefined) return { kind: "existing", email: fields.existing };
  issues.add(key, "names no account; write {create: {}} to let the stack create one, or {existing: <email>}");
  return undefined;
}

function readCreate(value: unknown, key: string, issues: IssueCollector): { readonly accountId?: string } | undefined {
  const fields = readMapSection(
    value,
    key,
    issues,
    { accountId: { read: readAccountId } },
    {
      what: "a create field",
      shape: `a map like {} (the account ${DEFAULT_CLOUD_NAME_PREFIX}<workload>) or {accountId: wid-billing}`,
    },
  );
  if (fields === undefined) return undefined;
  return fields.accountId === undefined ? {} : { accountId: fields.accountId };
}

function readAccountId(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const id = readString(value, key, issues, `a service-account id (${ACCOUNT_ID_RULE})`);
  if (id === undefined) return undefined;
  if (isAccountId(id)) return id;
  const suggestion = suggestAccountId(id);
  issues.add(
    key,
    `is ${describeValue(id)}, which breaks ${ACCOUNT_ID_RULE}; ` +
      (suggestion === undefined ? "rename it" : `rename it, e.g. to '${suggestion}'`),
  );
  return undefined;
}

function isAccountId(id: string): boolean {
  return (
    id.length >= MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH &&
    id.length <= MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH &&
    GCP_SERVICE_ACCOUNT_ID_PATTERN.test(id)
  );
}

/** A valid id close to `text`: lowercased, other characters turned into '-', cut or padded to fit. */
function suggestAccountId(text: string): string | undefined {
  let id = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "");
  id = id.slice(0, MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH).replace(/-+$/, "");
  if (id.length > 0 && id.length < MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH)
    id = `${id}-sa`.padEnd(MIN_GCP_SERVICE_ACCOUNT_ID_LENGTH, "0");
  return isAccountId(id) ? id : undefined;
}

function readExistingEmail(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const expected =
    "a service-account email ending in .iam.gserviceaccount.com, e.g. reports@my-project.iam.gserviceaccount.com";
  const email = readString(value, key, issues, expected);
  if (email === undefined || GCP_SERVICE_ACCOUNT_EMAIL_PATTERN.test(email)) return email;
  const lower = email.trim().toLowerCase();
  const fix = GCP_SERVICE_ACCOUNT_EMAIL_PATTERN.test(lower)
    ? `write it '${lower}'`
    : "copy the email from the console (IAM & Admin, Service accounts); a default account such as " +
      "<number>-compute@developer.gserviceaccount.com is shared by the whole project: create one for this workload";
  issues.add(key, `is ${describeValue(email)}, but must be ${expected}; ${fix}`);
  return undefined;
}

function readProjectRoles(value: unknown, key: string, issues: IssueCollector): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    const single =
      typeof value === "string" ? `; write it as a list: [${value}]` : ", e.g. [roles/bigquery.dataViewer]";
    issues.add(key, `is ${describeValue(value)}, but must be a list of IAM role names${single}`);
    return undefined;
  }
  return issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "an IAM role name such as roles/bigquery.dataViewer",
      problem: (role) => {
        if (GCP_ROLE_PATTERN.test(role)) return undefined;
        const fix = /^[\w.]+$/.test(role) ? `write 'roles/${role}'` : "e.g. roles/bigquery.dataViewer";
        return (
          `is ${describeValue(role)}, but must be a role name: roles/<role>, projects/<project>/roles/<role> ` +
          `or organizations/<number>/roles/<role>; ${fix}`
        );
      },
      repeated: (_, first) => `repeats projectRoles[${first}]; remove the duplicate`,
    }),
  );
}

/**
 * The service account of a workload with a `gcp` section: checks the stack federates GCP and
 * that the workload may request the provider's audience, defaults a created account's id, and
 * records it in `accountIds` for the uniqueness check across workloads.
 */
export function resolveWorkloadGcp(
  workload: WorkloadRef,
  entry: WorkloadGcpEntry | undefined,
  federation: Federation<GcpSettings>,
  accountIds: NameClaim[],
  issues: IssueCollector,
): WorkloadGcpSettings | undefined {
  if (!checkCloudSection(workload, GCP, federation, issues)) return undefined;
  if (entry === undefined) return undefined;
  const account = entry.serviceAccount;
  if (account.kind === "existing") return { serviceAccount: account, projectRoles: entry.projectRoles };
  const key = [workload.key, "gcp", "serviceAccount", "create", "accountId"].reduce(memberKey);
  let accountId = account.accountId;
  if (accountId === undefined) {
    const full = `${DEFAULT_CLOUD_NAME_PREFIX}${workload.name}`;
    accountId = full.slice(0, MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH).replace(/-+$/, "");
    if (!isAccountId(accountId)) {
      const cut = accountId === full ? "" : `, cut to ${MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH} characters`;
      const suggestion = suggestAccountId(full);
      issues.add(
        key,
        `is not set, and the default '${accountId}' (${DEFAULT_CLOUD_NAME_PREFIX}<workload>${cut}) breaks ` +
          `${ACCOUNT_ID_RULE}; set serviceAccount.create.accountId${suggestion === undefined ? "" : `, e.g. to '${suggestion}'`}`,
      );
      return undefined;
    }
  }
  accountIds.push({ workload: workload.name, key, name: accountId, explicit: account.accountId !== undefined });
  return { serviceAccount: { kind: "create", accountId }, projectRoles: entry.projectRoles };
}

/** Created service accounts share the project: their ids must differ. */
export function reportDuplicateAccountIds(accountIds: readonly NameClaim[], issues: IssueCollector): void {
  reportDuplicateNames(
    accountIds,
    (id) => id,
    (duplicate, owner) => {
      const how = owner.explicit ? "its serviceAccount.create.accountId" : "its default";
      const mine = duplicate.explicit
        ? ""
        : ` (the default ${DEFAULT_CLOUD_NAME_PREFIX}<workload>, cut to ` +
          `${MAX_GCP_SERVICE_ACCOUNT_ID_LENGTH} characters)`;
      return (
        `is '${duplicate.name}'${mine}, which is also the service account workload '${owner.workload}' creates ` +
        `(${how}); each workload gets an account of its own: set another serviceAccount.create.accountId here`
      );
    },
    issues,
  );
}
