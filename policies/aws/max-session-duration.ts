// A federated role's sessions outlive the token that opened them: keep them short. The bound is
// the policy's config (`maxSessionDurationSeconds`, default one hour, AWS's own default).

import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  DEFAULT_ROLE_SESSION_SECONDS,
  MAX_ROLE_SESSION_SECONDS,
  MIN_ROLE_SESSION_SECONDS,
} from "../../worker/config/index.js";
import { isUnknown } from "../inputs.js";
import { configInteger, type IntegerSetting, integerSchema, reportViolationsOfType } from "../resource-policy.js";
import { federatesWebIdentity, trustDocument } from "./trust-document.js";

export interface MaxSessionDurationConfig {
  readonly maxSessionDurationSeconds: number;
}

export const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3_600;

const MAX_SESSION_DURATION: IntegerSetting = {
  key: "maxSessionDurationSeconds",
  min: MIN_ROLE_SESSION_SECONDS,
  max: MAX_ROLE_SESSION_SECONDS,
  default: DEFAULT_MAX_SESSION_DURATION_SECONDS,
  description: "Longest maxSessionDuration (seconds) of a role that federates web identity.",
};

export function maxSessionDurationConfig(raw: object): MaxSessionDurationConfig {
  return { maxSessionDurationSeconds: configInteger(raw, MAX_SESSION_DURATION) };
}

export function maxSessionDurationViolations(
  role: Readonly<Record<string, unknown>>,
  config: MaxSessionDurationConfig,
): readonly string[] {
  if (!federatesWebIdentity(trustDocument(role.assumeRolePolicy))) return [];
  const duration = role.maxSessionDuration;
  if (isUnknown(duration)) return [];
  // AWS applies one hour when the role does not say.
  const seconds = duration ?? DEFAULT_ROLE_SESSION_SECONDS;
  const bound = config.maxSessionDurationSeconds;
  if (typeof seconds === "number" && seconds <= bound) return [];
  return [
    `maxSessionDuration is ${JSON.stringify(seconds)} seconds, above the ${bound} seconds this pack allows for a ` +
      `federated role; set maxSessionDuration to at most ${bound} (workloads: aws.maxSessionDurationSeconds in the stack config)`,
  ];
}

export const awsRoleMaxSessionDuration: ResourceValidationPolicy = {
  name: "aws-role-max-session-duration",
  description: "A role that federates web identity keeps maxSessionDuration within the configured bound.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { maxSessionDurationSeconds: integerSchema(MAX_SESSION_DURATION) },
  },
  validateResource: reportViolationsOfType(aws.iam.Role, (role, args) =>
    maxSessionDurationViolations(role, maxSessionDurationConfig(args.getConfig<object>())),
  ),
};
