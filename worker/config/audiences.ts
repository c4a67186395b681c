// A workload's audience allow-list: the only `aud` values it may request tokens for.

import { characterCount, describeValue, type FieldReader, readDistinctStrings } from "./fields.js";
import {
  AUDIENCE_FORBIDDEN_CHARACTERS,
  MAX_AUDIENCE_LENGTH,
  MAX_AUDIENCES_PER_WORKLOAD,
  MIN_AUDIENCES_PER_WORKLOAD,
} from "./limits.js";

const EXAMPLE = "[sts.amazonaws.com] for AWS, or the GCP provider's audience";

export const readAudiences: FieldReader<readonly string[]> = (value, key, issues) => {
  if (!Array.isArray(value)) {
    const single = typeof value === "string" ? `; write it as a list: [${value}]` : `, e.g. ${EXAMPLE}`;
    issues.add(key, `is ${describeValue(value)}, but must be a list of audiences${single}`);
    return undefined;
  }
  if (value.length < MIN_AUDIENCES_PER_WORKLOAD) {
    issues.add(key, `is empty; list at least one audience this workload may request tokens for, e.g. ${EXAMPLE}`);
    return undefined;
  }
  if (value.length > MAX_AUDIENCES_PER_WORKLOAD) {
    issues.add(
      key,
      `has ${value.length} audiences, more than the ${MAX_AUDIENCES_PER_WORKLOAD} allowed per workload; ` +
        "remove the ones this workload does not call, or split it into several workloads",
    );
    return undefined;
  }
  const audiences = issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "an audience string such as sts.amazonaws.com",
      problem: audienceProblem,
      repeated: (audience, first) => `repeats audiences[${first}] (${describeValue(audience)}); remove the duplicate`,
    }),
  );
  return audiences === undefined ? undefined : Object.freeze(audiences);
};

function audienceProblem(audience: string): string | undefined {
  const length = characterCount(audience);
  if (length === 0) return "is empty; write the audience (e.g. sts.amazonaws.com) or remove the entry";
  if (length > MAX_AUDIENCE_LENGTH) {
    return `is ${length} characters long, more than ${MAX_AUDIENCE_LENGTH}; use the relying party's shorter identifier`;
  }
  if (AUDIENCE_FORBIDDEN_CHARACTERS.test(audience)) {
    const cleaned = audience.replace(new RegExp(AUDIENCE_FORBIDDEN_CHARACTERS.source, "gu"), "");
    return (
      `contains whitespace or an invisible character (${describeValue(audience)}); remove it, ` +
      `since relying parties compare aud verbatim: ${describeValue(cleaned)}`
    );
  }
  return undefined;
}
