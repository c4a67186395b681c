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
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "is not a JSON object" };
  // JSON.parse accepted the text, so its syntax is valid and a shallow scan suffices.
  return hasDuplicateNames(text) ? { ok: false, reason: "has duplicate member names" } : { ok: true, value: value as Record<string, unknown> };
}

interface Frame {
  readonly names: Set<string> | undefined; // undefined for arrays
  expectingName: boolean;
}

function hasDuplicateNames(text: string): boolean {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      const frame = stack[stack.length - 1];
      if (frame?.names && frame.expectingName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (frame.names.has(name)) return true;
        frame.names.add(name);
        frame.expectingName = false;
      }
      i = end;
    } else if (c === "{") {
      stack.push({ names: new Set(), expectingName: true });
    } else if (c === "[") {
      stack.push({ names: undefined, expectingName: false });
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ",") {
      const frame = stack[stack.length - 1];
      if (frame?.names) frame.expectingName = true;
    }
  }
  return false;
}

/** Index of the closing quote of the string starting at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1; // unreachable for text JSON.parse accepted
}
