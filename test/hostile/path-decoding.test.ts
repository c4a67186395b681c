// Path spellings thrown at the edge middleware Worker in workerd (issue 14, item 4): rules where a
// public wildcard sits beside protected routes, and every look-alike spelling of a protected path
// sent as written over a socket (fetch would normalise some of them first). Each must be refused
// 400 ERR_REQUEST_PATH, or reach the protected rule (401 without a token), or be forwarded with
// exactly the canonical path it was authorised for; never may the origin receive, without a token,
// a path that a lenient origin (decoding once, normalising to NFKC like some origins and WAFs,
// stripping ';' parameters like Tomcat, Spring and Jetty, reading '\' as '/', trimming trailing
// dots and spaces like Windows and IIS, resolving dot segments) reads as a protected route.

import assert from "node:assert/strict";
import { MiddlewareHarness } from "../support/middleware-harness.js";

const PROTECTED = { workloads: ["edge-api"] };
const RULES = {
  rules: [
    { methods: ["GET"], path: "/admin/*", allow: PROTECTED },
    { methods: ["GET"], path: "/api/a%3Ab", allow: PROTECTED },
    { methods: ["GET"], path: "/api/x:y", allow: PROTECTED },
    { methods: ["GET"], path: "/api/caf%C3%A9", allow: PROTECTED },
    { methods: ["GET"], path: "/api/*", public: true },
    { methods: ["GET"], path: "/public/*", public: true },
  ],
};

/** The path a lenient origin serves for `path` as it receives it. */
function lenientOriginReading(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/").slice(1)) {
    for (const part of lenientDecode(segment).normalize("NFKC").split(/[/\\]/)) {
      const name = windowsName(part.split(";")[0]!);
      if (name === "..") segments.pop();
      else if (name !== "." && name !== "") segments.push(name);
    }
  }
  return `/${segments.join("/")}`;
}

/** A segment as Windows reads it: '.. ' is '..', and trailing dots and spaces go ('admin.' is 'admin', '...' is ''). */
function windowsName(segment: string): string {
  const spacesTrimmed = segment.replace(/ +$/, "");
  return spacesTrimmed === "." || spacesTrimmed === ".." ? spacesTrimmed : segment.replace(/[. ]+$/, "");
}

/** Percent-decoding as old decoders did it: 2-byte overlong forms (%C0%AE) are the ASCII character. */
function lenientDecode(segment: string): string {
  const raw = [...new TextEncoder().encode(segment.replace(/%[0-9A-Fa-f]{2}/g, "\u0000"))];
  const escapes = (segment.match(/%[0-9A-Fa-f]{2}/g) ?? []).map((e) => parseInt(e.slice(1), 16));
  const bytes = raw.map((byte) => (byte === 0 ? escapes.shift()! : byte));
  const folded: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const [lead, next] = [bytes[i]!, bytes[i + 1]];
    if ((lead === 0xc0 || lead === 0xc1) && next !== undefined && (next & 0xc0) === 0x80) {
      folded.push(((lead & 0x1f) << 6) | (next & 0x3f));
      i++;
    } else folded.push(lead);
  }
  return new TextDecoder().decode(Uint8Array.from(folded));
}

const isProtectedReading = (reading: string) =>
  reading === "/admin" || reading.startsWith("/admin/") || ["/api/a:b", "/api/x:y", "/api/café"].includes(reading);

type Expected = "refused" | "token" | { readonly forwarded: string };

