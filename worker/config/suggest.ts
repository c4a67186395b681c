// "Did you mean …?" for misspelt keys: the closest known name by edit distance, if close enough
// to be a typo rather than a different word.

/** Edits allowed per three characters of the known name, and never more than this. */
const MAX_SUGGESTION_DISTANCE = 3;

/** A name starting or ending another (rotationPeriod, rotationPeriodDays) is related if this long. */
const MIN_PREFIX_LENGTH = 4;

/** The known name closest to `input` (case-insensitively), or undefined if none is close. */
export function closestName(input: string, known: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const allowed = Math.min(MAX_SUGGESTION_DISTANCE, Math.ceil(candidate.length / 3));
    const related =
      Math.min(needle.length, lower.length) >= MIN_PREFIX_LENGTH &&
      (needle.startsWith(lower) || lower.startsWith(needle));
    const distance = related ? Math.min(allowed, editDistance(needle, lower)) : editDistance(needle, lower);
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}
