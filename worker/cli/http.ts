// The CLI's calls to an issuer: a URL nothing answers at, and an answer that is not JSON (an HTML
// error page of a proxy, another server on the port), each fail with what was asked and what came
// back, instead of a fetch or JSON.parse stack trace.

import { CliFailure } from "./failure.js";

/** How much of an unexpected answer the error quotes. */
export const QUOTED_ANSWER_CHARACTERS = 200;

export async function reach(url: URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    // fetch's own error says only "fetch failed"; its cause says why (ECONNREFUSED, "bad port").
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = typeof cause?.code === "string" ? cause.code : cause?.message;
    throw new CliFailure(
      "unreachable",
      `no issuer answers at ${url.origin}${typeof why === "string" ? ` (${why})` : ""}: ` +
        "start the local stack with `npm start`, or pass --issuer <url>",
    );
  }
}

/**
 * What a URL answers when that is not a JSON object ("expected JSON from ..., got ..."), for a
 * verifier failure that says only that a document was unusable; undefined when it answers JSON
 * or nothing.
 */
export async function nonJsonAnswerAt(url: URL): Promise<string | undefined> {
  try {
    await readJsonAnswer(await fetch(url), url);
    return undefined;
  } catch (error) {
    return error instanceof CliFailure && error.code === "unexpected_answer" ? error.message : undefined;
  }
}

/** The answer's JSON object; anything else is an "unexpected_answer" failure quoting what came. */
export async function readJsonAnswer(response: Response, url: URL): Promise<Record<string, unknown>> {
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "no content-type";
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (typeof document === "object" && document !== null && !Array.isArray(document)) {
    return document as Record<string, unknown>;
  }
  throw new CliFailure(
    "unexpected_answer",
    `expected JSON from ${url.origin}${url.pathname}, got ${response.status} ${contentType}: ${quoted(text)}`,
    1,
    response.status,
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\s]+/g;

/**
 * The start of a text, printable on a terminal: control characters (escape sequences among them),
 * invisible and bidirectional formatting characters, and runs of whitespace become one space.
 */
export function quoted(text: string): string {
  const flat = text.replace(UNPRINTABLE, " ").trim();
  if (flat === "") return "(an empty body)";
  return flat.length > QUOTED_ANSWER_CHARACTERS ? `${flat.slice(0, QUOTED_ANSWER_CHARACTERS)}...` : flat;
}
