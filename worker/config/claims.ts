// A workload's static claims: fixed name/value pairs added to every token it gets.

import {
  characterCount,
  describeValue,
  type FieldReader,
  isPlainObject,
  isSecureValue,
  SECURE_VALUE_MESSAGE,
  utf8Length,
} from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { elementKey, memberKey } from "./key-path.js";
import {
  MAX_CLAIM_NAME_LENGTH,
  MAX_CLAIM_VALUE_DEPTH,
  MAX_CLAIMS_JSON_BYTES,
  MAX_STATIC_CLAIMS,
  RESERVED_CLAIM_NAMES,
} from "./limits.js";
import type { JsonValue } from "./types.js";

export const readClaims: FieldReader<Readonly<Record<string, JsonValue>>> = (value, key, issues) => {
  if (!isPlainObject(value)) {
    issues.add(key, `is ${describeValue(value)}, but must be a map of claim name to value, e.g. {team: payments}`);
    return undefined;
  }
  const result = issues.checked(() => {
    const names = Object.keys(value);
    if (names.length > MAX_STATIC_CLAIMS) {
      issues.add(
        key,
        `has ${names.length} claims, more than the ${MAX_STATIC_CLAIMS} allowed per workload; ` +
          "remove the ones no relying party checks, or group related values under one claim",
      );
    }
    const claims: [string, JsonValue][] = [];
    for (const name of names) {
      const claimKey = memberKey(key, name);
      const problem = claimNameProblem(name);
      if (problem !== undefined) {
        issues.add(claimKey, problem);
        continue;
      }
      const copy = copyJson(value[name], claimKey, issues, 0);
      if (copy !== undefined) claims.push([name, copy]);
    }
    return Object.fromEntries(claims);
  });
  if (result === undefined) return undefined;
  const bytes = utf8Length(JSON.stringify(result));
  if (bytes > MAX_CLAIMS_JSON_BYTES) {
    issues.add(
      key,
      `serialize to ${bytes} bytes of JSON, more than the ${MAX_CLAIMS_JSON_BYTES} allowed ` +
        "(every token carries them); shorten the values or drop claims",
    );
    return undefined;
  }
  return result;
};

function claimNameProblem(name: string): string | undefined {
  const length = characterCount(name);
  if (length === 0) return "is an empty claim name; give the claim a name";
  if (length > MAX_CLAIM_NAME_LENGTH) {
    return `is a ${length}-character claim name, longer than ${MAX_CLAIM_NAME_LENGTH}; shorten it`;
  }
  if (/\p{Cc}/u.test(name)) return "contains a control character; remove it from the claim name";
  if (RESERVED_CLAIM_NAMES.includes(name)) {
    return (
      `is reserved: the issuer sets '${name}' on tokens itself; give the static claim another name ` +
      `(reserved: ${RESERVED_CLAIM_NAMES.join(", ")})`
    );
  }
  return undefined;
}

/** A fresh copy of a JSON value (so freezing it never freezes the caller's input). */
function copyJson(value: unknown, key: string, issues: IssueCollector, depth: number): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    issues.add(key, `is ${String(value)}, which JSON cannot represent; use a finite number or a string`);
    return undefined;
  }
  if (depth >= MAX_CLAIM_VALUE_DEPTH) {
    issues.add(key, `nests deeper than ${MAX_CLAIM_VALUE_DEPTH} levels; flatten the claim value`);
    return undefined;
  }
  if (Array.isArray(value)) {
    const copy: JsonValue[] = [];
    value.forEach((element: unknown, index) => {
      const item = copyJson(element, elementKey(key, index), issues, depth + 1);
      if (item !== undefined) copy.push(item);
    });
    return copy;
  }
  if (isSecureValue(value)) {
    issues.add(key, SECURE_VALUE_MESSAGE);
    return undefined;
  }
  if (isPlainObject(value)) {
    const entries: [string, JsonValue][] = [];
    for (const [name, member] of Object.entries(value)) {
      const item = copyJson(member, memberKey(key, name), issues, depth + 1);
      if (item !== undefined) entries.push([name, item]);
    }
    return Object.fromEntries(entries);
  }
  issues.add(key, `is ${describeValue(value)}, which is not JSON; use a string, number, boolean, null, list or map`);
  return undefined;
}
