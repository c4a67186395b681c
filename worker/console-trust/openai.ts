// What a security team creates in the OpenAI Platform (or with the Admin API) for one workload:
// the workload identity provider for this stack's issuer (exact `iss`, one audience, keys by
// OIDC discovery) and the federation rule (the dashboard's "service account mapping") whose
// attribute_matchers hold exactly the workload's `sub`, for its project service account. Field
// names are the Admin API's (POST /v1/organization/workload_identity_providers and
// .../{id}/federation_rules, as openai-node's WorkloadIdentityProviderCreateParams and
// FederationRuleCreateParams type them).

import type { IssuerSettings, WorkloadConfig } from "../config/types.js";
import { type AdminCall, curlCommand, type Placeholder, slug, stackLabel, workloadDescription } from "./shell.js";

export const OPENAI_ADMIN_API = "https://api.openai.com/v1";

/** Body of POST /v1/organization/workload_identity_providers. */
export interface OpenAiWorkloadIdentityProvider {
  readonly name: string;
  readonly description: string;
  readonly type: "oidc";
  readonly issuer: string;
  readonly audience: string;
  readonly verification: { readonly type: "discovery"; readonly discovery_url: string };
  /** None: the rule matches the token's own `sub`; no CEL runs. */
  readonly attribute_transformations: readonly [];
  readonly enabled: true;
}

/** Body of POST /v1/organization/workload_identity_providers/{id}/federation_rules. */
export interface OpenAiFederationRule {
  readonly name: string;
  readonly description: string;
  /** Exactly the workload's subject: no other attribute, no pattern. */
  readonly attribute_matchers: { readonly sub: string };
  readonly project_id: string;
  readonly service_account_id: string;
  readonly permissions: { readonly type: "service_account_default" };
  readonly enabled: true;
}

export interface OpenAiConsoleTrust {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  readonly identityProviderId: string;
  readonly workloadIdentityProvider: OpenAiWorkloadIdentityProvider;
  readonly federationRule: OpenAiFederationRule;
  /** What openaiAccessToken sends besides the subject token. */
  readonly exchange: { readonly identity_provider_id: string; readonly service_account_id: string };
  readonly placeholders: readonly Placeholder[];
  readonly calls: readonly AdminCall[];
}

const ADMIN_HEADERS = ["Authorization: Bearer $OPENAI_ADMIN_KEY", "Content-Type: application/json"];

export function openaiConsoleTrust(
  issuer: IssuerSettings,
  workload: WorkloadConfig,
  stack?: string,
): OpenAiConsoleTrust | undefined {
  const settings = workload.openai;
  if (settings === undefined) return undefined;
  const host = new URL(issuer.issuerUrl).host;
  const label = stackLabel(issuer, stack);
  const workloadIdentityProvider: OpenAiWorkloadIdentityProvider = {
    name: slug(`wid-${stack ?? issuer.environment}-${host}`, 128),
    description: `worker-identity ${label}: tokens of ${issuer.issuerUrl} for audience ${settings.audience}`,
    type: "oidc",
    issuer: issuer.issuerUrl,
    audience: settings.audience,
    verification: { type: "discovery", discovery_url: `${issuer.issuerUrl}/.well-known/openid-configuration` },
    attribute_transformations: [],
    enabled: true,
  };
  const federationRule: OpenAiFederationRule = {
    name: slug(`wid-${stack ?? issuer.environment}-${workload.name}`, 128),
    description: workloadDescription(issuer, workload, stack),
    attribute_matchers: { sub: workload.subject },
    project_id: settings.projectId,
    service_account_id: settings.serviceAccountId,
    permissions: { type: "service_account_default" },
    enabled: true,
  };
  const providersUrl = `${OPENAI_ADMIN_API}/organization/workload_identity_providers`;
  const rulesUrl = `${providersUrl}/${settings.identityProviderId}/federation_rules`;
  return {
    issuer: issuer.issuerUrl,
    subject: workload.subject,
    audience: settings.audience,
    identityProviderId: settings.identityProviderId,
    workloadIdentityProvider,
    federationRule,
    exchange: { identity_provider_id: settings.identityProviderId, service_account_id: settings.serviceAccountId },
    placeholders: [],
    calls: [
      {
        title: `Register the workload identity provider for ${issuer.issuerUrl} and audience ${settings.audience} (once per stack and audience; put its id in openai.identityProviderId)`,
        method: "POST",
        url: providersUrl,
        body: workloadIdentityProvider,
        curl: curlCommand(providersUrl, ADMIN_HEADERS, workloadIdentityProvider, []),
      },
      {
        title: `Create the service account mapping (federation rule) for workload ${workload.name} under provider ${settings.identityProviderId}`,
        method: "POST",
        url: rulesUrl,
        body: federationRule,
        curl: curlCommand(rulesUrl, ADMIN_HEADERS, federationRule, []),
      },
    ],
  };
}
