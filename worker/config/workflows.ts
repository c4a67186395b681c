// The workflow registry (`workflows`): which Cloudflare Workflows get instance identities
// (sub = workflow/<account_id>/<name>/<instance_id>), which script defines each, and what their
// tokens may say. Read like workloads: each entry's own fields through a table (readWorkflows),
// then what depends on the issuer and on the other entries (resolveWorkflows).

import { readAudiences } from "./audiences.js";
import { readWorkloadAws, WORKLOAD_AWS_EMPTY } from "./aws.js";
import { readClaims } from "./claims.js";
import { resolveEntryClouds } from "./entry-clouds.js";
import type { NameClaim } from "./federation.js";
import { describeValue, type FieldReader, patternString, readString, utf8Length } from "./fields.js";
import { readWorkloadGcp, WORKLOAD_GCP_EMPTY } from "./gcp-workload.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  CLASS_NAME_PATTERN,
  MAX_GCP_SUBJECT_BYTES,
  MAX_WORKFLOW_NAME_LENGTH,
  MIN_MAX_INSTANCE_ID_LENGTH,
  WORKFLOW_NAME_PATTERN,
} from "./limits.js";
import { LIFETIME_FIELDS, type RegistryEntry, readRegistry, resolveLifetimes, sortedByName } from "./registry.js";
import { scriptNameProblem } from "./script-name.js";
import type { WorkflowConfig, WorkloadConfig } from "./types.js";
import type { IssuerContext } from "./workloads.js";

const WORKFLOW_FIELDS = {
  script: {
    read: readScript,
    required: "is missing; name the Worker script that defines the workflow, e.g. script: nightly-jobs",
  },
  className: {
    read: patternString(
      "the exported WorkflowEntrypoint class name, such as NightlyExport",
      CLASS_NAME_PATTERN,
      (name) =>
        `is ${describeValue(name)}, but must be a JavaScript class name (letters, digits, '_' or '$', ` +
        "not starting with a digit), exactly as the script exports it",
    ),
    required: "is missing; name the WorkflowEntrypoint class the script exports, e.g. className: NightlyExport",
  },
  audiences: {
    read: readAudiences,
    required: "is missing; list the audiences this workflow's instances may request tokens for",
  },
  ...LIFETIME_FIELDS,
  claims: { read: readClaims },
  aws: { read: readWorkloadAws, empty: WORKLOAD_AWS_EMPTY },
  gcp: { read: readWorkloadGcp, empty: WORKLOAD_GCP_EMPTY },
  azure: { read: exactSubjectOnly("Microsoft Entra ID", "federated identity credential") },
  vault: { read: exactSubjectOnly("Vault", "role (bound_subject)") },
  anthropic: { read: exactSubjectOnly("the Claude API", "federation rule") },
  openai: { read: exactSubjectOnly("the OpenAI API", "service account mapping") },
} as const;

/**
 * A section a workflow cannot have: the relying party trusts one exact subject, and each
 * instance's subject ends in its own id, so no trust could name the workflow's instances and no
 * other subject. The workflow's Worker script can federate as a workload instead.
 */
function exactSubjectOnly(party: string, trust: string): FieldReader<never> {
  return (_value, key, issues) => {
    issues.add(
      key,
      `is set on a workflow, but ${party} trusts one exact subject per ${trust}, and each instance's ` +
        "subject ends in its instance id; remove it, and federate a workload (the workflow's script, say) instead",
    );
    return undefined;
  };
}

export type WorkflowEntry = RegistryEntry<typeof WORKFLOW_FIELDS>;

/** The name part shared by a workflow's entrypoint class and the issuer's binding to it. */
export function workflowIdentifier(name: string): string {
  return name.replaceAll("-", "_");
}

export function workflowEntrypointName(name: string): string {
  return `Workflow_${workflowIdentifier(name)}`;
}

export function workflowBindingName(name: string): string {
  return `WORKFLOW_${workflowIdentifier(name)}`;
}

/** Why `name` is not a Cloudflare Workflow name (with the fix), or undefined if it is one. */
export function workflowNameProblem(name: string): string | undefined {
  if (name.length <= MAX_WORKFLOW_NAME_LENGTH && WORKFLOW_NAME_PATTERN.test(name)) return undefined;
  const suggestion = name
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, MAX_WORKFLOW_NAME_LENGTH);
  const fix =
    suggestion !== "" && WORKFLOW_NAME_PATTERN.test(suggestion) ? `rename it to '${suggestion}'` : "rename it";
  return (
    `is not a valid Workflow name (1 to ${MAX_WORKFLOW_NAME_LENGTH} letters, digits, '_' or '-', not starting ` +
    `with '-', as Cloudflare requires); ${fix}`
  );
}

/** The `workflows` key: a map from workflow name to its settings (or its JSON text). */
export const readWorkflows: FieldReader<readonly WorkflowEntry[]> = (value, key, issues) =>
  readRegistry(value, key, issues, WORKFLOW_FIELDS, {
    noun: "workflow",
    nameProblem: workflowNameProblem,
    jsonFix: "write workflows as a YAML map in the stack file",
    mapShape:
      "a map from Workflow name to its settings, e.g. {nightly-export: {script: jobs, className: NightlyExport, " +
      "audiences: [sts.amazonaws.com]}}",
    settingsExample: "{script: jobs, className: NightlyExport, audiences: [sts.amazonaws.com]}",
  });

function readScript(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const script = readString(value, key, issues, "the Worker script name that defines the workflow");
  if (script === undefined) return undefined;
  const problem = scriptNameProblem(script);
  if (problem === undefined) return script;
  issues.add(key, problem);
  return undefined;
}

