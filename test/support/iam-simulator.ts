// An independent IAM policy engine (@cloud-copilot/iam-simulate, AGPL: devDependency only)
// deciding whether a principal may act on a role under its trust policy.

import assert from "node:assert/strict";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface TrustRequest {
  readonly principal: string;
  readonly action: string;
  readonly roleArn: string;
  readonly account: string;
  readonly context: Record<string, string>;
}

/**
 * The validated `runSimulation` checks the policy, action and resource, but keeps only context
 * keys its action data lists for sts:AssumeRoleWithWebIdentity (Google, GitHub, GitLab, ...), so
 * it drops `<our host>:sub`/`:aud` and could never allow. The decision therefore comes from
 * `runUnsafeSimulation`, the engine without that filter. Its resource policy must arrive as a
 * ValidatedPolicy (iam-policy's public shape): given a bare document it reads an undefined name.
 */
export async function simulateTrust(policy: object, request: TrustRequest): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.roleArn, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy,
  };
  const checked = await runSimulation(simulation, {});
  assert.notEqual(checked.resultType, "error", `simulator refused the input: ${JSON.stringify(checked)}`);
  return runUnsafeSimulation(
    {
      ...simulation,
      resourcePolicy: { __validated: true, policyDocument: policy, metadata: { name: "trust" }, errors: [] },
    },
    {},
  ) as Decision;
}
