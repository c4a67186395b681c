// The claims of a workflow instance's token: a pure function of configuration, instance,
// audience and time. Static claims first, identity claims last so nothing configured shadows them.

import type { JWTPayload } from "jose";
import type { IssuerSettings } from "../config/types.js";
import type { RuntimeWorkflow } from "../runtime-config/types.js";
import { registeredClaims } from "../tokens/claims.js";
import { workflowSubject } from "./subject.js";

export interface WorkflowTokenInput {
  readonly issuer: IssuerSettings;
  readonly workflow: RuntimeWorkflow;
  readonly instanceId: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly lifetimeSeconds: number;
  readonly jti: string;
}

export function workflowTokenClaims(input: WorkflowTokenInput): JWTPayload {
  const { issuer, workflow } = input;
  return {
    ...workflow.claims,
    ...registeredClaims({ ...input, subject: workflowSubject(workflow, input.instanceId) }),
    workflow: workflow.name,
    instance_id: input.instanceId,
    environment: issuer.environment,
  };
}