/** What resolving workflows needs from the issuer and the workloads (undefined: invalid, reported). */
export interface WorkflowContext extends IssuerContext {
  readonly maxInstanceIdLength: number | undefined;
  /** The full key of maxInstanceIdLength, for messages. */
  readonly maxInstanceIdLengthKey: string;
  readonly workloads: readonly WorkloadConfig[];
}

export function resolveWorkflows(
  entries: readonly WorkflowEntry[],
  context: WorkflowContext,
  issues: IssueCollector,
): WorkflowConfig[] {
  const sorted = sortedByName(entries);
  const classes = new Map<string, string>(context.workloads.map((w) => [w.entrypoint, `workload '${w.name}'`]));
  const roleNames: NameClaim[] = [];
  const accountIds: NameClaim[] = [];
  const resolved: WorkflowConfig[] = [];
  for (const entry of sorted) {
    const { name, key, fields } = entry;
    if (fields.script !== undefined && fields.script === context.scriptName) {
      issues.add(
        memberKey(key, "script"),
        `is the issuer's own script '${fields.script}', which defines no workflow; ` +
          "name the script whose code defines it",
      );
    }
    const entrypoint = workflowEntrypointName(name);
    const owner = classes.get(entrypoint);
    if (owner === undefined) classes.set(entrypoint, `workflow '${name}'`);
    else
      issues.add(
        key,
        `maps to the entrypoint class '${entrypoint}', as ${owner} does ('-' becomes '_'); rename one of them`,
      );
    const subjectPrefix = `workflow/${context.accountId ?? "0".repeat(32)}/${name}/`;
    checkSubjectFits(entry, subjectPrefix, context, issues);
    const lifetimes = resolveLifetimes(
      key,
      fields,
      context,
      (written) => (written ? "the workflow's maxTokenLifetimeSeconds" : "the issuer's maxTokenLifetimeSeconds"),
      issues,
    );
    const clouds = resolveEntryClouds(entry, context, { roleNames, accountIds }, issues);
    if (fields.script === undefined || fields.className === undefined || fields.audiences === undefined) continue;
    if (lifetimes === undefined || context.maxInstanceIdLength === undefined) continue;
    resolved.push({
      name,
      script: fields.script,
      className: fields.className,
      subjectPrefix,
      entrypoint,
      binding: workflowBindingName(name),
      maxInstanceIdLength: context.maxInstanceIdLength,
      audiences: fields.audiences,
      ...lifetimes,
      claims: fields.claims ?? {},
      ...clouds,
    });
  }
  const workloadRoles = context.workloads.flatMap((w) =>
    w.aws ? [{ owner: `workload '${w.name}'`, name: w.aws.roleName }] : [],
  );
  reportTaken(roleNames, workloadRoles, (n) => n.toLowerCase(), "role", "aws.roleName", issues);
  const workloadAccounts = context.workloads.flatMap((w) =>
    w.gcp?.serviceAccount.kind === "create"
      ? [{ owner: `workload '${w.name}'`, name: w.gcp.serviceAccount.accountId }]
      : [],
  );
  reportTaken(accountIds, workloadAccounts, (n) => n, "service account", "gcp.serviceAccount.create.accountId", issues);
  return resolved;
}

/** GCP's google.subject is at most 127 bytes: the longest instance id allowed must still fit. */
function checkSubjectFits(
  entry: WorkflowEntry,
  prefix: string,
  context: WorkflowContext,
  issues: IssueCollector,
): void {
  const longest = context.maxInstanceIdLength;
  if (longest === undefined) return;
  const bytes = utf8Length(prefix) + longest;
  if (bytes <= MAX_GCP_SUBJECT_BYTES) return;
  const room = MAX_GCP_SUBJECT_BYTES - utf8Length(prefix);
  const shorterName = entry.name.length - (bytes - MAX_GCP_SUBJECT_BYTES);
  const fixes = [
    shorterName >= 1 ? `shorten the workflow name to at most ${shorterName} characters` : undefined,
    room >= MIN_MAX_INSTANCE_ID_LENGTH
      ? `lower ${context.maxInstanceIdLengthKey} to at most ${room} (longer instance ids are then refused)`
      : undefined,
  ].filter((fix) => fix !== undefined);
  issues.add(
    entry.key,
    `gives instance subjects of up to ${bytes} bytes (${prefix}<instance id of up to ${longest} ` +
      `characters>), more than GCP's ${MAX_GCP_SUBJECT_BYTES}-byte google.subject limit; ${fixes.join(", or ")}`,
  );
}

/**
 * Names a workflow's cloud section claims (role, service account) must not be taken by a
 * workload or an earlier workflow; defaulted names yield to written ones, as for workloads.
 */
function reportTaken(
  claims: readonly NameClaim[],
  taken: readonly { owner: string; name: string }[],
  fold: (name: string) => string,
  what: string,
  field: string,
  issues: IssueCollector,
): void {
  const owners = new Map(taken.map((t) => [fold(t.name), t.owner]));
  for (const claim of [...claims.filter((c) => !c.explicit), ...claims.filter((c) => c.explicit)]) {
    const owner = owners.get(fold(claim.name));
    if (owner === undefined) owners.set(fold(claim.name), `workflow '${claim.workload}'`);
    else
      issues.add(
        claim.key,
        `is '${claim.name}', which is also the ${what} of ${owner}; each workflow gets a ${what} ` +
          `of its own: set another ${field} here`,
      );
  }
}
