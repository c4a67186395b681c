// The edge middleware in workerd for tests: ONE Miniflare running the issuer (through localStack,
// as `npm start` runs it), the bundled middleware Worker bound to it, and a recording echo origin.
//
//   const h = await MiddlewareHarness.start({ rules?, audiences?, config?, bindings?, issuerBinding?, origin? });
//   const token = await h.token("edge-api");                 // minted by the issuer, for API_AUDIENCE
//   const r = await h.request("/reports/1", { headers: { authorization: `Bearer ${token}` } });
//   h.forwarded          // every request the origin received, oldest first (method, url, headers, body)
//   h.raw("/a/%2e%2e/b", { headers: [["authorization", "Bearer x"], ["authorization", "Bearer y"]] })
//                        // an HTTP/1.1 request as written: request-target untouched, repeated headers
//   h.events("middleware.refused")   // structured log lines; await h.settleLogs() first
//   await h.dispose();
//
// - The middleware answers on the host MIDDLEWARE_HOST (route `middleware.test/*`), every path;
//   `request` uses Miniflare's dispatchFetch, `raw` a real socket to 127.0.0.1:<port>.
// - The origin records the request and answers 200 JSON { origin: "echo", method, path, query,
//   identity: {subject, workload, …} | null, authorization, host, body }. By default it is a Node
//   function bound as the ORIGIN service; `origin: "url"` makes it a node:http server on 127.0.0.1
//   that the middleware reaches by fetch through ORIGIN_URL (then `forwarded[i].url` is that URL).
// - Default rules (HARNESS_RULES): see below. Default stack: the test fixture, with billing also
//   allowed API_AUDIENCE, so a second workload can hold a valid token for the API.
// - `bindings` overrides the middleware's text bindings (null removes one); `issuerBinding: false`
//   makes it fetch discovery and the JWKS over the network at ISSUER_URL.

import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import {
  Miniflare,
  type MiniflareOptions,
  type Request as MiniflareRequest,
  Response as MiniflareResponse,
} from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { localStack } from "../../worker/local/stack.js";
import { freePort } from "./free-port.js";
import { collectRuntimeLines, settle, structuredEvents } from "./runtime-logs.js";
import {
  ACCOUNT_ID,
  API_AUDIENCE,
  AWS_AUDIENCE,
  GCP_AUDIENCE,
  PROJECT,
  randomAdminToken,
  randomKek,
  rawStackConfig,
  STACK,
} from "./stack-fixture.js";

export const MIDDLEWARE_HOST = "middleware.test";

/** The rules the harness runs unless told otherwise: one rule per kind of condition. */
export const HARNESS_RULES = {
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["GET"], path: "/whoami", allow: "authenticated" },
    { methods: "*", path: "/reports/*", allow: { workloads: ["edge-api"] } },
    { methods: ["GET"], path: "/accounts/:id/ledger", allow: { workloads: ["billing"], claims: { team: "payments" } } },
    { methods: ["GET"], path: "/billing-only", allow: { subjects: [`worker/${ACCOUNT_ID}/billing`] } },
    { methods: ["POST", "PUT"], path: "/echo", allow: { audiences: [API_AUDIENCE] } },
  ],
} as const;

/** The stack config of the harness: the fixture, with billing also allowed the API's audience. */
export function harnessStackConfig(): Record<string, unknown> {
  const config = rawStackConfig();
  const workloads = config["worker-identity:workloads"] as Record<string, Record<string, unknown>>;
  workloads.billing = { ...workloads.billing, audiences: [AWS_AUDIENCE, GCP_AUDIENCE, API_AUDIENCE] };
  return config;
}

export interface MiddlewareHarnessOptions {
  /** The rules document (parsed JSON, or text for RULES as is). Default HARNESS_RULES. */
  readonly rules?: unknown;
  /** The AUDIENCES binding. Default [API_AUDIENCE]. */
  readonly audiences?: readonly string[];
  /** The raw stack config of the issuer. Default harnessStackConfig(). */
  readonly config?: Record<string, unknown>;
  /** Text bindings of the middleware over the defaults; null removes one. */
  readonly bindings?: Readonly<Record<string, string | null>>;
  /** Default true: discovery and JWKS through the ISSUER service binding. */
  readonly issuerBinding?: boolean;
  readonly clockOffsetSeconds?: number;
  /** The mTLS workloads' thumbprints ({workload: x5t#S256}) the issuer binds tokens to; default: the local stack's own certificates. */
  readonly mtlsThumbprints?: Readonly<Record<string, string>>;
  /** How the middleware reaches the origin: the ORIGIN service binding (default) or ORIGIN_URL. */
  readonly origin?: "service" | "url";
}

