// A request body read to text, up to a size: the issuer's routes take small bodies, and a client
// may send a large one, a Content-Length it does not keep, or a stream that breaks off. Each of
// those is the client's error (InvalidRequestError, 400), never an exception out of the route.

import { InvalidRequestError } from "../errors.js";

/**
 * The body of `request` as UTF-8 text (invalid sequences become U+FFFD, as `request.text()`
 * does). Larger than `maxBytes`, declared or sent: InvalidRequestError with `tooLarge` as its
 * detail, without reading the rest. A body that cannot be read: InvalidRequestError too.
 */
export async function readRequestText(request: Request, maxBytes: number, tooLarge: string): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw new InvalidRequestError(tooLarge);
  }
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value as Uint8Array;
      total += chunk.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new InvalidRequestError(tooLarge);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof InvalidRequestError) throw error;
    throw new InvalidRequestError("the request body could not be read to its end (the connection broke or its framing is invalid); send it again");
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
