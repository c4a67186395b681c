// Typed errors of the issuer, one class per failure, each with a stable `code`.
// Workers RPC keeps only an error's message across the binding (its class and fields are lost),
// so every message starts with `[CODE]`; `errorCodeOf` recovers it on the caller's side.
// Messages name what is wrong and how to fix it; they never contain a token or key material.

import type { IssuerErrorCode } from "./error-codes/issuer.js";

export class IssuerError extends Error {
  constructor(
    readonly code: IssuerErrorCode,
    detail: string,
  ) {
    super(`[${code}] ${detail}`);
    this.name = new.target.name;
  }
}

/** The caller's binding carries no workload identity. */
export class MissingIdentityError extends IssuerError {
  constructor(detail: string) {
    super("ERR_NO_IDENTITY", detail);
  }
}

/** The binding names a workload that is not in the stack's workload registry. */
export class UnknownWorkloadError extends IssuerError {
  constructor(detail: string) {
    super("ERR_UNKNOWN_WORKLOAD", detail);
  }
}

export class AudienceNotAllowedError extends IssuerError {
  constructor(detail: string) {
    super("ERR_AUDIENCE_NOT_ALLOWED", detail);
  }
}

export class LifetimeTooLongError extends IssuerError {
  constructor(detail: string) {
    super("ERR_LIFETIME_TOO_LONG", detail);
  }
}

/** Malformed RPC arguments or HTTP request. */
export class InvalidRequestError extends IssuerError {
  constructor(detail: string) {
    super("ERR_INVALID_REQUEST", detail);
  }
}

/** The issuer's own configuration (its built-in runtime config, or a binding) is missing or invalid. */
export class IssuerConfigError extends IssuerError {
  constructor(detail: string) {
    super("ERR_ISSUER_CONFIG", detail);
  }
}

/** KEY_ENCRYPTION_KEY is missing, malformed, or not the key the stored keys were sealed with. */
export class KeyEncryptionKeyError extends IssuerError {
  constructor(detail: string) {
    super("ERR_KEY_ENCRYPTION_KEY", detail);
  }
}

export class KeyStoreUnavailableError extends IssuerError {
  constructor(detail: string) {
    super("ERR_KEY_STORE_UNAVAILABLE", detail);
  }
}

/** A key operation would publish more keys than the JWKS holds (an emergency rotation beside a pending key). */
export class TooManyKeysError extends IssuerError {
  constructor(detail: string) {
    super("ERR_TOO_MANY_KEYS", detail);
  }
}

/** No published key has the kid an administrator named. */
export class UnknownKeyError extends IssuerError {
  constructor(detail: string) {
    super("ERR_UNKNOWN_KEY", detail);
  }
}

/** The binding names a workflow that is not in the stack's workflow registry. */
export class UnknownWorkflowError extends IssuerError {
  constructor(detail: string) {
    super("ERR_UNKNOWN_WORKFLOW", detail);
  }
}

/** No instance with that id exists in the calling workflow (it may belong to another one). */
export class UnknownInstanceError extends IssuerError {
  constructor(detail: string) {
    super("ERR_UNKNOWN_INSTANCE", detail);
  }
}

/** The instance exists but is not executing (queued, paused, or ended): nothing is signed for it. */
export class InstanceNotRunningError extends IssuerError {
  constructor(detail: string) {
    super("ERR_INSTANCE_NOT_RUNNING", detail);
  }
}

/** The issuer's Workflows binding is missing or failed: the instance's status is unknown. */
export class WorkflowUnavailableError extends IssuerError {
  constructor(detail: string) {
    super("ERR_WORKFLOW_UNAVAILABLE", detail);
  }
}

/** The revocation list is full; a kill switch (workload or workflow) covers many tokens at once. */
export class TooManyRevocationsError extends IssuerError {
  constructor(detail: string) {
    super("ERR_TOO_MANY_REVOCATIONS", detail);
  }
}

const CODE_IN_MESSAGE = /\[(ERR_[A-Z_]+)\]/;

/** Recovers the code of an issuer error, including one that crossed an RPC boundary. */
export function errorCodeOf(error: unknown): IssuerErrorCode | undefined {
  if (error instanceof IssuerError) return error.code;
  if (error instanceof Error) {
    const match = CODE_IN_MESSAGE.exec(error.message);
    if (match) return match[1] as IssuerErrorCode;
  }
  return undefined;
}

/** An issuer error's message without its `[CODE]` prefix (and the class name RPC puts before it). */
export function errorDetailOf(error: Error): string {
  return error.message.replace(/^(?:[A-Za-z]+: )?\[ERR_[A-Z_]+\] /, "");
}
