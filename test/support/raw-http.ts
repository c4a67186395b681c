// An HTTP/1.1 exchange written byte for byte on a fresh socket, for what no client library sends
// as written: odd header names and folded lines, a body promised and never sent, chunked framing
// that breaks off. The answer counts once it is complete by its Content-Length (a server that
// stops reading may reset the connection right after answering), or when the connection ends.

import { connect } from "node:net";

export interface RawAnswer {
  readonly status: number;
  /** A header of the answer by name (any case), the first if repeated. */
  header(name: string): string | undefined;
  readonly body: string;
}

export interface RawOptions {
  /** End the writing side after the bytes (default true); false leaves a promised body unsent. */
  readonly end?: boolean;
  /** How the bytes are written and the answer read: "latin1" keeps every byte one character. */
  readonly encoding?: BufferEncoding;
  /** A hang is a failure, not a wait. Default 15 s. */
  readonly timeoutMs?: number;
}

/** Writes `bytes` (a whole request: head, blank line, any body) to 127.0.0.1:`port` and reads the answer. */
export function sendRawHttp(port: number, bytes: string, options: RawOptions = {}): Promise<RawAnswer> {
  const encoding = options.encoding ?? "utf8";
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () =>
      options.end === false ? socket.write(bytes, encoding) : socket.end(bytes, encoding),
    );
    const chunks: Buffer[] = [];
    let settled = false;
    /** `complete`: undefined when the answer has no Content-Length (it ends with the connection). */
    const parsed = (): { answer: RawAnswer; complete: boolean | undefined } | undefined => {
      const text = Buffer.concat(chunks).toString(encoding);
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return undefined;
      const lines = text.slice(0, split).split("\r\n");
      const header = (name: string) =>
        lines
          .slice(1)
          .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
          ?.slice(name.length + 1)
          .trim();
      const body = text.slice(split + 4);
      const length = Number(header("content-length") ?? NaN);
      const answer = { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0), header, body };
      return { answer, complete: Number.isNaN(length) ? undefined : Buffer.byteLength(body, encoding) >= length };
    };
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const done = parsed();
      if (done?.complete === true) {
        settle(() => resolve(done.answer));
        socket.destroy();
      }
    });
    socket.on("error", (error) => {
      const done = parsed();
      settle(() => (done?.complete === true ? resolve(done.answer) : reject(error)));
    });
    socket.on("end", () =>
      settle(() => {
        const done = parsed();
        // A request that leaves its body unsent expects the answer before the connection closes.
        if (options.end === false && (done === undefined || done.complete === false)) {
          reject(
            new Error(
              `the connection closed before a whole answer: ${JSON.stringify(Buffer.concat(chunks).toString(encoding).slice(0, 200))}`,
            ),
          );
        } else resolve(done?.answer ?? { status: 0, header: () => undefined, body: "" });
      }),
    );
  });
}
