// A node:http server on 127.0.0.1 that records every request and answers from a script: the
// stand-in for AWS STS, GCP STS and IAM Credentials in the SDK tests.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedAnswer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
}

export type Script = (request: CapturedRequest) => ScriptedAnswer | Promise<ScriptedAnswer>;

export class LoopbackServer {
  readonly requests: CapturedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private script: Script,
  ) {}

  static async start(script: Script): Promise<LoopbackServer> {
    let self: LoopbackServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const captured: CapturedRequest = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        self!.requests.push(captured);
        Promise.resolve()
          .then(() => self!.script(captured))
          .then((answer) => {
            res.writeHead(answer.status ?? 200, { "content-type": answer.contentType ?? "text/xml" });
            res.end(answer.body);
          })
          .catch((error: unknown) => {
            res.writeHead(599, { "content-type": "text/plain" });
            res.end(`script failed: ${String(error)}`);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    self = new LoopbackServer(server, `http://127.0.0.1:${port}`, script);
    return self;
  }

  /** Answers later requests from another script. */
  answer(script: Script): void {
    this.script = script;
  }

  requestsTo(pathPrefix: string): CapturedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A form body as a plain object; a repeated field is a failure (the services read one value). */
export function formFields(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (name in fields) throw new Error(`form field ${name} appears twice`);
    fields[name] = value;
  }
  return fields;
}
