// HTML escaping for the operator page: every value from the stack config or the key store's
// storage passes through `text` before it reaches the page, in element content and in quoted
// attribute values alike (the page writes every attribute quoted with ").

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `value` as HTML text: safe in element content and in a double-quoted attribute. */
export function text(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
