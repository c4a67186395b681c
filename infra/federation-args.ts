// What the AWS and GCP federations share: the resolved config they federate, and how they name
// the child resources of each workload and workflow.

import type { IssuerSettings, WorkflowConfig, WorkloadConfig } from "../worker/config/types.js";

/**
 * Plain resolved config rather than `pulumi.Input`s: resource names and the set of roles and
 * service accounts derive from it, and both must be known when the program runs.
 */
export interface FederationArgs {
  readonly issuer: IssuerSettings;
  readonly workloads: readonly WorkloadConfig[];
  /** Registered workflows; those with the cloud's settings are federated. */
  readonly workflows?: readonly WorkflowConfig[];
  /** The Pulumi stack name, for tags and console texts. */
  readonly stack: string;
}

/** Child names start with the workload's name, so adding or removing one renames no other. */
export function workloadChildPrefix(component: string, workload: Pick<WorkloadConfig, "name">): string {
  return `${component}-${workload.name}`;
}

/** '.' is in neither workload nor workflow names: these child names never meet a workload's. */
export function workflowChildPrefix(component: string, workflow: Pick<WorkflowConfig, "name">): string {
  return `${component}-wf.${workflow.name}`;
}
