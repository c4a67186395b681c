// IAM's string condition operators as `wid explain` needs them: StringEquals (exact,
// case-sensitive) and StringLike (case-sensitive, `*` any run of characters, `?` any one), per the
// IAM User Guide's "IAM JSON policy elements: Condition operators" (string condition operators).
// A multi-valued request key (a token's aud as a list) matches when any of its values does.

export type StringOperator = "StringEquals" | "StringLike";

export function stringMatches(operator: StringOperator, pattern: string, value: string): boolean {
  return operator === "StringEquals" ? pattern === value : likeMatches(pattern, value);
}

/** StringLike: `*` and `?` are wildcards; every other character, case included, must be equal. */
function likeMatches(pattern: string, value: string): boolean {
  const p = [...pattern];
  const v = [...value];
  // Iterative glob with backtracking to the last `*`: linear in practice, no regular expression built from input.
  let i = 0;
  let j = 0;
  let star = -1;
  let resume = 0;
  while (j < v.length) {
    if (i < p.length && (p[i] === "?" || (p[i] !== "*" && p[i] === v[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === "*") {
      star = i++;
      resume = j;
    } else if (star !== -1) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === "*") i++;
  return i === p.length;
}
