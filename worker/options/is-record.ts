// What a validator asks of a value before it reads its members. Pure, and in no bundle's way: the
// issuer bundle holds it without any module of the stack validator (test/worker/issuer-bundle.test.ts).

/** An object whose members may be read as options: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An object literal (or Object.create(null)), as JSON and YAML produce it: the only shape whose own
 * keys are all its options (not an array, not a class instance, not a boxed primitive).
 */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (!isRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
