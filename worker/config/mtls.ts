// mTLS: the stack's `mtls` key (its certificate authority: trust domain, CA lifetime) and each
// workload's `mtls` section (opt-in to a client certificate whose URI SAN names the workload's
// subject). The certificates themselves are issued by the certificate authority (worker/mtls-ca/),
// which the Pulumi program (infra/mtls/) and the local stack run.

import { describeValue, type FieldReader, integerField, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { memberKey } from "./key-path.js";
import {
  DEFAULT_MTLS_CA_VALIDITY_DAYS,
  DEFAULT_MTLS_CERTIFICATE_VALIDITY_DAYS,
  MAX_MTLS_CA_VALIDITY_DAYS,
  MAX_MTLS_CERTIFICATE_VALIDITY_DAYS,
  MAX_SPIFFE_TRUST_DOMAIN_LENGTH,
  MIN_MTLS_CA_VALIDITY_DAYS,
  MIN_MTLS_CERTIFICATE_VALIDITY_DAYS,
  MTLS_CA_VALIDITY_FACTOR,
  SPIFFE_TRUST_DOMAIN_PATTERN,
} from "./limits.js";
import { SPIFFE_SCHEME, workloadSpiffeId } from "./spiffe.js";
import type { MtlsSettings, WorkloadConfig } from "./types.js";

// ---- the stack's `mtls` key -------------------------------------------------------------
/** The key as written; the trust domain defaults later, from the issuer's hostname. */
export interface MtlsEntry {
  readonly trustDomain?: string;
  readonly caValidityDays: number;
}

const MTLS_FIELDS = {
  trustDomain: { read: readTrustDomain },
  caValidityDays: integerField({
    min: MIN_MTLS_CA_VALIDITY_DAYS,
    max: MAX_MTLS_CA_VALIDITY_DAYS,
    unit: "days",
    fix: `set it to ${DEFAULT_MTLS_CA_VALIDITY_DAYS} (a year), the default`,
  }),
} as const;

export const readMtlsSettings: FieldReader<MtlsEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, MTLS_FIELDS, {
    what: "an mtls setting",
    jsonText: true,
    shape: "a map: {} for the defaults, or {trustDomain: id.example.com, caValidityDays: 365}",
  });
  if (fields === undefined) return undefined;
  return {
    ...(fields.trustDomain === undefined ? {} : { trustDomain: fields.trustDomain }),
    caValidityDays: fields.caValidityDays ?? DEFAULT_MTLS_CA_VALIDITY_DAYS,
  };
};

export const MTLS_STACK_KEY_EMPTY =
  "is empty; write mtls: {} for the defaults (the issuer's hostname as trust domain, " +
  `a CA of ${DEFAULT_MTLS_CA_VALIDITY_DAYS} days), or delete the line`;

const TRUST_DOMAIN_RULE =
  "a SPIFFE trust domain is lowercase letters, digits, '.', '-' and '_' (no scheme, port or path)";
const TRUST_DOMAIN_DEFAULT = "remove it to use the issuer's hostname, the default";

function readTrustDomain(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "a SPIFFE trust domain such as id.example.com");
  if (text === undefined) return undefined;
  if (text === "") {
    issues.add(key, `is empty; ${TRUST_DOMAIN_DEFAULT}`);
  } else if (text.toLowerCase().startsWith(SPIFFE_SCHEME)) {
    issues.add(key, `has the spiffe:// scheme; write the trust domain alone: '${text.slice(SPIFFE_SCHEME.length)}'`);
  } else if (text.length > MAX_SPIFFE_TRUST_DOMAIN_LENGTH) {
    issues.add(
      key,
      `is ${text.length} characters long, more than the ${MAX_SPIFFE_TRUST_DOMAIN_LENGTH} a SPIFFE trust ` +
        `domain may have; shorten it, or ${TRUST_DOMAIN_DEFAULT}`,
    );
  } else if (!SPIFFE_TRUST_DOMAIN_PATTERN.test(text)) {
    issues.add(
      key,
      SPIFFE_TRUST_DOMAIN_PATTERN.test(text.toLowerCase())
        ? `must be lowercase: '${text.toLowerCase()}'`
        : `is ${describeValue(text)}, but ${TRUST_DOMAIN_RULE}; e.g. 'id.example.com', or ${TRUST_DOMAIN_DEFAULT}`,
    );
  } else {
    return text;
  }
  return undefined;
}

// ---- a workload's `mtls` section --------------------------------------------------------
export interface WorkloadMtlsEntry {
  readonly enabled: boolean;
  readonly validityDays: number;
}

