// A workload identity pool provider that trusts a worker-identity issuer admits tokens only
// through an attributeCondition (without one, any token the issuer signs enters the pool, and a
// pool-wide grant anywhere opens to it) and maps google.subject, the identity grants name. It
// applies to providers of the configured issuers, and to any provider whose mapping reads the
// `worker` claim only our issuer mints; providers of the stack's own issuer are recognised without
// config by the stack policy gcp-provider-trusts-stack-issuer.

import * as gcp from "@pulumi/gcp";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, isUnknown } from "../inputs.js";
import { reportViolationsOfType } from "../resource-policy.js";

export interface ProviderPolicyConfig {
  /** Issuer URLs (`https://<host>`) whose providers this policy checks. */
  readonly issuers: readonly string[];
}

const WORKER_CLAIM = /\bassertion\s*(\.\s*worker\b|\[\s*["']worker["']\s*\])/;

export function providerPolicyConfig(raw: object): ProviderPolicyConfig {
  const issuers = (raw as Record<string, unknown>).issuers ?? [];
  if (!Array.isArray(issuers) || !issuers.every((issuer) => typeof issuer === "string")) {
    throw new TypeError(`policy config issuers must be a list of issuer URLs, got ${JSON.stringify(issuers)}`);
  }
  return { issuers };
}

/** Issuer URLs compare without case in the host and without a trailing slash. */
function sameIssuer(a: string, b: string): boolean {
  const normalize = (url: string) => url.trim().replace(/\/+$/, "").toLowerCase();
  return normalize(a) === normalize(b);
}

/**
 * Whether the provider is recognisable as trusting a worker-identity issuer from itself and the
 * policy's config: its issuerUri is a configured issuer, or its mapping reads the `worker` claim.
 * Without config, the stack policy (provider-trusts-stack-issuer.ts) recognises the stack's own.
 */
export function recognisedIssuer(provider: Readonly<Record<string, unknown>>, config: ProviderPolicyConfig): boolean {
  const { oidc, attributeMapping: mapping } = provider;
  const issuerUri = isRecord(oidc) ? oidc.issuerUri : undefined;
  return (
    (typeof issuerUri === "string" && config.issuers.some((issuer) => sameIssuer(issuer, issuerUri))) ||
    (isRecord(mapping) && Object.values(mapping).some((value) => typeof value === "string" && WORKER_CLAIM.test(value)))
  );
}

export function providerViolations(
  provider: Readonly<Record<string, unknown>>,
  config: ProviderPolicyConfig,
): readonly string[] {
  const { oidc, attributeMapping: mapping } = provider;
  if (isUnknown(oidc) || isUnknown(mapping)) return [];
  const issuerUri = isRecord(oidc) ? oidc.issuerUri : undefined;
  if (isUnknown(issuerUri)) return [];
  return recognisedIssuer(provider, config) ? trustViolations(provider) : [];
}

/** What is wrong with a provider known to trust a worker-identity issuer: no condition, or no google.subject. */
export function trustViolations(provider: Readonly<Record<string, unknown>>): readonly string[] {
  const { oidc, attributeMapping: mapping, attributeCondition: condition } = provider;
  const issuerUri = isRecord(oidc) ? oidc.issuerUri : undefined;
  const messages: string[] = [];
  if (!isUnknown(condition)) {
    if (typeof condition !== "string" || condition.trim() === "") {
      messages.push(
        `the provider for ${String(issuerUri)} has no attributeCondition, so every token the issuer signs enters the pool; ` +
          'set attributeCondition to admit only your account, e.g. assertion.account_id == "<account_id>"',
      );
    } else if (condition.trim() === "true") {
      messages.push(
        `the provider's attributeCondition is "true", which admits every token; admit only your account, e.g. assertion.account_id == "<account_id>"`,
      );
    }
  }
  if (isUnknown(mapping)) return messages;
  const subject = isRecord(mapping) ? mapping["google.subject"] : undefined;
  if (!isUnknown(subject) && (typeof subject !== "string" || subject.trim() === "")) {
    messages.push(
      `the provider for ${String(issuerUri)} does not map google.subject, the identity service account grants name; ` +
        'add "google.subject": "assertion.sub" to attributeMapping',
    );
  }
  return messages;
}

export const gcpProviderConditionAndSubject: ResourceValidationPolicy = {
  name: "gcp-provider-condition-and-subject",
  description:
    "A workload identity pool provider trusting a worker-identity issuer has an attributeCondition and maps google.subject.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      issuers: {
        type: "array",
        items: { type: "string", pattern: "^https://" },
        default: [],
        description:
          "Issuer URLs (https://<host>) of worker-identity issuers. Providers with one of them as oidc.issuerUri are checked, " +
          "as are providers whose attributeMapping reads assertion.worker.",
      },
    },
  },
  validateResource: reportViolationsOfType(gcp.iam.WorkloadIdentityPoolProvider, (provider, args) =>
    providerViolations(provider, providerPolicyConfig(args.getConfig<object>())),
  ),
};
