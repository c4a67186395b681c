// Property-based fuzzing of every HTTP route of the issuer and of the edge middleware, in workerd:
// random bytes in the path (malformed escapes, overlong UTF-8, dot segments), the query, header
// names and values, random methods and random bodies, sent as written (route-fuzz-inputs.ts).
// Whatever arrives, the answer is never a 5xx, every 4xx is problem+json with a code, and no body
// shows a stack trace (route-fuzz-answers.ts). The seed is fixed (FUZZ_SEED overrides it, to
// explore); fast-check prints it with any counterexample.
//
// The issuer runs with introspection configured (so /introspect is reached past its client
// check) and its admin token; the fuzz with that token never sends what could change the stack
// (a blank or known-field JSON body to a POST that rotates or revokes, or a real kid to revoke),
// and the last test proves that the keys and the revocation list are as they were. The routes,
// and which requests could change the stack: route-fuzz-routes.ts.

import assert from "node:assert/strict";
import fc from "fast-check";
import { IssuerHarness } from "../support/issuer-harness.js";
import { MIDDLEWARE_HOST, MiddlewareHarness } from "../support/middleware-harness.js";
import { API_AUDIENCE } from "../support/stack-fixture.js";
import {
  basicAuthorization,
  INTROSPECTION_CLIENT,
  INTROSPECTION_SECRETS,
  workflowStackConfig,
} from "../support/workflow-fixture.js";
import { authorizationValue } from "./mutations.js";
import { assertAnswered, sendFramed, sendRaw, type WireAnswer } from "./route-fuzz-answers.js";
import {
  body,
  contentType,
  headers,
  headerValue,
  method,
  pathFrom,
  query,
  type WireRequest,
} from "./route-fuzz-inputs.js";
import {
  exchangeForm,
  type Fuzzed,
  ISSUER_ROUTES,
  introspectionForm,
  MIDDLEWARE_ROUTES,
  mayMutate,
  type Route,
  reachesOtherWorker,
  unknownKid,
} from "./route-fuzz-routes.js";

const SEED = Number(process.env.FUZZ_SEED ?? 0x14_0005);
const RUNS = 200;
/** Requests sent at once: one run is a small batch. */
const BATCH = 4;

