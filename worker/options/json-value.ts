import { isRecord } from "./is-record.js";

// A value JSON can carry, as option and rule values are checked against it: the verifier's
// expected claims and the rules document's claim conditions. Pure.

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A value JSON can carry: plain objects only (no Date, Map or class instances), finite numbers. */
export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value).every(isJsonValue);
  return false;
}

/**
 * The JSON object `text` holds; otherwise `refusal`'s error for text that is not JSON (`"json"`)
 * or JSON of another kind than an object (`"object"`).
 */
export function parseJsonObject(
  text: string,
  refusal: (expected: "json" | "object") => Error,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refusal("json");
  }
  if (!isRecord(parsed)) throw refusal("object");
  return parsed;
}
