// A response body read to text, up to a size: what answers at the issuer's URL is not trusted
// to be small. Read errors propagate as they are; each caller words its own.

import { readBounded } from "../http/bounded-read.js";

/** The body as text, or undefined when it is (or says it is) larger than `maxBytes`. */
export async function readBodyAtMost(response: Response, maxBytes: number): Promise<string | undefined> {
  const read = await readBounded(response.body, response.headers.get("content-length"), maxBytes);
  if (read.kind === "unreadable") throw read.error;
  return read.kind === "too large" ? undefined : new TextDecoder().decode(read.bytes);
}
