// Who may call, once the token is known to be genuine: subject, workload and exact claim values.
// Every configured matcher must pass. Messages name the claim, never its value.

import { TokenSubjectError } from "./errors.js";
import type { JsonValue, ResolvedVerifierOptions } from "./options.js";

type MatcherOptions = Pick<ResolvedVerifierOptions, "subject" | "workloads" | "claims">;

export function checkMatchers(payload: Record<string, unknown>, options: MatcherOptions): void {
  const { subject, workloads, claims } = options;
  const sub = payload.sub as string;
  if (subject !== undefined && !(typeof subject === "string" ? sub === subject : subject.test(sub))) {
    throw new TokenSubjectError('the token\'s "sub" is not a subject this relying party admits');
  }
  if (workloads !== undefined) {
    const worker = payload.worker;
    if (typeof worker !== "string" || !workloads.has(worker)) {
      throw new TokenSubjectError('the token\'s "worker" is not one of the workloads this relying party admits');
    }
  }
  const mismatch = claimMismatch(payload, claims);
  if (mismatch !== undefined) {
    throw new TokenSubjectError(`the token's "${mismatch}" claim does not have the value this relying party requires`);
  }
}

/**
 * The matchers for a native token: `subject` on its `sub`, `workloads` on the workload its
 * issuer's `subjects` map gives it (never a claim of the token), and `claims` never: the native
 * claim set is not public, so no claim of it decides who may call.
 */
export function checkNativeMatchers(sub: string, workload: string | undefined, options: MatcherOptions): void {
  const { subject, workloads, claims } = options;
  if (subject !== undefined && !(typeof subject === "string" ? sub === subject : subject.test(sub))) {
    throw new TokenSubjectError('the token\'s "sub" is not a subject this relying party admits');
  }
  if (workloads !== undefined && (workload === undefined || !workloads.has(workload))) {
    throw new TokenSubjectError(
      "the token's subject maps to none of the workloads this relying party admits (nativeIssuers[].subjects)",
    );
  }
  if (claims !== undefined) {
    throw new TokenSubjectError("the claims matcher admits only worker-identity tokens, and this is a native token");
  }
}

/** The first required claim the payload lacks or holds with another value, if any. */
export function claimMismatch(
  payload: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, JsonValue>> | undefined,
): string | undefined {
  for (const [name, expected] of Object.entries(claims ?? {})) {
    if (!Object.hasOwn(payload, name) || !jsonEqual(payload[name], expected)) return name;
  }
  return undefined;
}

/** Deep JSON equality of a claim with an expected value (objects compared member by member). */
export function jsonEqual(actual: unknown, expected: JsonValue): boolean {
  if (expected === null || typeof expected !== "object") return actual === expected;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => jsonEqual(actual[i], e))
    );
  }
  if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
  const actualRecord = actual as Record<string, unknown>;
  const expectedRecord = expected as { readonly [key: string]: JsonValue };
  const names = Object.keys(expectedRecord);
  return (
    names.length === Object.keys(actualRecord).length &&
    names.every((name) => Object.hasOwn(actualRecord, name) && jsonEqual(actualRecord[name], expectedRecord[name]!))
  );
}
