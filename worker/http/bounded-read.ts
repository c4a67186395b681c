// A body read whole, up to a size, whoever sent it: a request body at the issuer's routes and the
// middleware, a response body from the issuer's URL at the verifier. Declared larger than the
// bound: nothing is read; sent larger: reading stops there; either way the stream is cancelled.
// A stream that errors (a connection that broke, framing that went bad) is "unreadable" with the
// error, for the caller to word: each says in its own terms whose fault it is.

export type BoundedRead =
  | { readonly kind: "read"; readonly bytes: Uint8Array }
  | { readonly kind: "too large"; readonly size: string }
  | { readonly kind: "unreadable"; readonly error: unknown };

/** `body` read to its end, unless its Content-Length (`declared`) or its bytes pass `maxBytes`. */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  declared: string | null,
  maxBytes: number,
): Promise<BoundedRead> {
  const length = Number(declared ?? 0);
  if (length > maxBytes) {
    await body?.cancel().catch(() => undefined);
    return { kind: "too large", size: `Content-Length ${length}` };
  }
  if (body === null) return { kind: "read", bytes: new Uint8Array() };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { kind: "too large", size: `more than ${maxBytes} bytes sent` };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { kind: "unreadable", error };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "read", bytes };
}
