// A workload's `vault` section: the role in the stack's JWT auth mount that this workload, and
// only it, logs in as (bound to its exact subject and the stack's Vault audience), the policies
// of the tokens it issues, their lifetimes, their type and the addresses they are bound to.

import { type CloudSection, checkCloudSection, type NameClaim, reportDuplicateNames } from "./federation.js";
import {
  describeValue,
  type FieldReader,
  integerField,
  readDistinctStrings,
  readMapSection,
  readString,
} from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import { DEFAULT_CLOUD_NAME_PREFIX } from "./limits.js";
import type { WorkloadSection } from "./relying-parties.js";
import { VAULT } from "./vault-limits.js";
import type { VaultTokenType, WorkloadVaultSettings } from "./vault-settings.js";

export const WORKLOAD_VAULT_EMPTY =
  "is empty; write vault: {policies: [<policy>]} for a role wid-<workload> whose tokens carry those policies, or delete the line";

/** token_ttl when neither lifetime is written: an hour, renewed by the SDK by logging in again. */
export const DEFAULT_VAULT_TOKEN_TTL_SECONDS = 3_600;
/** Below a minute the token could expire between the login and its first use. */
export const MIN_VAULT_TOKEN_TTL_SECONDS = 60;

const VAULT_SECTION: CloudSection = {
  section: "vault",
  cloud: "Vault",
  minimal: "{address: https://<vault>:8200}",
  audience: (stackKey) =>
    `the Vault audience (${stackKey}.audience, default its address), so it could never log in to its role`,
};

const ROLE_RULE = "letters, digits, '_', '-' or '.', starting and ending with a letter, digit or '_'";
const POLICY_RULE = "lowercase letters, digits, '_', '-', '.', '@' or '/', without spaces or commas";
/** Vault lowercases policy names (policyutil.SanitizePolicies); a name in another case would show as a change on every plan. */
const POLICY = /^[a-z0-9_.@/-]+$/;

/** The section as written; the role name defaults later, from the workload's name. */
export interface WorkloadVaultEntry {
  readonly role?: string;
  readonly policies: readonly string[];
  readonly tokenTtlSeconds?: number;
  readonly tokenMaxTtlSeconds?: number;
  readonly tokenType: VaultTokenType;
  readonly boundCidrs: readonly string[];
}

const TTL_RULE = {
  min: MIN_VAULT_TOKEN_TTL_SECONDS,
  max: VAULT.systemMaxLeaseTtlSeconds.value,
  unit: "seconds",
};

const WORKLOAD_VAULT_FIELDS = {
  role: { read: readRoleName },
  policies: {
    read: readPolicies,
    required:
      "is missing; list the Vault policies the role's tokens carry, e.g. policies: [payments-read] " +
      "(write them first with vault policy write)",
  },
  tokenTtlSeconds: integerField({
    ...TTL_RULE,
    fix: `remove it for ${DEFAULT_VAULT_TOKEN_TTL_SECONDS} (an hour; the SDK logs in again before it expires)`,
  }),
  tokenMaxTtlSeconds: integerField({
    ...TTL_RULE,
    fix: `longer than ${TTL_RULE.max} is cut to the system's max_lease_ttl; remove it to use tokenTtlSeconds`,
  }),
  tokenType: { read: readTokenType },
  boundCidrs: { read: readBoundCidrs },
} as const;

export const readWorkloadVault: FieldReader<WorkloadVaultEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, WORKLOAD_VAULT_FIELDS, {
    what: "a vault field of a workload",
    shape: "a map like {policies: [payments-read]} (a role wid-<workload> with those policies)",
  });
  if (fields === undefined || fields.policies === undefined) return undefined;
  const { tokenTtlSeconds, tokenMaxTtlSeconds } = fields;
  if (tokenTtlSeconds !== undefined && tokenMaxTtlSeconds !== undefined && tokenTtlSeconds > tokenMaxTtlSeconds) {
    issues.add(
      memberKey(key, "tokenTtlSeconds"),
      `is ${tokenTtlSeconds}, longer than tokenMaxTtlSeconds (${tokenMaxTtlSeconds}), which Vault refuses ` +
        `("ttl should not be greater than max ttl"); lower it to at most ${tokenMaxTtlSeconds}, or raise tokenMaxTtlSeconds`,
    );
    return undefined;
  }
  return {
    ...(fields.role === undefined ? {} : { role: fields.role }),
    policies: fields.policies,
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    ...(tokenMaxTtlSeconds === undefined ? {} : { tokenMaxTtlSeconds }),
    tokenType: fields.tokenType ?? "service",
    boundCidrs: fields.boundCidrs ?? [],
  };
};

function readRoleName(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const name = readString(value, key, issues, `a Vault role name (${ROLE_RULE})`);
  if (name === undefined) return undefined;
  if (VAULT.roleName.value.test(name)) return name;
  const suggestion = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "");
  const fix = VAULT.roleName.value.test(suggestion)
    ? `rename it, e.g. to '${suggestion}'`
    : "rename it, or remove it for wid-<workload>";
  issues.add(
    key,
    `is ${describeValue(name)}, but a Vault role name is ${ROLE_RULE} (${VAULT.roleName.source}); ${fix}`,
  );
  return undefined;
}

