// A request body read to text, up to a size: the issuer's routes take small bodies, and a client
// may send a large one, a Content-Length it does not keep, or a stream that breaks off. Each of
// those is the client's error (InvalidRequestError, 400), never an exception out of the route.

import { InvalidRequestError } from "../errors.js";
import { readBounded } from "./bounded-read.js";

/**
 * The body of `request` as UTF-8 text (invalid sequences become U+FFFD, as `request.text()`
 * does). Larger than `maxBytes`, declared or sent: InvalidRequestError with `tooLarge` as its
 * detail, without reading the rest. A body that cannot be read: InvalidRequestError too.
 */
export async function readRequestText(request: Request, maxBytes: number, tooLarge: string): Promise<string> {
  const read = await readBounded(request.body, request.headers.get("content-length"), maxBytes);
  if (read.kind === "too large") throw new InvalidRequestError(tooLarge);
  if (read.kind === "unreadable") {
    throw new InvalidRequestError(
      "the request body could not be read to its end (the connection broke or its framing is invalid); send it again",
    );
  }
  return new TextDecoder().decode(read.bytes);
}
