// The body of POST /admin/revocations, checked: exactly one of
//   {"jti": "<jti>", "exp": <the token's exp>}    one token
//   {"workload": "<script name>"}                 every token of a workload issued up to now
//   {"workflow": "<workflow name>"}               every token of every instance of a workflow, up to now
// A name need not be registered any more (revoking a removed workload's tokens is the point of
// a kill switch); the answer says whether it is. A jti whose token no verifier accepts any more
// (exp + the issuer's clockSkewSeconds, the relying parties' leeway, has passed) is refused:
// its entry would be born expired, so there is nothing left to revoke.

import type { IssuerSettings } from "../config/types.js";
import { InvalidRequestError } from "../errors.js";
import { parseJsonObject } from "../options/json-value.js";
import { JTI_PATTERN, NAME_PATTERN, type RevocationTarget } from "./list.js";

export const MAX_REVOCATION_BODY_BYTES = 1_024;

const SHAPES = '{"jti": "<jti>", "exp": <exp>}, {"workload": "<name>"} or {"workflow": "<name>"}';

export function parseRevocationRequest(
  text: string,
  settings: Pick<IssuerSettings, "maxTokenLifetimeSeconds" | "clockSkewSeconds">,
  nowMs: number,
): RevocationTarget {
  if (text.length > MAX_REVOCATION_BODY_BYTES) {
    throw new InvalidRequestError(`the revocation body is at most ${MAX_REVOCATION_BODY_BYTES} bytes: ${SHAPES}`);
  }
  const fields = parseJsonObject(
    text,
    (expected) =>
      new InvalidRequestError(
        `the revocation body must be ${expected === "json" ? "JSON" : "a JSON object"}: ${SHAPES}`,
      ),
  );
  const names = Object.keys(fields);
  const kinds = names.filter((n) => n === "jti" || n === "workload" || n === "workflow");
  const unknown = names.filter((n) => !["jti", "exp", "workload", "workflow"].includes(n));
  if (kinds.length !== 1 || unknown.length > 0) {
    throw new InvalidRequestError(`the revocation body names exactly one of jti, workload or workflow: ${SHAPES}`);
  }
  const kind = kinds[0] as "jti" | "workload" | "workflow";
  if (kind !== "jti") {
    if (names.includes("exp")) throw new InvalidRequestError("exp belongs to a jti revocation only; remove it");
    const name = fields[kind];
    if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
      throw new InvalidRequestError(`${kind} must be a ${kind === "workload" ? "Worker script" : "Workflow"} name`);
    }
    return { kind, name };
  }
  const jti = fields.jti;
  if (typeof jti !== "string" || !JTI_PATTERN.test(jti)) {
    throw new InvalidRequestError("jti must be the token's jti claim (1 to 128 of letters, digits, '.', '_', '-')");
  }
  const exp = fields.exp;
  const latest = Math.floor(nowMs / 1_000) + settings.maxTokenLifetimeSeconds + settings.clockSkewSeconds;
  if (typeof exp !== "number" || !Number.isSafeInteger(exp) || exp < 0) {
    throw new InvalidRequestError(
      "exp must be the token's exp claim, in seconds since the epoch: it says how long to keep the entry",
    );
  }
  if (exp > latest) {
    throw new InvalidRequestError(
      `exp ${exp} lies further ahead than any token of this issuer lives (at most ${latest}); pass the token's exp ` +
        "claim in seconds, not milliseconds",
    );
  }
  const expired = nothingLeftToRevoke(exp, settings, nowMs);
  if (expired !== undefined) throw expired;
  return { kind: "jti", jti, exp };
}

/**
 * The refusal of a jti revocation at `nowMs` when its token verifies nowhere any more: verifiers
 * accept a token until exp + their clock tolerance, which the issuer's clockSkewSeconds bounds
 * (the same leeway the list keeps a jti entry for). Undefined while a verifier may still accept it.
 */
export function nothingLeftToRevoke(
  exp: number,
  settings: Pick<IssuerSettings, "clockSkewSeconds">,
  nowMs: number,
): InvalidRequestError | undefined {
  const refusedFrom = exp + settings.clockSkewSeconds;
  if (refusedFrom > Math.floor(nowMs / 1_000)) return undefined;
  return new InvalidRequestError(
    `nothing left to revoke: the token expired at ${isoSeconds(exp)}, and no verifier whose clock tolerance is within the ` +
      `issuer's clockSkewSeconds (${settings.clockSkewSeconds} s) accepts it since ${isoSeconds(refusedFrom)}; ` +
      "nothing was recorded. If the token still verifies, this exp is not its exp claim: pass the exp `wid verify` prints",
  );
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1_000).toISOString().replace(".000Z", "Z");
}