describe(`fuzzing every route of the issuer and the edge middleware (seed ${SEED}, ${RUNS} runs of ${BATCH} per property)`, function () {
  this.timeout(120_000);
  let issuer: IssuerHarness;
  let middleware: MiddlewareHarness;
  let adminToken: string;
  let kids: string[];
  let tokens: string[];
  let initial: { keys: unknown; revocations: unknown };

  before(async () => {
    [issuer, middleware] = await Promise.all([
      IssuerHarness.start({ config: workflowStackConfig(), introspectionSecrets: INTROSPECTION_SECRETS }),
      // ORIGIN_URL: a node:http origin takes any method workerd parses (Miniflare's own service
      // functions cannot take TRACE).
      MiddlewareHarness.start({ origin: "url" }),
    ]);
    adminToken = issuer.adminToken!;
    // The key store makes its first key when the JWKS is first asked for.
    assert.equal((await issuer.fetch("/.well-known/jwks.json")).status, 200);
    initial = await stackState();
    kids = (initial.keys as { kid: string }[]).map((k) => k.kid);
    assert.ok(kids.length > 0, "the issuer has keys to protect");
    tokens = await Promise.all([
      middleware.token("edge-api", API_AUDIENCE, { lifetimeSeconds: 3_600 }),
      middleware.token("billing", API_AUDIENCE, { lifetimeSeconds: 3_600 }),
    ]);
  });
  after(async () => Promise.all([issuer?.dispose(), middleware?.dispose()]));

  async function stackState(): Promise<{ keys: unknown; revocations: unknown }> {
    const keys = (await (await issuer.admin("/admin/keys")).json()) as { keys: unknown; events: unknown };
    const revocations = (await (await issuer.admin("/admin/revocations")).json()) as { entries: unknown };
    return { keys: keys.keys, revocations: revocations.entries };
  }

  const issuerPort = () => Number(new URL(issuer.url).port);
  const issuerHost = () => new URL(issuer.url).host;

  const mayMutateStack = (request: WireRequest) => mayMutate(request, issuerHost(), kids);

  /**
   * A request to one of `routes` with `authorization` (undefined: none) and random everything
   * else; half the time with a method and media type the route takes, to get past those checks.
   */
  function fuzzed(
    routes: readonly Route[],
    host: string,
    authorization: (route: string) => fc.Arbitrary<string | undefined>,
    otherHeaders = headers,
  ) {
    return fc
      .constantFrom(...routes)
      .chain((route) =>
        fc.record({
          route: fc.constant(route.path),
          path:
            route.path === "/admin/keys/{}/revoke"
              ? fc.oneof(
                  pathFrom(route.path),
                  unknownKid.map((k) => `/admin/keys/${k}/revoke`),
                )
              : pathFrom(route.path),
          query,
          method: fc.oneof(fc.constantFrom(...route.methods), method),
          authorization: authorization(route.path),
          contentType:
            route.contentType === undefined ? contentType : fc.oneof(fc.constant(route.contentType), contentType),
          headers: otherHeaders,
          body:
            route.path === "/introspect"
              ? fc.oneof(introspectionForm, body)
              : route.path === "/token"
                ? fc.oneof(exchangeForm, body)
                : body,
        }),
      )
      .map(
        ({ route, path, query: q, method: m, authorization: a, contentType: type, headers: h, body: b }): Fuzzed => ({
          route,
          request: {
            method: m,
            target: `${path}${q}`,
            headers: [
              ...(a === undefined ? [] : [["authorization", a] as const]),
              ...(type === undefined ? [] : [["content-type", type] as const]),
              ...h,
            ],
            ...(b === undefined ? {} : { body: b }),
          },
        }),
      )
      .filter(({ request }) => !reachesOtherWorker(host, request.target));
  }

  /** Sends a batch in parallel and checks every answer, counting the routes in `hits`. */
  async function sendAll(
    port: number,
    host: string,
    batch: readonly Fuzzed[],
    hits: Map<string, number>,
    forwarded = (_: WireAnswer) => false,
  ): Promise<void> {
    await Promise.all(
      batch.map(async ({ route, request }) => {
        hits.set(route, (hits.get(route) ?? 0) + 1);
        try {
          const answer = await sendRaw(port, host, request);
          assertAnswered(answer, request.method, forwarded(answer));
        } catch (error) {
          const sent = {
            method: request.method,
            target: request.target,
            headers: request.headers,
            bodyBytes: request.body?.length,
          };
          throw new Error(`${JSON.stringify(sent).slice(0, 600)}\n  -> ${String(error)}`);
        }
      }),
    );
  }

  const check = <T>(property: fc.IAsyncProperty<[T]>, examples: [T][] = []) =>
    fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true, examples });

  const everyRouteHit = (routes: readonly Route[], hits: Map<string, number>) =>
    assert.deepEqual(
      routes.map((r) => r.path).filter((path) => !hits.has(path)),
      [],
      "every route was fuzzed",
    );

  const adminRequest = (target: string): Fuzzed => ({
    route: "/admin/keys/{}/revoke",
    request: { method: "POST", target, headers: [["authorization", `Bearer ${adminToken}`]] },
  });

  it("a malformed escape or overlong UTF-8 in the kid of POST /admin/keys/<kid>/revoke is a 400 naming it", async () => {
    for (const target of [
      "/admin/keys/%ZZ/revoke",
      "/admin/keys/%C0%AF/revoke",
      "/admin/keys/%/revoke",
      "/admin/keys/%E0%80%AF/revoke",
    ]) {
      const answer = await sendRaw(issuerPort(), issuerHost(), adminRequest(target).request);
      assert.equal(answer.status, 400, `${target}: ${answer.body}`);
      assertAnswered(answer, "POST", false);
      const problem = JSON.parse(answer.body) as { code: string; detail: string };
      assert.equal(problem.code, "ERR_INVALID_REQUEST");
      assert.match(problem.detail, /kid/);
      assert.match(problem.detail, /percent-escape/);
    }
  });

  it("an unknown admin route is a 404 that does not echo the path it was sent", async () => {
    const target = "/admin/%3Cscript%3Ealert(1)%3C/script%3E-echo-probe";
    const answer = await sendRaw(issuerPort(), issuerHost(), {
      method: "GET",
      target,
      headers: [["authorization", `Bearer ${adminToken}`]],
    });
    assert.equal(answer.status, 404, answer.body);
    assertAnswered(answer, "GET", false);
    assert.ok(!answer.body.includes("echo-probe") && !answer.body.includes("script"), answer.body);
  });

  /** A chunked POST to each issuer route that reads a body, with its credential; `chunks` as written. */
  async function chunkedPosts(chunks: string): Promise<{ path: string; answer: WireAnswer }[]> {
    const client = basicAuthorization(INTROSPECTION_CLIENT, INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!);
    const routes = [
      ["/admin/keys/rotate", `Bearer ${adminToken}`],
      ["/admin/revocations", `Bearer ${adminToken}`],
      ["/introspect", client],
    ];
    return Promise.all(
      routes.map(async ([path, authorization]) => {
        const head = [
          `POST ${path} HTTP/1.1`,
          `Host: ${issuerHost()}`,
          `Authorization: ${authorization}`,
          "Content-Type: application/x-www-form-urlencoded",
          "Transfer-Encoding: chunked",
        ].join("\r\n");
        return { path: path!, answer: await sendFramed(issuerPort(), head, chunks) };
      }),
    );
  }

  it("a body whose chunked framing breaks off, at every route that reads one, is a 400 naming it", async () => {
    // One good chunk, then a chunk size that is not hexadecimal.
    for (const { path, answer } of await chunkedPosts("5\r\ntoken\r\nZZZ\r\n\r\n")) {
      assert.equal(answer.status, 400, `${path}: ${answer.body}`);
      assertAnswered(answer, "POST", false);
      const problem = JSON.parse(answer.body) as { code: string; detail: string };
      assert.equal(problem.code, "ERR_INVALID_REQUEST");
      assert.match(problem.detail, /body could not be read/);
    }
  });

  it("a chunked body (no Content-Length) over a route's limit is a 400 naming the limit", async () => {
    const size = 20_000; // over every limit: 1 KiB for the admin bodies, 16 KiB for the introspection form
    for (const { path, answer } of await chunkedPosts(`${size.toString(16)}\r\n${"x".repeat(size)}\r\n0\r\n\r\n`)) {
      assert.equal(answer.status, 400, `${path}: ${answer.body}`);
      assertAnswered(answer, "POST", false);
      assert.match((JSON.parse(answer.body) as { detail: string }).detail, /at most|larger than/);
    }
  });

  it("issuer: every route with its credential (the admin token; a registered introspection client)", async () => {
    const hits = new Map<string, number>();
    const client = basicAuthorization(INTROSPECTION_CLIENT, INTROSPECTION_SECRETS[INTROSPECTION_CLIENT]!);
    const credential = (route: string) => fc.constant(route === "/introspect" ? client : `Bearer ${adminToken}`);
    // A second Authorization header would only make the credential invalid: leave it to the next test.
    const noAuthorization = headers.map((h) => h.filter(([name]) => name.toLowerCase() !== "authorization"));
    const request = fuzzed(ISSUER_ROUTES, issuerHost(), credential, noAuthorization).filter(
      ({ request: r }) => !mayMutateStack(r),
    );
    const batch = fc.array(request, { minLength: 1, maxLength: BATCH });
    await check(
      fc.asyncProperty(batch, (items) => sendAll(issuerPort(), issuerHost(), items, hits)),
      [[[adminRequest("/admin/keys/%ZZ/revoke"), adminRequest("/admin/keys/%C0%AF/revoke")]]],
    );
    everyRouteHit(ISSUER_ROUTES, hits);
  });

  it("issuer: every route without a valid credential (none, wrong, malformed)", async () => {
    const hits = new Map<string, number>();
    const wrong = fc.oneof(
      fc.constant(undefined),
      authorizationValue(),
      headerValue,
      fc.constant(`Bearer ${"x".repeat(43)}`),
      // HTTP drops trailing whitespace from a value: such a suffix would leave the real token.
      fc
        .string({ minLength: 1, maxLength: 4 })
        .filter((suffix) => suffix.trim() !== "")
        .map((suffix) => `Bearer ${adminToken}${suffix}`),
      fc.uint8Array({ maxLength: 60 }).map((b) => `Basic ${Buffer.from(b).toString("base64")}`),
      fc
        .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }))
        .map(([id, secret]) => basicAuthorization(id, secret)),
      fc.constantFrom("Basic cGF5bWVudHMtYXBpOiVaWg==", "Basic JVpaOnNlY3JldA==", "Basic =", "Basic"),
    );
    const batch = fc.array(
      fuzzed(ISSUER_ROUTES, issuerHost(), () => wrong),
      { minLength: 1, maxLength: BATCH },
    );
    await check(fc.asyncProperty(batch, (items) => sendAll(issuerPort(), issuerHost(), items, hits)));
    everyRouteHit(ISSUER_ROUTES, hits);
  });

  it("edge middleware: public and protected routes, with valid tokens, random ones and none", async () => {
    const hits = new Map<string, number>();
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(...tokens).map((t) => `Bearer ${t}`),
      authorizationValue(),
      headerValue,
    );
    // The origin echoes the request: an answer it gave is not the middleware's to judge.
    const fromOrigin = (answer: WireAnswer) => answer.status < 400 && answer.contentType !== "application/problem+json";
    const batch = fc.array(
      fuzzed(MIDDLEWARE_ROUTES, MIDDLEWARE_HOST, () => authorization),
      { minLength: 1, maxLength: BATCH },
    );
    await check(fc.asyncProperty(batch, (items) => sendAll(middleware.port, MIDDLEWARE_HOST, items, hits, fromOrigin)));
    everyRouteHit(MIDDLEWARE_ROUTES, hits);
  });

  it("the fuzz changed nothing: the issuer's keys and revocation list are as they were", async () => {
    assert.deepEqual(await stackState(), initial);
  });
});
