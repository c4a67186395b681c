// Resolved config is shared by everything downstream; freezing it makes an accidental write
// throw (in strict mode) instead of silently changing another part's view of the stack.

/** Freezes `value` and everything reachable from it. Only for values the validator built. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
