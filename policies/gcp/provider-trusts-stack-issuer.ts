// The pack protects with no configuration: a workload identity pool provider that trusts the
// stack's own worker-identity issuer (recognised from the stack's resources, stack-issuers.ts)
// must have an attributeCondition and map google.subject, even when nothing tells the pack the
// issuer's URL and the provider's mapping does not read the `worker` claim. A stack policy,
// because only the whole stack says which URL is the issuer's. Providers the resource policy
// gcp-provider-condition-and-subject already recognises without config are left to it, so one
// provider is not reported twice; with `issuers` configured there, both may report it.

import type { StackValidationPolicy } from "@pulumi/policy";
import { isRecord, isUnknown } from "../inputs.js";
import { plainProps } from "../resource-policy.js";
import { recognisedIssuer, trustViolations } from "./provider-condition-and-subject.js";
import { type StackResource, stackIssuers } from "./stack-issuers.js";

const WORKLOAD_IDENTITY_POOL_PROVIDER_TYPE = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";

/** Violations by provider index: the providers of `resources` that trust the stack's issuer unsafely. */
export function stackProviderViolations(resources: readonly StackResource[]): ReadonlyMap<number, readonly string[]> {
  const isStackIssuer = stackIssuers(resources);
  const found = new Map<number, readonly string[]>();
  resources.forEach((resource, index) => {
    if (resource.type !== WORKLOAD_IDENTITY_POOL_PROVIDER_TYPE) return;
    const { oidc, attributeMapping } = resource.props;
    if (isUnknown(oidc) || isUnknown(attributeMapping)) return;
    const issuerUri = isRecord(oidc) ? oidc.issuerUri : undefined;
    if (typeof issuerUri !== "string" || !isStackIssuer(issuerUri)) return;
    if (recognisedIssuer(resource.props, { issuers: [] })) return;
    const messages = trustViolations(resource.props).map(
      (message) => `${message} (${issuerUri} is this stack's worker-identity issuer)`,
    );
    if (messages.length > 0) found.set(index, messages);
  });
  return found;
}

export const gcpProviderTrustsStackIssuer: StackValidationPolicy = {
  name: "gcp-provider-trusts-stack-issuer",
  description:
    "A workload identity pool provider trusting this stack's worker-identity issuer has an attributeCondition and maps google.subject.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((resource) => ({
      type: resource.type,
      props: plainProps(resource.props),
      urn: resource.urn,
    }));
    for (const [index, messages] of stackProviderViolations(resources)) {
      for (const message of messages) reportViolation(message, resources[index]!.urn);
    }
  },
};
