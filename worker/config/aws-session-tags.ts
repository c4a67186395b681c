// AWS session tags of a workload, carried in the `https://aws.amazon.com/tags` claim: AWS
// policies cannot read custom claims, so tags are how they see who the caller is.

import {
  characterCount,
  describeValue,
  type FieldReader,
  isPlainObject,
  readDistinctStrings,
  readSection,
  readString,
} from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { elementKey, memberKey } from "./key-path.js";
import { MAX_AWS_SESSION_TAGS } from "./limits.js";
import { AWS_IAM } from "./provider-limits.js";
import type { AwsSessionTags } from "./types.js";

const TAG_LENGTHS = { key: AWS_IAM.tagKeyLength.value, value: AWS_IAM.tagValueLength.value };
const ALLOWED_CHARACTERS = "letters, digits, spaces and _ . : / = + - @";

const AWS_SESSION_TAG_FIELDS = {
  tags: {
    read: readTags,
    required: "is missing; add the session tags as a map, e.g. tags: {team: payments}",
  },
  transitive: { read: readTransitive },
} as const;

export const readAwsSessionTags: FieldReader<AwsSessionTags> = (value, key, issues) => {
  if (!isPlainObject(value)) {
    issues.add(key, `is ${describeValue(value)}, but must be a map like {tags: {team: payments}, transitive: [team]}`);
    return undefined;
  }
  const fields = issues.checked(() => {
    const read = readSection(Object.entries(value), AWS_SESSION_TAG_FIELDS, issues, {
      what: "an awsSessionTags field",
      keyOf: (name) => memberKey(key, name),
    });
    const tags = read.tags;
    const transitive = read.transitive ?? [];
    if (tags !== undefined) {
      transitive.forEach((tagKey, index) => {
        if (Object.hasOwn(tags, tagKey)) return;
        issues.add(
          elementKey(memberKey(key, "transitive"), index),
          `names '${tagKey}', which is not one of the tags (${Object.keys(tags).join(", ")}); ` +
            "add it to tags or remove it from transitive",
        );
      });
    }
    return read;
  });
  if (fields?.tags === undefined) return undefined;
  return { principalTags: fields.tags, transitiveTagKeys: fields.transitive ?? [] };
};

function readTags(value: unknown, key: string, issues: IssueCollector): Readonly<Record<string, string>> | undefined {
  if (!isPlainObject(value)) {
    issues.add(key, `is ${describeValue(value)}, but must be a map of tag key to value, e.g. {team: payments}`);
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    issues.add(key, "is empty; add at least one tag, or remove awsSessionTags");
    return undefined;
  }
  return issues.checked(() => {
    if (entries.length > MAX_AWS_SESSION_TAGS) {
      issues.add(
        key,
        `has ${entries.length} tags, more than the ${MAX_AWS_SESSION_TAGS} AWS STS accepts in one session; ` +
          "remove the ones no policy checks",
      );
    }
    const seen = new Map<string, string>();
    for (const [tagKey, tagValue] of entries) {
      const tagPath = memberKey(key, tagKey);
      const keyProblem = tagTextProblem(tagKey, "key");
      if (keyProblem !== undefined) issues.add(tagPath, keyProblem);
      // AWS treats tag keys case-insensitively: "Team" and "team" would be the same tag.
      const folded = tagKey.toLowerCase();
      const other = seen.get(folded);
      if (other === undefined) seen.set(folded, tagKey);
      else
        issues.add(tagPath, `differs from the tag '${other}' only in case, which AWS treats as the same key; keep one`);
      const text = readString(tagValue, tagPath, issues, "a string tag value");
      if (text === undefined) continue;
      const valueProblem = tagTextProblem(text, "value");
      if (valueProblem !== undefined) issues.add(tagPath, valueProblem);
    }
    return Object.fromEntries(entries) as Record<string, string>;
  });
}

function tagTextProblem(text: string, what: "key" | "value"): string | undefined {
  const { min, max } = TAG_LENGTHS[what];
  const length = characterCount(text);
  if (length < min) return `has an empty tag ${what}; name the tag`;
  if (length > max) return `has a tag ${what} of ${length} characters, more than the ${max} AWS allows; shorten it`;
  if (!AWS_IAM.tagCharacters.value.test(text)) {
    return `has a tag ${what} ${describeValue(text)} with characters AWS does not allow; use only ${ALLOWED_CHARACTERS}`;
  }
  return undefined;
}

function readTransitive(value: unknown, key: string, issues: IssueCollector): readonly string[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(key, `is ${describeValue(value)}, but must be a list of tag keys, e.g. [team]`);
    return undefined;
  }
  return issues.checked(() =>
    readDistinctStrings(value, key, issues, {
      expected: "a tag key from tags",
      repeated: (tagKey) => `repeats '${tagKey}'; remove the duplicate`,
    }),
  );
}