// Spellings sent without a token. "refused": 400 ERR_REQUEST_PATH; "token": the protected rule
// matched (401 ERR_NO_TOKEN); forwarded: the public rule matched and the origin got exactly that path.
const WITHOUT_TOKEN: readonly [string, Expected][] = [
  // dot segments behind a path parameter, ';' and the dots spelt every way
  ["/public/..;/admin/secret", "refused"],
  ["/public/..%3B/admin/secret", "refused"],
  ["/public/..%3b/admin/secret", "refused"],
  ["/public/%2e%2e%3b/admin/secret", "refused"],
  ["/public/%2E%2E%3B/admin/secret", "refused"],
  ["/public/.%2e%3B/admin/secret", "refused"],
  ["/public/%2e.%3b/admin/secret", "refused"],
  ["/public/%2e%2e;x/admin/secret", "refused"],
  ["/public/..%3Bjsessionid=1/admin/secret", "refused"],
  ["/public/.%3B/admin/secret", "refused"],
  ["/public/%C0%AE%C0%AE%3B/admin/secret", "refused"],
  // dot segments the middleware's URL parser resolves itself: the protected rule is reached
  ["/public/../admin/secret", "token"],
  ["/public/%2e%2e/admin/secret", "token"],
  ["/public/.%2E/admin/secret", "token"],
  // dot segments it does not: overlong UTF-8 and escapes of escapes
  ["/public/%C0%AE%C0%AE/admin/secret", "refused"],
  ["/public/%c0%ae%c0%ae/admin/secret", "refused"],
  ["/public/%252e%252e/admin/secret", "refused"],
  ["/public/%252e%252e%253b/admin/secret", "refused"],
  // separators and controls hidden in a segment, other parameters, empty segments
  ["/public/..%2Fadmin/secret", "refused"],
  ["/public/%2e%2e%2fadmin/secret", "refused"],
  ["/public/..%5Cadmin/secret", "refused"],
  ["/public/..%5cadmin%5csecret", "refused"],
  ["/public/..%00/admin/secret", "refused"],
  ["/public/..%09/admin/secret", "refused"],
  ["/public/%C0%AF../admin/secret", "refused"],
  ["/public/x;/../admin/secret", { forwarded: "/public/admin/secret" }],
  ["/public/admin%3Bv=1", "refused"],
  ["/public//admin/secret", "refused"],
  // what Windows origins trim: a dot segment followed by spaces or dots, a trailing '.' or ' '
  ["/public/..%20/admin/secret", "refused"],
  ["/public/..%20%20/admin/secret", "refused"],
  ["/public/.%2E%20/admin/secret", "refused"],
  ["/public/..%2E/admin/secret", "refused"],
  ["/api/a:b.", "refused"],
  ["/api/a%3Ab%2E", "refused"],
  ["/api/x:y%20", "refused"],
  ["/api/caf%C3%A9.", "refused"],
  ["/public/.../admin/secret", "refused"],
  // what NFKC turns into dots, separators, ';', the protected path's letters or its composed 'é'
  ["/public/%EF%BC%8E%EF%BC%8E/admin/secret", "refused"],
  ["/public/%ef%bc%8e./admin/secret", "refused"],
  ["/public/%E2%80%A4%E2%80%A4/admin/secret", "refused"],
  ["/public/%E2%80%A5/admin/secret", "refused"],
  ["/public/..%EF%BC%8Fadmin/secret", "refused"],
  ["/public/..%EF%BC%BCadmin/secret", "refused"],
  ["/public/..%EF%B9%A8admin/secret", "refused"],
  ["/public/..%EF%BC%9B/admin/secret", "refused"],
  ["/api/%EF%BD%81:b", "refused"],
  ["/api/a%EF%BC%9Ab", "refused"],
  ["/api/x%EF%B8%93y", "refused"],
  ["/api/cafe%CC%81", "refused"],
  ["/api/caf%EF%BD%85%CC%81", "refused"],
  // one path, many spellings: the protected rule for it is reached through every one
  ["/api/a:b", "token"],
  ["/api/a%3Ab", "token"],
  ["/api/a%3ab", "token"],
  ["/api/%61%3A%62", "token"],
  ["/api/x:y", "token"],
  ["/api/x%3Ay", "token"],
  ["/api/%78%3a%79", "token"],
  ["/api/caf%C3%A9", "token"],
  ["/api/caf%c3%a9", "token"],
  // public paths, forwarded in their one spelling
  ["/api/%41dmin", { forwarded: "/api/Admin" }],
  ["/api/a%3Ab2", { forwarded: "/api/a:b2" }],
  ["/api/a%20b", { forwarded: "/api/a%20b" }],
  ["/api/%2a%21%40", { forwarded: "/api/*!@" }],
  ["/public/%7Ex/caf%c3%a9", { forwarded: "/public/~x/caf%C3%A9" }],
  ["/public/v1..2/.x", { forwarded: "/public/v1..2/.x" }],
  ["/public/%20x/a.b", { forwarded: "/public/%20x/a.b" }],
  ["/public/%E6%97%A5%E6%9C%AC/na%C3%AFve", { forwarded: "/public/%E6%97%A5%E6%9C%AC/na%C3%AFve" }],
];

// Spellings sent with a valid edge-api token: forwarded with the identity, in the canonical spelling.
const WITH_TOKEN: readonly [string, string][] = [
  ["/api/a%3ab", "/api/a:b"],
  ["/api/x%3Ay", "/api/x:y"],
  ["/api/caf%c3%a9", "/api/caf%C3%A9"],
  ["/admin/%73ecret", "/admin/secret"],
];