const WORKLOAD_MTLS_FIELDS = {
  enabled: {
    read: readEnabled,
    required: "is missing; write enabled: true to give this workload a client certificate (or delete mtls)",
  },
  validityDays: integerField({
    min: MIN_MTLS_CERTIFICATE_VALIDITY_DAYS,
    max: MAX_MTLS_CERTIFICATE_VALIDITY_DAYS,
    unit: "days",
    fix: `set it to ${DEFAULT_MTLS_CERTIFICATE_VALIDITY_DAYS}, the default`,
  }),
} as const;

export const readWorkloadMtls: FieldReader<WorkloadMtlsEntry> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, WORKLOAD_MTLS_FIELDS, {
    what: "an mtls field of a workload",
    shape: "a map like {enabled: true} or {enabled: true, validityDays: 30}",
  });
  if (fields === undefined || fields.enabled === undefined) return undefined;
  return { enabled: fields.enabled, validityDays: fields.validityDays ?? DEFAULT_MTLS_CERTIFICATE_VALIDITY_DAYS };
};

export const WORKLOAD_MTLS_EMPTY =
  "is empty; write mtls: {enabled: true} to give this workload a client certificate, or delete the line";

/** A boolean; `"true"` and `"false"` count, as `pulumi config set --path` stores strings. */
function readEnabled(value: unknown, key: string, issues: IssueCollector): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  issues.add(key, `is ${describeValue(value)}, but must be true or false`);
  return undefined;
}

// ---- resolution -------------------------------------------------------------------------
/** A workload as read, with its `mtls` section when that was valid. */
export interface MtlsWorkloadEntry {
  readonly name: string;
  readonly key: string;
  readonly fields: { readonly mtls?: WorkloadMtlsEntry };
}

export interface MtlsContext {
  /** The full key, e.g. `worker-identity:mtls`. */
  readonly key: string;
  readonly configured: boolean;
  /** Undefined when not configured, or configured but invalid (already reported). */
  readonly settings: MtlsEntry | undefined;
  /** The issuer's hostname, or undefined when that is invalid (already reported). */
  readonly defaultTrustDomain: string | undefined;
}

/**
 * The stack's mTLS settings (when the key is set or a workload enables mTLS) and the workloads
 * with their certificate settings; checks each certificate fits its CA's lifetime.
 */
export function resolveMtls(
  context: MtlsContext,
  entries: readonly MtlsWorkloadEntry[],
  workloads: readonly WorkloadConfig[],
  issues: IssueCollector,
): { readonly settings?: MtlsSettings; readonly workloads: readonly WorkloadConfig[] } {
  const enabled = new Map(entries.flatMap((e) => (e.fields.mtls?.enabled === true ? [[e.name, e] as const] : [])));
  if (!context.configured && enabled.size === 0) return { workloads };
  const trustDomain = context.settings?.trustDomain ?? context.defaultTrustDomain;
  if ((context.configured && context.settings === undefined) || trustDomain === undefined) return { workloads };
  const caValidityDays = context.settings?.caValidityDays ?? DEFAULT_MTLS_CA_VALIDITY_DAYS;
  for (const entry of enabled.values()) {
    const validityDays = entry.fields.mtls?.validityDays ?? DEFAULT_MTLS_CERTIFICATE_VALIDITY_DAYS;
    if (validityDays * MTLS_CA_VALIDITY_FACTOR <= caValidityDays) continue;
    const longest = Math.floor(caValidityDays / MTLS_CA_VALIDITY_FACTOR);
    issues.add(
      memberKey(memberKey(entry.key, "mtls"), "validityDays"),
      `is ${validityDays} days, but the stack's CA ` +
        `lives ${caValidityDays} days (${context.key}.caValidityDays) and must outlive ${MTLS_CA_VALIDITY_FACTOR} of its ` +
        `certificates so its rotation overlaps them; lower it to at most ${longest}, or raise caValidityDays to at least ` +
        `${validityDays * MTLS_CA_VALIDITY_FACTOR}`,
    );
  }
  return {
    settings: { trustDomain, caValidityDays },
    workloads: workloads.map((workload) => {
      const mtls = enabled.get(workload.name)?.fields.mtls;
      if (mtls === undefined) return workload;
      return {
        ...workload,
        mtls: { spiffeId: workloadSpiffeId(trustDomain, workload.subject), validityDays: mtls.validityDays },
      };
    }),
  };
}

/** The default trust domain: the issuer's deployed hostname (custom domain or workers.dev), else the local one. */
export function defaultTrustDomain(
  issuerHostname: string | undefined,
  workersDevIssuerUrl: string | undefined,
  localIssuerUrl: string | undefined,
): string | undefined {
  const url = workersDevIssuerUrl ?? localIssuerUrl;
  return issuerHostname ?? (url === undefined ? undefined : new URL(url).hostname);
}
