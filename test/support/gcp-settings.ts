// Resolved GCP federation settings built by hand, for tests of the GCP builders and component
// that take them directly: project acme-prod (number 123456789012), pool cf-workers, provider
// wid-issuer, and the audience GCP names that provider by.

import type { GcpSettings } from "../../worker/config/types.js";

export const GCP_POOL_RESOURCE = "projects/123456789012/locations/global/workloadIdentityPools/cf-workers";

export function gcpSettings(overrides: Partial<GcpSettings> = {}): GcpSettings {
  return {
    projectId: "acme-prod",
    projectNumber: "123456789012",
    poolId: "cf-workers",
    providerId: "wid-issuer",
    audience: `//iam.googleapis.com/${GCP_POOL_RESOURCE}/providers/wid-issuer`,
    ...overrides,
  };
}