describe("request path spellings against the edge middleware in workerd", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;
  let token: string;

  before(async () => {
    h = await MiddlewareHarness.start({ rules: RULES });
    token = await h.token("edge-api");
  });
  after(async () => h?.dispose());

  it("the lenient origin model reads the attacks as the protected route (else the suite proves nothing)", () => {
    assert.equal(lenientOriginReading("/public/..%3B/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/%2e%2e%3b/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/%C0%AE%C0%AE/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/..%5Cadmin/secret"), "/admin/secret");
    assert.ok(isProtectedReading(lenientOriginReading("/api/a:b")));
    assert.ok(isProtectedReading(lenientOriginReading("/api/caf%C3%A9")));
    assert.ok(!isProtectedReading(lenientOriginReading("/public/admin/secret")));
    assert.equal(lenientOriginReading("/public/..%20/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/%EF%BC%8E%EF%BC%8E/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/..%EF%BC%8Fadmin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/public/..%EF%BC%9B/admin/secret"), "/admin/secret");
    assert.equal(lenientOriginReading("/api/a:b."), "/api/a:b");
    assert.ok(isProtectedReading(lenientOriginReading("/api/%EF%BD%81:b")));
    assert.ok(isProtectedReading(lenientOriginReading("/api/cafe%CC%81")));
    assert.equal(lenientOriginReading("/public/v1..2/.x"), "/public/v1..2/.x");
  });

  for (const [target, expected] of WITHOUT_TOKEN) {
    const outcome =
      expected === "refused"
        ? "400 ERR_REQUEST_PATH"
        : expected === "token"
          ? "401 (the protected rule)"
          : `forwarded as ${expected.forwarded}`;
    it(`${target} without a token: ${outcome}`, async () => {
      const before = h.forwarded.length;
      const response = await h.raw(target);
      const forwarded = h.forwarded.slice(before).map((f) => new URL(f.url).pathname);
      for (const path of forwarded) {
        assert.ok(
          !isProtectedReading(lenientOriginReading(path)),
          `the origin was sent ${path} without a token, which it reads as ${lenientOriginReading(path)}`,
        );
      }
      if (expected === "refused" || expected === "token") {
        const [status, code] = expected === "refused" ? [400, "ERR_REQUEST_PATH"] : [401, "ERR_NO_TOKEN"];
        assert.deepEqual(forwarded, [], "forwarded");
        assert.equal(response.status, status, response.body);
        assert.equal(response.headers["content-type"], "application/problem+json");
        assert.equal((JSON.parse(response.body) as { code: string }).code, code);
      } else {
        assert.equal(response.status, 200, response.body);
        assert.deepEqual(forwarded, [expected.forwarded]);
        assert.equal((JSON.parse(response.body) as { path: string }).path, expected.forwarded);
      }
    });
  }

  for (const [target, canonical] of WITH_TOKEN) {
    it(`${target} with a token: forwarded as ${canonical}, the path its rule admitted`, async () => {
      const before = h.forwarded.length;
      const response = await h.raw(target, { headers: [["authorization", `Bearer ${token}`]] });
      assert.equal(response.status, 200, response.body);
      const echo = JSON.parse(response.body) as { path: string; identity: { workload?: string } | null };
      assert.deepEqual([echo.path, echo.identity?.workload], [canonical, "edge-api"]);
      assert.deepEqual(
        h.forwarded.slice(before).map((f) => new URL(f.url).pathname),
        [canonical],
      );
    });
  }

  it("a raw 'é' (sent through fetch, which escapes it) reaches the protected rule too", async () => {
    const response = await h.request("/api/café");
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, "ERR_NO_TOKEN");
  });

  it("logs the exact cause of each refusal, the path as sent", async () => {
    await h.settleLogs();
    const before = h.events("middleware.refused").length;
    await h.raw("/public/..%3B/admin/secret");
    await h.raw("/public/%C0%AE%C0%AE/admin/secret");
    await h.raw("/public/admin%3Bv=1");
    await h.raw("/public/..%20/admin/secret");
    await h.raw("/api/a:b.");
    await h.raw("/public/%EF%BC%8E%EF%BC%8E/admin/secret");
    await h.settleLogs();
    const lines = h.events("middleware.refused").slice(before);
    assert.deepEqual(
      lines.map((l) => [l.code, l.path]),
      [
        ["ERR_REQUEST_PATH", "/public/..%3B/admin/secret"],
        ["ERR_REQUEST_PATH", "/public/%C0%AE%C0%AE/admin/secret"],
        ["ERR_REQUEST_PATH", "/public/admin%3Bv=1"],
        ["ERR_REQUEST_PATH", "/public/..%20/admin/secret"],
        ["ERR_REQUEST_PATH", "/api/a:b."],
        ["ERR_REQUEST_PATH", "/public/%EF%BC%8E%EF%BC%8E/admin/secret"],
      ],
    );
    assert.match(String(lines[0]!.reason), /dot segment behind a ';' parameter/);
    assert.match(String(lines[1]!.reason), /not UTF-8 \(%C0%AE%C0%AE/);
    assert.match(String(lines[2]!.reason), /';' \(raw or %3B\)/);
    assert.match(String(lines[3]!.reason), /only dots and spaces \('\.\.%20' once decoded\)/);
    assert.match(String(lines[4]!.reason), /ending in '\.' or ' ' \('a:b\.' once decoded\)/);
    assert.match(String(lines[5]!.reason), /U\+FF0E, which NFKC reads as '\.'/);
  });
});

