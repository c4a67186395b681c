// How the verifier's tests read a refusal: the VerificationError a verification rejects with,
// failing the test when it resolves instead or rejects with anything else.

import assert from "node:assert/strict";
import { VerificationError, type VerificationErrorCode } from "@worker-identity/verifier";

/** The VerificationError `promise` rejects with; `expected` names what the test waited for. */
export async function verificationError(promise: Promise<unknown>, expected = "a refusal"): Promise<VerificationError> {
  const error = await promise.then(
    () => assert.fail(`expected ${expected}, but the token verified`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof VerificationError, String(error));
  return error;
}

/** Asserts that `promise` rejects with `code` (its message matching `pattern`, when given); returns the error. */
export async function refusedWith(
  promise: Promise<unknown>,
  code: VerificationErrorCode,
  pattern?: RegExp,
): Promise<VerificationError> {
  const error = await verificationError(promise, code);
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  return error;
}