export interface ForwardedRequest {
  readonly method: string;
  readonly url: string;
  /** As the origin received them (lower-case names). */
  readonly headers: readonly [string, string][];
  readonly body: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export class MiddlewareHarness {
  /** Every request the origin received, oldest first. */
  readonly forwarded: ForwardedRequest[] = [];
  /** Every line the runtime printed, oldest first. */
  readonly logs: string[] = [];
  #mf: Miniflare | undefined;
  #originServer: Server | undefined;

  private constructor(
    /** The issuer's URL (also the tokens' `iss`), on the same port as the middleware. */
    readonly issuerUrl: string,
    readonly port: number,
  ) {}

  get mf(): Miniflare {
    if (!this.#mf) throw new Error("the harness is not running");
    return this.#mf;
  }

  static async start(options: MiddlewareHarnessOptions = {}): Promise<MiddlewareHarness> {
    const port = await freePort();
    const harness = new MiddlewareHarness(`http://127.0.0.1:${port}`, port);
    const probeCode = bundleWorker(resolve(import.meta.dirname, "../fixtures/workers/probe.ts"));
    const origin =
      options.origin === "url"
        ? { url: await harness.#listen() }
        : (request: MiniflareRequest) => harness.#echo(request);
    const stack = await localStack({
      project: PROJECT,
      stack: STACK,
      config: options.config ?? harnessStackConfig(),
      issuerUrl: harness.issuerUrl,
      keyEncryptionKey: randomKek(),
      adminToken: randomAdminToken(),
      exampleWorkloads: false,
      ...(options.clockOffsetSeconds !== undefined ? { clockOffsetSeconds: options.clockOffsetSeconds } : {}),
      ...(options.mtlsThumbprints !== undefined ? { mtlsThumbprints: options.mtlsThumbprints } : {}),
      edgeMiddleware: {
        rules: options.rules ?? HARNESS_RULES,
        audiences: options.audiences ?? [API_AUDIENCE],
        routes: [`${MIDDLEWARE_HOST}/*`],
        origin,
        ...(options.bindings !== undefined ? { bindings: options.bindings } : {}),
        ...(options.issuerBinding !== undefined ? { issuerBinding: options.issuerBinding } : {}),
      },
    });
    const issuerName = stack.config.issuer.scriptName;
    const probeBindings = Object.fromEntries(
      stack.config.workloads.map((w) => [`ENTRY_${w.name}`, { name: issuerName, entrypoint: w.entrypoint }]),
    );
    const mfOptions: MiniflareOptions = {
      ...stack.options,
      workers: [
        ...stack.options.workers,
        {
          name: "probe",
          modules: [{ type: "ESModule", path: "probe.js", contents: await probeCode }],
          compatibilityDate: COMPATIBILITY_DATE,
          serviceBindings: probeBindings,
          routes: ["*/__probe/*"],
        },
      ],
      handleRuntimeStdio: collectRuntimeLines(harness.logs),
    };
    harness.#mf = new Miniflare(mfOptions);
    await harness.#mf.ready;
    return harness;
  }

  /** A request through the middleware; `path` may carry a query. */
  async request(path: string, init?: RequestInit): Promise<Response> {
    const response = await this.mf.dispatchFetch(`http://${MIDDLEWARE_HOST}${path}`, init as never);
    return response as unknown as Response;
  }

  /** An HTTP/1.1 request to the middleware exactly as written (request-target, repeated headers). */
  raw(
    target: string,
    options: { method?: string; headers?: readonly [string, string][]; body?: string } = {},
  ): Promise<RawResponse> {
    const headers = [["host", MIDDLEWARE_HOST], ...(options.headers ?? [])].flat();
    return new Promise((resolveResponse, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: this.port, method: options.method ?? "GET", path: target, headers, setHost: false },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  /** A token of `workload` for `audience` (default API_AUDIENCE), minted through its own binding. */
  async token(
    workload: string,
    audience: string = API_AUDIENCE,
    options?: { lifetimeSeconds?: number },
  ): Promise<string> {
    const response = await this.mf.dispatchFetch(`${this.issuerUrl}/__probe/rpc`, {
      method: "POST",
      body: JSON.stringify({ binding: `ENTRY_${workload}`, method: "token", args: [audience, options] }),
    });
    const outcome = (await response.json()) as { result?: { token: string }; error?: { message: string } };
    if (!outcome.result) throw new Error(`token refused: ${outcome.error?.message ?? response.status}`);
    return outcome.result.token;
  }

  /** The structured log events (JSON lines with an `event` field) of one kind. */
  events(kind: string): Record<string, unknown>[] {
    return structuredEvents(this.logs, kind);
  }

  /** Waits until the runtime's output has caught up (log lines arrive asynchronously). */
  async settleLogs(): Promise<void> {
    await settle();
  }

  async dispose(): Promise<void> {
    await this.#mf?.dispose();
    this.#mf = undefined;
    const server = this.#originServer;
    this.#originServer = undefined;
    if (server) await new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done())));
  }

  async #echo(request: MiniflareRequest): Promise<MiniflareResponse> {
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    return MiniflareResponse.json(
      this.#record(request.method, request.url, [...request.headers] as [string, string][], body),
    );
  }

  /** The ORIGIN_URL origin: a node:http server on 127.0.0.1, recording like #echo. */
  async #listen(): Promise<string> {
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2)
          headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
        const url = `http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`;
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(this.#record(req.method ?? "", url, headers, body)));
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    this.#originServer = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  #record(method: string, url: string, headers: [string, string][], body: string) {
    this.forwarded.push({ method, url, headers, body });
    const { pathname, search } = new URL(url);
    const identity = Object.fromEntries(
      headers.filter(([name]) => name.startsWith("x-worker-identity-")).map(([name, value]) => [name.slice(18), value]),
    );
    return {
      origin: "echo",
      method,
      path: pathname,
      query: search,
      identity: Object.keys(identity).length > 0 ? identity : null,
      authorization: headers.some(([name]) => name === "authorization"),
      host: headers.find(([name]) => name === "host")?.[1] ?? null,
      body,
    };
  }
}
