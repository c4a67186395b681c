// JSON.parse keeps the last of two members with the same name, and other parsers keep the first:
// a header or claim set with duplicate names means different things to different verifiers
// (RFC 7515 §5.2 and RFC 7519 §4 require refusing them). This parses a JSON object and refuses
// duplicate member names at any depth, comparing names after unescaping ("a" and "\u0061" clash).

export type StrictJsonResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

export function parseStrictJsonObject(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, reason: "is not a JSON object" };
  // JSON.parse accepted the text, so its syntax is valid and a shallow scan suffices.
  return hasDuplicateNames(text, value)
    ? { ok: false, reason: "has duplicate member names" }
    : { ok: true, value: value as Record<string, unknown> };
}

interface Frame {
  readonly names: Set<string> | undefined; // undefined for arrays
  expectingName: boolean;
}

/**
 * Fast path: without a backslash every quote in the text delimits a string, so a quote followed by
 * optional whitespace and a colon closes a member name, and counting those counts the names. When
 * they are as many as the parsed objects' members, no name was written twice. Otherwise (or when
 * escapes make the count unreliable) the scan decides.
 */
function hasDuplicateNames(text: string, parsed: unknown): boolean {
  if (!text.includes("\\") && (text.match(NAME_END)?.length ?? 0) === countMembers(parsed)) return false;
  return scanForDuplicateNames(text);
}

const NAME_END = /"[ \t\n\r]*:/g;

/** Own members of every object in `value`, at any depth (iterative: the depth is the input's). */
function countMembers(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else {
      const keys = Object.keys(next);
      count += keys.length;
      for (const key of keys) pending.push((next as Record<string, unknown>)[key]);
    }
  }
  return count;
}

function scanForDuplicateNames(text: string): boolean {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      const frame = stack[stack.length - 1];
      if (frame?.names && frame.expectingName) {
        // Only a name with an escape needs unescaping before it is compared.
        const raw = text.slice(i + 1, end);
        const name = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (frame.names.has(name)) return true;
        frame.names.add(name);
        frame.expectingName = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      stack.push({ names: new Set(), expectingName: true });
    } else if (c === OPEN_ARRAY) {
      stack.push({ names: undefined, expectingName: false });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
    } else if (c === COMMA) {
      const frame = stack[stack.length - 1];
      if (frame?.names) frame.expectingName = true;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Index of the closing quote of the string starting at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length - 1; // unreachable for text JSON.parse accepted
}
