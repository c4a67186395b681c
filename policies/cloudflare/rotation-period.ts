// The issuer's signing-key rotation period (`<project>:rotationPeriodDays`, as resolved into the
// runtime config built into its script) stays within the bounds the platform sets: long enough
// for the overlap windows, short enough that a key is not used for longer than policy allows.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MAX_ROTATION_PERIOD_DAYS, MIN_ROTATION_PERIOD_DAYS } from "../../worker/config/index.js";
import { configInteger, type IntegerSetting, integerSchema, reportViolationsOfType } from "../resource-policy.js";
import { issuerSettings, WORKERS_SCRIPT } from "./issuer-script.js";

export interface RotationPeriodConfig {
  readonly minRotationPeriodDays: number;
  readonly maxRotationPeriodDays: number;
}

export const DEFAULT_ROTATION_BOUNDS = { minRotationPeriodDays: 1, maxRotationPeriodDays: 90 } as const;

const MIN_ROTATION_PERIOD: IntegerSetting = {
  key: "minRotationPeriodDays",
  min: MIN_ROTATION_PERIOD_DAYS,
  max: MAX_ROTATION_PERIOD_DAYS,
  default: DEFAULT_ROTATION_BOUNDS.minRotationPeriodDays,
  description: "Shortest rotation period (days) an issuer may be configured with.",
};

const MAX_ROTATION_PERIOD: IntegerSetting = {
  ...MIN_ROTATION_PERIOD,
  key: "maxRotationPeriodDays",
  default: DEFAULT_ROTATION_BOUNDS.maxRotationPeriodDays,
  description: "Longest rotation period (days) an issuer may be configured with.",
};

export function rotationPeriodConfig(raw: object): RotationPeriodConfig {
  const min = configInteger(raw, MIN_ROTATION_PERIOD);
  const max = configInteger(raw, MAX_ROTATION_PERIOD);
  if (min > max) {
    throw new TypeError(
      `policy config minRotationPeriodDays (${min}) is above maxRotationPeriodDays (${max}); swap them`,
    );
  }
  return { minRotationPeriodDays: min, maxRotationPeriodDays: max };
}

export function rotationPeriodViolations(
  script: Readonly<Record<string, unknown>>,
  config: RotationPeriodConfig,
): readonly string[] {
  const settings = issuerSettings(script);
  // An unreadable runtime config is reported once, by cloudflare-issuer-token-lifetime-cap.
  if (settings.kind !== "settings") return [];
  const key = `${settings.project}:rotationPeriodDays`;
  const days = settings.issuer.rotationPeriodDays;
  const { minRotationPeriodDays: min, maxRotationPeriodDays: max } = config;
  // A whole number of days within the platform's bounds: the runtime config's check refuses any other.
  if (days >= min && days <= max) return [];
  return [`the issuer rotates its signing keys every ${days} days; set ${key} to a whole number from ${min} to ${max}`];
}

export const cloudflareIssuerRotationPeriod: ResourceValidationPolicy = {
  name: "cloudflare-issuer-rotation-period",
  description:
    "The issuer's rotationPeriodDays (in the runtime config built into its script) is within the configured bounds.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minRotationPeriodDays: integerSchema(MIN_ROTATION_PERIOD),
      maxRotationPeriodDays: integerSchema(MAX_ROTATION_PERIOD),
    },
  },
  validateResource: reportViolationsOfType(WORKERS_SCRIPT, (script, args) =>
    rotationPeriodViolations(script, rotationPeriodConfig(args.getConfig<object>())),
  ),
};
