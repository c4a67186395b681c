// Node side: the runtime config of a validated stack, for the Pulumi program, the local stack and
// `npm run build` alike. Pure: the certificate thumbprints come from whoever issued the
// certificates (worker/mtls-ca, run by infra/mtls and worker/local/mtls.ts).

import { THUMBPRINT_PATTERN } from "@worker-identity/verifier";
import type { NativeTokenSettings, StackConfig, WorkflowConfig, WorkloadConfig } from "../config/types.js";
import { IssuerConfigError } from "../errors.js";
import { federatedTargets } from "../trust/targets.js";
import {
  RUNTIME_CONFIG_VERSION,
  RUNTIME_WORKFLOW_FIELDS,
  type RuntimeConfig,
  type RuntimeNativeTrust,
  type RuntimeWorkflow,
  type RuntimeWorkload,
} from "./types.js";

/**
 * The runtime config of `config`. `thumbprints` maps each mTLS workload to its certificate's
 * x5t#S256; a workload with mTLS and no thumbprint, or a thumbprint for any other name, is refused:
 * the issuer would otherwise hand out tokens an origin demanding the binding refuses.
 */
export function runtimeConfigOf(
  config: StackConfig,
  thumbprints: Readonly<Record<string, string>> = {},
): RuntimeConfig {
  const withMtls = new Set(config.workloads.filter((w) => w.mtls !== undefined).map((w) => w.name));
  for (const name of Object.keys(thumbprints)) {
    if (!withMtls.has(name)) {
      throw new IssuerConfigError(
        `a certificate thumbprint was given for '${name}', which is not a registered workload with mtls enabled; ` +
          `enable workloads.${name}.mtls in the stack config, or drop its thumbprint`,
      );
    }
  }
  return {
    version: RUNTIME_CONFIG_VERSION,
    project: config.project,
    stack: config.stack,
    issuer: config.issuer,
    workloads: config.workloads.map((w) => ({
      ...runtimeWorkload(w, thumbprints),
      targets: federatedTargets(config, w),
    })),
    workflows: config.workflows.map((w) => ({ ...runtimeWorkflow(w), targets: federatedTargets(config, w) })),
    introspectionClients: config.introspectionClients,
    ...(config.access === undefined ? {} : { access: config.access }),
  };
}

function runtimeWorkload(workload: WorkloadConfig, thumbprints: Readonly<Record<string, string>>): RuntimeWorkload {
  const { name, subject, audiences, tokenLifetimeSeconds, maxTokenLifetimeSeconds, claims, awsSessionTags } = workload;
  const thumbprint = Object.hasOwn(thumbprints, name) ? thumbprints[name] : undefined;
  if (workload.mtls !== undefined && thumbprint === undefined) {
    throw new IssuerConfigError(
      `workload '${name}' has mtls enabled, but no certificate thumbprint was given for it; ` +
        "its certificate must be issued before the issuer is built (`pulumi up` and `npm start` do both)",
    );
  }
  if (thumbprint !== undefined && !THUMBPRINT_PATTERN.test(thumbprint)) {
    throw new IssuerConfigError(
      `the certificate thumbprint given for '${name}' is not an x5t#S256 (the unpadded base64url SHA-256 of the ` +
        "certificate's DER, 43 characters, as `pulumi stack output workloads` prints mtls.thumbprint)",
    );
  }
  return {
    name,
    subject,
    audiences,
    tokenLifetimeSeconds,
    maxTokenLifetimeSeconds,
    claims,
    ...(awsSessionTags === undefined ? {} : { awsSessionTags }),
    ...(thumbprint === undefined ? {} : { certificateThumbprint: thumbprint }),
    ...(workload.native === undefined ? {} : { native: nativeTrust(workload.native) }),
  };
}

function nativeTrust({ issuer, subject, jwksUri }: NativeTokenSettings): RuntimeNativeTrust {
  return { issuer, subject, ...(jwksUri === undefined ? {} : { jwksUri }) };
}

function runtimeWorkflow(workflow: WorkflowConfig): RuntimeWorkflow {
  return Object.fromEntries(RUNTIME_WORKFLOW_FIELDS.map((field) => [field, workflow[field]])) as Pick<
    WorkflowConfig,
    (typeof RUNTIME_WORKFLOW_FIELDS)[number]
  >;
}
