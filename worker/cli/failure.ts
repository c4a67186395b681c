// The CLI's failures, each with the exit code it ends the command with and a code for --json:
// 1 when the command ran and failed (refused, invalid, unreachable, an unexpected answer), 2 when
// the command line is wrong (unknown command or option, a missing or malformed argument). An
// issuer's or verifier's refusal keeps its own ERR_ code; the CLI's own codes are the lowercase
// names in CliFailureCode, so they never pass for a code of the error catalog (ERRORS.md).

export type CliFailureCode =
  /** The command line: unknown command or option, a missing or malformed argument. */
  | "usage"
  /** An admin command without WID_ADMIN_TOKEN or the local stack's secrets (exit 2, as a missing argument). */
  | "no_admin_token"
  /** No --issuer, no WID_ISSUER, and no running local stack recorded (or only a stale record). */
  | "no_issuer"
  /** Nothing answered at the issuer's URL. */
  | "unreachable"
  /** The issuer answered with something other than JSON. */
  | "unexpected_answer"
  /** The issuer answered an HTTP error without an error code of its own. */
  | "http_error"
  /** `--version`: no package.json of the CLI beside it. */
  | "version_unknown"
  /** `wid trust`: the stack file is not a valid stack config. */
  | "invalid_stack"
  /** `wid trust`: the stack has no workload of that name. */
  | "unknown_workload"
  /** `wid trust`: the workload has no section for that relying party. */
  | "no_section"
  /** `wid explain`: the stack declares no such target (the message lists those it does). */
  | "unknown_target"
  /** `wid explain`: the argument is not a compact JWS with a JSON payload. */
  | "invalid_token"
  /** `wid explain --workload`: the issuer would mint the workload no token for that audience. */
  | "audience_not_allowed"
  /** `wid explain`: a trust document uses an element the evaluator does not cover (never one the program builds). */
  | "unsupported_trust"
  /** Anything else that went wrong: its message says what. */
  | "failed";

export class CliFailure extends Error {
  override readonly name = "CliFailure";

  constructor(
    /** A CliFailureCode, or the ERR_ code the issuer or the verifier answered with. */
    readonly code: CliFailureCode | (string & {}),
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** The HTTP status of the issuer's answer, when the failure is one. */
    readonly status?: number,
    /** Printed before the code without --json: "refused: ERR_...: ...", "invalid: ERR_...: ...". */
    readonly verdict?: "refused" | "invalid",
  ) {
    super(message);
  }
}

/** A usage error (exit 2); `command` names the command whose --help tells the fix. */
export class UsageError extends CliFailure {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super("usage", message, 2);
  }
}

/** The --json shape of any failure: {"error": {"code", "message"[, "status"]}}. */
export function failureDocument(failure: CliFailure): { error: { code: string; message: string; status?: number } } {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    },
  };
}

/** The failure as a line on stderr (without --json). */
export function failureLine(failure: CliFailure): string {
  return failure.verdict === undefined ? failure.message : `${failure.verdict}: ${failure.code}: ${failure.message}`;
}
