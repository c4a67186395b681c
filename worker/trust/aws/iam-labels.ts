// The gate every IAM tag and role description the program writes passes through: IAM refuses a
// tag key or value outside its character set or lengths, more than 50 tags, or a description
// outside Latin-1, and it does so only at `pulumi up`, after other resources were created. The
// texts are built from validated config (script, workflow and stack names, subjects, the issuer
// URL), so nothing here should ever fire; if a new source of text lets one through, the
// program stops before declaring anything, naming the tag and the rule.

import { AWS_IAM } from "../../config/provider-limits.js";
import type { ProgramErrorCode } from "../../error-codes/deployment.js";

/** A refusal of the Pulumi program (ERRORS.md, "Deploy time and options"), raised here so `wid explain` builds the same documents. */
export class IamLabelError extends Error {
  readonly code = "ERR_IAM_LABEL" satisfies ProgramErrorCode;

  constructor(message: string) {
    super(message);
    this.name = "IamLabelError";
  }
}

const TAG_RULE = "letters, digits, spaces and _ . : / = + - @ (no '*', '?' or ',')";

/** The tags, unchanged, after checking each against IAM's Tag rules; throws IamLabelError naming the first bad one. */
export function checkedIamTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > AWS_IAM.tagsPerResource.value) {
    throw new IamLabelError(
      `${entries.length} IAM tags, more than the ${AWS_IAM.tagsPerResource.value} a resource may carry`,
    );
  }
  const keyLength = AWS_IAM.tagKeyLength.value;
  const valueLength = AWS_IAM.tagValueLength.value;
  for (const [key, value] of entries) {
    const keyChars = [...key].length;
    if (keyChars < keyLength.min || keyChars > keyLength.max || !AWS_IAM.tagCharacters.value.test(key)) {
      throw new IamLabelError(
        `IAM tag key ${JSON.stringify(key)} must be ${keyLength.min} to ${keyLength.max} of ${TAG_RULE}`,
      );
    }
    const valueChars = [...value].length;
    if (valueChars > valueLength.max || !AWS_IAM.tagCharacters.value.test(value)) {
      throw new IamLabelError(
        `IAM tag ${key} = ${JSON.stringify(value)}: a value must be at most ${valueLength.max} of ${TAG_RULE}`,
      );
    }
  }
  return { ...tags };
}

/** A role description, unchanged, after checking it against CreateRole's Description rules. */
export function checkedRoleDescription(description: string): string {
  const max = AWS_IAM.roleDescriptionLength.value;
  if (description.length > max || !AWS_IAM.roleDescriptionCharacters.value.test(description)) {
    throw new IamLabelError(
      `IAM role description ${JSON.stringify(description)} must be at most ${max} characters of tab, ` +
        "newline and printable Latin-1",
    );
  }
  return description;
}
