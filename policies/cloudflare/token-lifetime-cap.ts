// The issuer's cap on every token's lifetime (`<project>:maxTokenLifetimeSeconds` in its
// ISSUER_CONFIG; the issuer's default when absent) stays within the bound the platform sets.
// Per-workload caps cannot exceed it: the issuer's own validator refuses that at startup.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_CAP_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
} from "../../worker/config/limits.js";
import { configInteger, reportViolationsOfType } from "../resource-policy.js";
import { WORKERS_SCRIPT, issuerSettings, wholeNumberSetting } from "./issuer-script.js";

export interface TokenLifetimeCapConfig {
  readonly maxTokenLifetimeSeconds: number;
}

export const DEFAULT_TOKEN_LIFETIME_BOUND_SECONDS = 3_600;

export function tokenLifetimeCapConfig(raw: object): TokenLifetimeCapConfig {
  return {
    maxTokenLifetimeSeconds: configInteger(
      raw, "maxTokenLifetimeSeconds", DEFAULT_TOKEN_LIFETIME_BOUND_SECONDS, MIN_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_CAP_SECONDS,
    ),
  };
}

export function tokenLifetimeCapViolations(
  script: Readonly<Record<string, unknown>>,
  config: TokenLifetimeCapConfig,
): readonly string[] {
  const settings = issuerSettings(script);
  if (settings.kind !== "settings") return settings.kind === "unreadable" ? [settings.reason] : [];
  const key = `${settings.project}:maxTokenLifetimeSeconds`;
  const cap = wholeNumberSetting(settings, "maxTokenLifetimeSeconds", DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
  const bound = config.maxTokenLifetimeSeconds;
  if (cap === undefined) {
    return [`${key} in ISSUER_CONFIG is not a whole number of seconds; set it to at most ${bound}`];
  }
  if (cap <= bound) return [];
  const source = settings.config[key] === undefined ? ` (the issuer's default, since ${key} is not set)` : "";
  return [`the issuer caps tokens at ${cap} seconds${source}, above the ${bound} seconds this pack allows; set ${key} to at most ${bound}`];
}

export const cloudflareIssuerTokenLifetimeCap: ResourceValidationPolicy = {
  name: "cloudflare-issuer-token-lifetime-cap",
  description: "The issuer's maxTokenLifetimeSeconds (ISSUER_CONFIG binding) is within the configured bound.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxTokenLifetimeSeconds: {
        type: "integer",
        minimum: MIN_TOKEN_LIFETIME_SECONDS,
        maximum: MAX_TOKEN_LIFETIME_CAP_SECONDS,
        default: DEFAULT_TOKEN_LIFETIME_BOUND_SECONDS,
        description: "Longest token lifetime cap (seconds) an issuer may be configured with.",
      },
    },
  },
  validateResource: reportViolationsOfType(WORKERS_SCRIPT, (script, args) =>
    tokenLifetimeCapViolations(script, tokenLifetimeCapConfig(args.getConfig<object>())),
  ),
};