// Origins that route more loosely than the rules match (path-readings.ts): Express and ASP.NET
// ignore case, Express (non-strict), ASP.NET Core and Spring < 6 ignore a trailing slash, Rails
// and Spring < 5.3 drop a format suffix, all run GET for HEAD and an override's method. Behind a
// public /*, each request below runs the protected route there.
const LOOSE_RULES = {
  rules: [
    { methods: ["GET", "DELETE"], path: "/admin/keys", allow: { workloads: ["edge-api"] } },
    { methods: ["GET"], path: "/a/*", allow: { workloads: ["edge-api"] } },
    { methods: ["GET"], path: "/A/*", allow: { workloads: ["billing"] } },
    { methods: "*", path: "/*", public: true },
  ],
};

/** The route an origin that ignores case, a trailing slash and any suffix (Spring's `.*`) serves for `path`. */
function looseOriginReading(path: string): string {
  const [head = "", last = ""] = [
    path
      .toLowerCase()
      .replace(/\/$/, "")
      .replace(/\/[^/]*$/, ""),
    path.toLowerCase().replace(/\/$/, "").split("/").pop(),
  ];
  return `${head}/${last.replace(/(.)\..*$/, "$1")}`;
}

describe("request paths against the edge middleware in workerd, read as loose origins read them", function () {
  this.timeout(120_000);
  let h: MiddlewareHarness;

  before(async () => {
    h = await MiddlewareHarness.start({ rules: LOOSE_RULES });
  });
  after(async () => h?.dispose());

  const LOOK_ALIKES = [
    "/ADMIN/keys",
    "/admin/Keys",
    "/admin/keys/",
    "/admin/keys.json",
    "/Admin/Keys.JSON/",
    "/admin/keys.html",
    "/admin/keys.json.json",
    "/admin/keys.a-b",
  ];

  it("the loose origin model reads every look-alike as the protected route (else the suite proves nothing)", () => {
    for (const path of LOOK_ALIKES) assert.equal(looseOriginReading(path), "/admin/keys", path);
  });

  for (const path of LOOK_ALIKES) {
    it(`${path} (public as written) is refused 400 ERR_REQUEST_PATH, token or not, and reaches no origin`, async () => {
      const token = await h.token("edge-api");
      for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
        const before = h.forwarded.length;
        const response = await h.request(path, { headers });
        assert.equal(response.status, 400, path);
        assert.equal(((await response.json()) as { code: string }).code, "ERR_REQUEST_PATH");
        assert.equal(h.forwarded.length, before, `${path} reached the origin`);
      }
    });
  }

  it("control: the protected route as written is admitted, and public paths whose readings stay public are forwarded", async () => {
    const token = await h.token("edge-api");
    assert.equal((await h.request("/admin/keys", { headers: { authorization: `Bearer ${token}` } })).status, 200);
    for (const path of ["/docs/Guide.html", "/files/report.pdf", "/"]) {
      assert.equal((await h.request(path)).status, 200, path);
    }
  });

  it("HEAD runs the protected GET route, and an override's method runs with a look-alike path: both refused 400", async () => {
    for (const [method, path, headers] of [
      ["HEAD", "/admin/keys", {}],
      ["POST", "/ADMIN/keys", { "x-http-method-override": "DELETE" }],
      ["POST", "/ADMIN/keys?_method=DELETE", {}],
      ["PUT", "/admin/KEYS", { "x-http-method-override": "GET" }],
    ] as [string, string, Record<string, string>][]) {
      const before = h.forwarded.length;
      const response = await h.request(path, { method, headers });
      assert.equal(response.status, 400, `${method} ${path}`);
      if (method !== "HEAD") assert.equal(((await response.json()) as { code: string }).code, "ERR_REQUEST_PATH");
      assert.equal(h.forwarded.length, before, `${method} ${path} reached the origin`);
    }
  });

  it("a caller admitted by one protected rule cannot reach another's route through case: billing on /A/x reads as /a/x", async () => {
    const billing = await h.token("billing");
    const before = h.forwarded.length;
    const response = await h.request("/A/x", { headers: { authorization: `Bearer ${billing}` } });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, "ERR_REQUEST_PATH");
    assert.equal(h.forwarded.length, before);
    // edge-api, whom /A/* does not admit, gets that rule's own 403 first.
    const edge = await h.request("/A/x", { headers: { authorization: `Bearer ${await h.token("edge-api")}` } });
    assert.equal(edge.status, 403);
    // Anonymous: the same 401 as any protected route, so the readings reveal nothing.
    assert.equal((await h.request("/A/x")).status, 401);
  });
});
