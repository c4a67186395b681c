// Inputs as the fake providers compare and store them: the engine's secret wrappers removed (and
// noticed, so secret inputs stay secret in the outputs), and the top-level properties that differ
// between two deploys, compared as canonical JSON.

import type { Properties } from "./model.js";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG] !== undefined &&
    "value" in value
  );
}

/** Inputs as the provider receives them: the engine's secret wrappers removed, recursively. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, unwrapSecrets(v)]),
  );
}

export function holdsSecret(value: unknown): boolean {
  if (isSecretWrapper(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  return typeof value === "object" && value !== null && Object.values(value).some(holdsSecret);
}

/** Canonical JSON (sorted keys) for comparing inputs. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** Top-level input properties that differ. */
export function changedProperties(before: Properties, after: Properties): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
}
