// A GCP audience in a workload's (or workflow's) allow-list names the provider by project
// number. One that names the stack's pool and provider under another number is a typo of the
// number: GCP STS would refuse every token for it, and a deploy would look fine until then.
// The deploy itself checks gcp.projectNumber against the project (infra/gcp/project-number.ts);
// this keeps the audiences in step with gcp.projectNumber.

import { describeValue } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { elementKey, memberKey } from "./key-path.js";
import type { GcpSettings } from "./types.js";

const PROVIDER_AUDIENCE =
  /^\/\/iam\.googleapis\.com\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

export interface AudienceOwner {
  /** The entry's key, e.g. `worker-identity:workloads.billing`. */
  readonly key: string;
  readonly fields: { readonly audiences?: readonly string[] };
}

export function reportMisnumberedGcpAudiences(
  owners: readonly AudienceOwner[],
  gcp: GcpSettings | undefined,
  issues: IssueCollector,
): void {
  if (gcp === undefined) return;
  for (const owner of owners) {
    owner.fields.audiences?.forEach((audience, index) => {
      const match = PROVIDER_AUDIENCE.exec(audience);
      if (match === null) return;
      const [, project, pool, provider] = match;
      if (pool !== gcp.poolId || provider !== gcp.providerId || project === gcp.projectNumber) return;
      issues.add(
        elementKey(memberKey(owner.key, "audiences"), index),
        `is ${describeValue(audience)}, which names the stack's pool and provider in project ${project}, but ` +
          `gcp.projectNumber is ${gcp.projectNumber}: the provider accepts only ${gcp.audience}. Write that audience; if ` +
          `${project} is the right number, fix gcp.projectNumber instead (gcloud projects describe ${gcp.projectId} ` +
          "--format='value(projectNumber)')",
      );
    });
  }
}
