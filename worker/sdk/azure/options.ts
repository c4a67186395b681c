// The options of azureAccessToken, checked and defaulted once.

import type { ResolvedExchange } from "../federated-exchange.js";
import { isRecord, OptionProblems } from "../option-checks.js";

/** The audience Entra ID accepts in a federated client assertion, and the only one its FICs name. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

export interface AzureAccessTokenOptions {
  /** The directory (tenant) id, a GUID: the workload's `azure.tenantId` stack output. */
  readonly tenantId: string;
  /** The application's or managed identity's client id: the workload's `azure.clientId` stack output. */
  readonly clientId: string;
  /** `<resource>/.default`, e.g. https://storage.azure.com/.default or https://vault.azure.net/.default. */
  readonly scope: string;
  /** The cloud's Entra host. Default https://login.microsoftonline.com (sovereign clouds have their own). */
  readonly authorityHost?: string;
  /** Renew this long before the token expires (at most half its life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface ResolvedAzureAccessTokenOptions extends ResolvedExchange {
  readonly tenantId: string;
  readonly clientId: string;
  readonly scope: string;
  /** `<authorityHost>/<tenantId>/oauth2/v2.0/token`. */
  readonly tokenEndpoint: string;
}

const KNOWN = ["tenantId", "clientId", "scope", "authorityHost", "renewBeforeSeconds"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** One resource's `.default` scope: an app id URI, a URL or a GUID, then `/.default`. */
const DEFAULT_SCOPE = /^[^\s/][^\s]*\/\.default$/;

export function resolveAzureAccessTokenOptions(options: unknown): ResolvedAzureAccessTokenOptions {
  const problems = new OptionProblems("azureAccessToken");
  if (!isRecord(options)) {
    problems.add(
      "options",
      "must be an object such as { tenantId, clientId, scope: 'https://storage.azure.com/.default' }",
    );
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, KNOWN);
  const tenantId = problems
    .string(
      record.tenantId,
      "tenantId",
      GUID,
      "must be the directory (tenant) id, a GUID (the workload's azure.tenantId stack output); a domain such as contoso.onmicrosoft.com is not accepted",
    )
    .toLowerCase();
  const clientId = problems
    .string(
      record.clientId,
      "clientId",
      GUID,
      "must be the application's or managed identity's client id, a GUID (the workload's azure.clientId stack output)",
    )
    .toLowerCase();
  const scope = scopeOption(record.scope, problems);
  const authority = problems.endpoint(record.authorityHost, "authorityHost", `${DEFAULT_AUTHORITY_HOST}/`);
  if (
    record.authorityHost !== undefined &&
    typeof record.authorityHost === "string" &&
    /\/oauth2\//.test(record.authorityHost)
  )
    problems.add(
      "authorityHost",
      "must be the host only (https://login.microsoftonline.com); the SDK adds /<tenant>/oauth2/v2.0/token",
    );
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  problems.throwIfAny();
  const tokenEndpoint = `${authority.replace(/\/+$/, "")}/${tenantId}/oauth2/v2.0/token`;
  return Object.freeze({
    tenantId,
    clientId,
    scope,
    tokenEndpoint,
    audience: AZURE_TOKEN_EXCHANGE_AUDIENCE,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey: JSON.stringify(["azure", tokenEndpoint, clientId, scope]),
  });
}

function scopeOption(value: unknown, problems: OptionProblems): string {
  if (typeof value === "string" && DEFAULT_SCOPE.test(value)) return value;
  let fix = "must be one resource's .default scope, e.g. 'https://storage.azure.com/.default'";
  if (typeof value === "string" && /\s/.test(value.trim()))
    fix += ": client credentials take one resource's scope per token; call azureAccessToken once per resource";
  else if (typeof value === "string" && value !== "" && !value.endsWith("/.default"))
    fix += `: write '${defaultScopeOf(value)}' (client credentials grant the application's roles, not delegated scopes)`;
  else if (Array.isArray(value)) fix += ", a string, not a list";
  problems.add("scope", fix);
  return "";
}

/** The `.default` scope of the resource a scope or resource URI names: its last path segment replaced. */
function defaultScopeOf(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, "");
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(trimmed);
  if (scheme === null || trimmed === scheme[0]) return `${trimmed}/.default`;
  return `${trimmed.slice(0, trimmed.lastIndexOf("/"))}/.default`;
}