function readPolicies(value: unknown, key: string, issues: IssueCollector): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    const single = typeof value === "string" ? `; write it as a list: [${value}]` : ", e.g. [payments-read]";
    issues.add(key, `is ${describeValue(value)}, but must be a list of Vault policy names${single}`);
    return undefined;
  }
  if (value.length === 0) {
    issues.add(
      key,
      "is empty, so the role's tokens would carry only Vault's default policy; list the policies the workload needs, e.g. [payments-read]",
    );
    return undefined;
  }
  const unassignable: readonly string[] = VAULT.unassignablePolicies.value;
  return issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "a Vault policy name such as payments-read",
      problem: (policy) => {
        if (policy.toLowerCase() === "root")
          return (
            "is 'root', which Vault never attaches at login (\"auth methods cannot create root tokens\"), and which " +
            "would give the workload everything; write a policy granting only what it needs"
          );
        if (unassignable.includes(policy.toLowerCase()))
          return `is '${policy}', a policy Vault keeps for itself ("cannot assign policy"); write a policy of your own`;
        if (POLICY.test(policy)) return undefined;
        const lower = policy.trim().toLowerCase();
        const fix = POLICY.test(lower) ? `write it '${lower}' (Vault lowercases policy names)` : "rename it";
        return `is ${describeValue(policy)}, but a policy name here is ${POLICY_RULE}; ${fix}`;
      },
      repeated: (_, first) => `repeats policies[${first}]; remove the duplicate`,
    }),
  );
}

function readTokenType(value: unknown, key: string, issues: IssueCollector): VaultTokenType | undefined {
  const text = readString(value, key, issues, "service or batch");
  if (text === "service" || text === "batch") return text;
  if (text !== undefined)
    issues.add(
      key,
      `is ${describeValue(text)}, but must be service (renewable, revocable, with an accessor: the default) ` +
        "or batch (lighter, neither renewable nor revocable alone); remove it for service",
    );
  return undefined;
}

function readBoundCidrs(value: unknown, key: string, issues: IssueCollector): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    const single = typeof value === "string" ? `; write it as a list: [${value}]` : ", e.g. [198.51.100.0/24]";
    issues.add(key, `is ${describeValue(value)}, but must be a list of CIDR blocks${single}`);
    return undefined;
  }
  return issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "a CIDR block such as 198.51.100.0/24 or 2001:db8::/32",
      problem: (cidr) =>
        isCidr(cidr)
          ? undefined
          : `is ${describeValue(cidr)}, but must be a CIDR block (address/prefix) such as 198.51.100.0/24 or 2001:db8::/32` +
            (isIpAddress(cidr) ? `; write '${cidr}/${cidr.includes(":") ? 128 : 32}' for this address alone` : ""),
      repeated: (_, first) => `repeats boundCidrs[${first}]; remove the duplicate`,
    }),
  );
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:]+$/;

function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!IPV6.test(text) || !text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** An address and a prefix length in range for its family (as Go's net.ParseCIDR, which Vault uses). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || !isIpAddress(address)) return false;
  return Number(prefix) <= (address.includes(":") ? 128 : 32);
}

export const vaultSection: WorkloadSection<WorkloadVaultEntry, WorkloadVaultSettings> = {
  section: "vault",
  field: { read: readWorkloadVault, empty: WORKLOAD_VAULT_EMPTY },
  resolve(workloads, stack, issues) {
    const settings = new Map<string, WorkloadVaultSettings>();
    const roles: NameClaim[] = [];
    for (const workload of workloads) {
      if (!checkCloudSection(workload, VAULT_SECTION, stack.vault, issues)) continue;
      const entry = workload.entry;
      if (entry === undefined) continue;
      const key = memberKey(memberKey(workload.key, "vault"), "role");
      let role = entry.role;
      if (role === undefined) {
        role = `${DEFAULT_CLOUD_NAME_PREFIX}${workload.name}`;
        if (!VAULT.roleName.value.test(role)) {
          issues.add(
            key,
            `is not set, and the default '${role}' (wid-<workload>) is not a Vault role name (${ROLE_RULE}); set vault.role`,
          );
          continue;
        }
      }
      roles.push({ workload: workload.name, key, name: role, explicit: entry.role !== undefined });
      const maxTtl = entry.tokenMaxTtlSeconds;
      const ttl =
        entry.tokenTtlSeconds ?? Math.min(DEFAULT_VAULT_TOKEN_TTL_SECONDS, maxTtl ?? Number.POSITIVE_INFINITY);
      settings.set(workload.name, {
        role,
        policies: entry.policies,
        tokenTtlSeconds: ttl,
        tokenMaxTtlSeconds: maxTtl ?? ttl,
        tokenType: entry.tokenType,
        boundCidrs: entry.boundCidrs,
      });
    }
    const before = issues.count;
    reportDuplicateNames(
      roles,
      (name) => name,
      (duplicate, owner) =>
        `is '${duplicate.name}'${duplicate.explicit ? "" : " (the default wid-<workload>)"}, which is also the role of ` +
        `workload '${owner.workload}' (${owner.explicit ? "its vault.role" : "its default"}) in the same mount; each ` +
        "workload logs in as a role of its own: set another vault.role here",
      issues,
    );
    if (issues.count !== before) {
      // A role name taken twice would be one Vault role written by two resources (the second write
      // replacing the first's bound_subject): the workloads told to rename theirs get no settings.
      const clashing = new Set(
        issues.issues.slice(before).map((issue) => roles.find((r) => r.key === issue.key)?.workload),
      );
      for (const name of clashing) if (name !== undefined) settings.delete(name);
    }
    return settings;
  },
};
