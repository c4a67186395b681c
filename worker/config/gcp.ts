// GCP Workload Identity Federation: the stack's `gcp` key, naming the project, the workload
// identity pool and the OIDC provider that trusts the issuer. Its audience is derived, never
// written: the provider's full resource name, which GCP STS expects by default.

import { describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import { readJwksJson } from "./gcp-jwks.js";
import type { IssueCollector } from "./issues.js";
import {
  DEFAULT_GCP_POOL_ID,
  DEFAULT_GCP_PROVIDER_ID,
  GCP_FEDERATION_ID_PATTERN,
  GCP_PROJECT_ID_PATTERN,
  GCP_PROJECT_NUMBER_PATTERN,
  GCP_RESERVED_ID_PREFIX,
} from "./limits.js";
import type { GcpSettings } from "./types.js";

const NUMBER_COMMAND = "gcloud projects describe <projectId> --format='value(projectNumber)'";

const GCP_FIELDS = {
  projectId: {
    read: readProjectId,
    required:
      "is missing; set it to the id of the GCP project that holds the workload identity pool: " +
      "pulumi config set --path gcp.projectId <project-id>",
  },
  projectNumber: {
    read: readProjectNumber,
    required:
      `is missing; set it to the project's number (${NUMBER_COMMAND}): ` +
      "pulumi config set --path gcp.projectNumber <number>",
  },
  poolId: { read: federationIdReader("pool", DEFAULT_GCP_POOL_ID) },
  providerId: { read: federationIdReader("provider", DEFAULT_GCP_PROVIDER_ID) },
  jwksJson: { read: readJwksJson },
} as const;

/** The `gcp` stack key. */
export const readGcpSettings: FieldReader<GcpSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, GCP_FIELDS, {
    what: "a gcp setting",
    jsonText: true,
    shape: 'a map like {projectId: my-project, projectNumber: "123456789012"}',
  });
  if (fields === undefined) return undefined;
  const { projectId, projectNumber, jwksJson } = fields;
  if (projectId === undefined || projectNumber === undefined) return undefined;
  const poolId = fields.poolId ?? DEFAULT_GCP_POOL_ID;
  const providerId = fields.providerId ?? DEFAULT_GCP_PROVIDER_ID;
  return {
    projectId,
    projectNumber,
    poolId,
    providerId,
    audience: gcpProviderAudience(projectNumber, poolId, providerId),
    ...(jwksJson === undefined ? {} : { jwksJson }),
  };
};

export const GCP_STACK_KEY_EMPTY =
  "is empty; write gcp: {projectId: <project-id>, projectNumber: <number>} to federate GCP, or delete the line";

/** The provider's full resource name, the audience GCP STS accepts by default. */
export function gcpProviderAudience(projectNumber: string, poolId: string, providerId: string): string {
  return (
    `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}` +
    `/providers/${providerId}`
  );
}

const PROJECT_ID_RULE = "6 to 30 lowercase letters, digits or '-', starting with a letter and not ending with '-'";

function readProjectId(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const id = readString(value, key, issues, `a GCP project id (${PROJECT_ID_RULE})`);
  if (id === undefined || GCP_PROJECT_ID_PATTERN.test(id)) return id;
  const lower = id.trim().toLowerCase();
  let fix = "copy the id from the console's project picker (gcloud projects list)";
  if (GCP_PROJECT_ID_PATTERN.test(lower)) fix = `write it '${lower}'`;
  else if (GCP_PROJECT_NUMBER_PATTERN.test(id))
    fix = "that is the project number: put it in projectNumber, and the id here";
  issues.add(key, `is ${describeValue(id)}, but a GCP project id is ${PROJECT_ID_RULE}; ${fix}`);
  return undefined;
}

/** Digits, as text: a YAML integer is turned into its decimal string. */
function readProjectNumber(value: unknown, key: string, issues: IssueCollector): string | undefined {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    const why =
      Number.isInteger(value) && value > 0 ? "too large to be read exactly as a number" : "not a project number";
    issues.add(
      key,
      `is ${describeValue(value)}, ${why}; write the project's digits as a quoted string ` +
        `(projectNumber: "123456789012"), from ${NUMBER_COMMAND}`,
    );
    return undefined;
  }
  const text = readString(value, key, issues, "the project's number, 1 to 20 digits");
  if (text === undefined || GCP_PROJECT_NUMBER_PATTERN.test(text)) return text;
  const hint = GCP_PROJECT_ID_PATTERN.test(text) ? " (this looks like the project id, which goes in projectId)" : "";
  issues.add(
    key,
    `is ${describeValue(text)}, but must be the project's number, 1 to 20 digits${hint}; ` +
      `get it with ${NUMBER_COMMAND}`,
  );
  return undefined;
}

function federationIdReader(what: "pool" | "provider", fallback: string): FieldReader<string> {
  const rule = `a workload identity ${what} id is 4 to 32 lowercase letters, digits or '-', starting with a letter`;
  return (value, key, issues) => {
    const id = readString(value, key, issues, `a ${what} id such as ${fallback}`);
    if (id === undefined) return undefined;
    if (id.startsWith(GCP_RESERVED_ID_PREFIX)) {
      const rest = id.slice(GCP_RESERVED_ID_PREFIX.length);
      const fix = GCP_FEDERATION_ID_PATTERN.test(rest) ? `e.g. '${rest}'` : `e.g. '${fallback}', the default`;
      issues.add(
        key,
        `is '${id}', but GCP reserves the prefix '${GCP_RESERVED_ID_PREFIX}' for its own ${what} ids; ` +
          `choose an id without it, ${fix}`,
      );
      return undefined;
    }
    if (GCP_FEDERATION_ID_PATTERN.test(id)) return id;
    const lower = id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^[^a-z]+/, "")
      .slice(0, 32);
    const fix =
      GCP_FEDERATION_ID_PATTERN.test(lower) && !lower.startsWith(GCP_RESERVED_ID_PREFIX)
        ? `e.g. '${lower}'`
        : `or remove it to use '${fallback}', the default`;
    issues.add(key, `is ${describeValue(id)}, but ${rule}; rename it, ${fix}`);
    return undefined;
  };
}
