// The issuer's cap on every token's lifetime (`<project>:maxTokenLifetimeSeconds`, as resolved
// into the runtime config built into its script, the issuer's default included) stays within the
// bound the platform sets; every workload's and workflow's cap is within the issuer's (the
// runtime config's own check refuses a document where one is not). This policy also reports an
// issuer script whose runtime config it cannot read: a document the Worker would refuse.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MAX_TOKEN_LIFETIME_CAP_SECONDS, MIN_TOKEN_LIFETIME_SECONDS } from "../../worker/config/index.js";
import { configInteger, type IntegerSetting, integerSchema, reportViolationsOfType } from "../resource-policy.js";
import { issuerSettings, WORKERS_SCRIPT } from "./issuer-script.js";

export interface TokenLifetimeCapConfig {
  readonly maxTokenLifetimeSeconds: number;
}

export const DEFAULT_TOKEN_LIFETIME_BOUND_SECONDS = 3_600;

const MAX_TOKEN_LIFETIME: IntegerSetting = {
  key: "maxTokenLifetimeSeconds",
  min: MIN_TOKEN_LIFETIME_SECONDS,
  max: MAX_TOKEN_LIFETIME_CAP_SECONDS,
  default: DEFAULT_TOKEN_LIFETIME_BOUND_SECONDS,
  description: "Longest token lifetime cap (seconds) an issuer may be configured with.",
};

export function tokenLifetimeCapConfig(raw: object): TokenLifetimeCapConfig {
  return { maxTokenLifetimeSeconds: configInteger(raw, MAX_TOKEN_LIFETIME) };
}

export function tokenLifetimeCapViolations(
  script: Readonly<Record<string, unknown>>,
  config: TokenLifetimeCapConfig,
): readonly string[] {
  const settings = issuerSettings(script);
  if (settings.kind !== "settings") return settings.kind === "unreadable" ? [settings.reason] : [];
  const bound = config.maxTokenLifetimeSeconds;
  const cap = settings.issuer.maxTokenLifetimeSeconds;
  if (cap <= bound) return [];
  return [
    `the issuer caps tokens at ${cap} seconds, above the ${bound} seconds this pack allows; ` +
      `set ${settings.project}:maxTokenLifetimeSeconds to at most ${bound}`,
  ];
}

export const cloudflareIssuerTokenLifetimeCap: ResourceValidationPolicy = {
  name: "cloudflare-issuer-token-lifetime-cap",
  description:
    "The issuer's maxTokenLifetimeSeconds (in the runtime config built into its script) is within the configured bound.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { maxTokenLifetimeSeconds: integerSchema(MAX_TOKEN_LIFETIME) },
  },
  validateResource: reportViolationsOfType(WORKERS_SCRIPT, (script, args) =>
    tokenLifetimeCapViolations(script, tokenLifetimeCapConfig(args.getConfig<object>())),
  ),
};
