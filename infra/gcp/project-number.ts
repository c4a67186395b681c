// GCP names pools, providers and principals by project number, and the stack config carries that
// number next to the project id. A typo in the number would grant roles/iam.workloadIdentityUser
// to a pool of the same id in someone else's project, so the program asks GCP for the project's
// number (gcp.organizations.getProject) and stops the deploy on a mismatch. Pure: the check.

import type { GcpSettings } from "../../worker/config/types.js";
import { ProgramError } from "../program-error.js";

export class GcpProjectNumberError extends ProgramError {
  readonly code = "ERR_GCP_PROJECT_NUMBER";
}

/** The project id, once GCP's number for it equals the configured one; throws GcpProjectNumberError otherwise. */
export function checkedProjectId(
  settings: Pick<GcpSettings, "projectId" | "projectNumber">,
  actualNumber: string,
): string {
  if (actualNumber === settings.projectNumber) return settings.projectId;
  throw new GcpProjectNumberError(
    `gcp.projectNumber is ${settings.projectNumber}, but GCP project ${settings.projectId} has number ${actualNumber}: ` +
      `the pool's principals and the provider's audience would name another project. Set it to the project's number: ` +
      `gcloud projects describe ${settings.projectId} --format='value(projectNumber)' prints ${actualNumber}; ` +
      `then pulumi config set --path gcp.projectNumber ${actualNumber} (and fix workloads' GCP audiences to match)`,
  );
}
