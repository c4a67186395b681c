// The middleware Worker's bindings: one validator for the Worker, the Pulumi component and the
// tests. Each problem names the binding and the fix; what clients may see never quotes the config.

import assert from "node:assert/strict";
import {
  MiddlewareConfigError,
  type MiddlewareTextBindings,
  readMiddlewareConfig,
} from "../../worker/middleware/config.js";

const RULES = { rules: [{ methods: ["GET"], path: "/x/*", allow: { audiences: ["https://api.example.com"] } }] };
const VALID = {
  ISSUER_URL: "https://id.example.com",
  AUDIENCES: JSON.stringify(["https://api.example.com"]),
  RULES: JSON.stringify(RULES),
};
const SERVICES = { issuer: true, origin: true };

function problems(env: MiddlewareTextBindings, services = SERVICES): MiddlewareConfigError {
  try {
    readMiddlewareConfig(env, services);
  } catch (error) {
    assert.ok(error instanceof MiddlewareConfigError && error instanceof TypeError);
    return error;
  }
  assert.fail("the configuration was accepted");
}

describe("readMiddlewareConfig", () => {
  it("reads a service origin, the issuer binding and the defaults", () => {
    const config = readMiddlewareConfig(VALID, SERVICES);
    assert.equal(config.issuerUrl, "https://id.example.com");
    assert.deepEqual(config.audiences, ["https://api.example.com"]);
    assert.equal(config.rules.rules.length, 1);
    assert.deepEqual(config.origin, { kind: "service" });
    assert.equal(config.forwardAuthorization, false);
    assert.equal(config.issuerService, true);
    assert.equal(config.clientCertificates, "none");
  });

  it("reads client certificates from Cloudflare's edge only when CLIENT_CERTIFICATES says so", () => {
    assert.equal(
      readMiddlewareConfig({ ...VALID, CLIENT_CERTIFICATES: "cloudflare-edge" }, SERVICES).clientCertificates,
      "cloudflare-edge",
    );
    assert.equal(readMiddlewareConfig({ ...VALID, CLIENT_CERTIFICATES: "none" }, SERVICES).clientCertificates, "none");
    for (const value of ["true", "Cloudflare-Edge", "", "edge"]) {
      const error = problems({ ...VALID, CLIENT_CERTIFICATES: value });
      assert.deepEqual(
        error.problems.map((p) => p.binding),
        ["CLIENT_CERTIFICATES"],
        value,
      );
      assert.match(error.summary, /"cloudflare-edge"/);
    }
  });

  it("reads an origin URL, a loopback issuer and FORWARD_AUTHORIZATION", () => {
    const config = readMiddlewareConfig(
      {
        ...VALID,
        ISSUER_URL: "http://127.0.0.1:8787",
        ORIGIN_URL: "https://backend.example.com",
        FORWARD_AUTHORIZATION: "true",
      },
      { issuer: false, origin: false },
    );
    assert.equal(config.origin.kind === "url" && config.origin.url.href, "https://backend.example.com/");
    assert.equal(config.forwardAuthorization, true);
    assert.equal(config.issuerService, false);
  });

  const cases: [string, MiddlewareTextBindings, { issuer: boolean; origin: boolean }, string, RegExp][] = [
    ["a missing ISSUER_URL", { ...VALID, ISSUER_URL: undefined }, SERVICES, "ISSUER_URL", /exactly as tokens carry it/],
    [
      "a plain-http ISSUER_URL off loopback",
      { ...VALID, ISSUER_URL: "http://id.example.com" },
      SERVICES,
      "ISSUER_URL",
      /http only on 127/,
    ],
    [
      "an ISSUER_URL with a trailing slash",
      { ...VALID, ISSUER_URL: "https://id.example.com/" },
      SERVICES,
      "ISSUER_URL",
      /trailing slash/,
    ],
    [
      "an ISSUER_URL with a path",
      { ...VALID, ISSUER_URL: "https://id.example.com/tenant" },
      SERVICES,
      "ISSUER_URL",
      /without path/,
    ],
    ["a missing AUDIENCES", { ...VALID, AUDIENCES: undefined }, SERVICES, "AUDIENCES", /is missing/],
    [
      "AUDIENCES that is not JSON",
      { ...VALID, AUDIENCES: "https://api.example.com" },
      SERVICES,
      "AUDIENCES",
      /not valid JSON/,
    ],
    [
      "AUDIENCES that is not an array",
      { ...VALID, AUDIENCES: '"https://api.example.com"' },
      SERVICES,
      "AUDIENCES",
      /JSON array/,
    ],
    ["empty AUDIENCES", { ...VALID, AUDIENCES: "[]" }, SERVICES, "AUDIENCES", /JSON array/],
    [
      "a repeated audience",
      { ...VALID, AUDIENCES: '["a","a"]', RULES: '{"rules":[{"methods":"*","path":"/*","allow":"authenticated"}]}' },
      SERVICES,
      "AUDIENCES",
      /twice/,
    ],
    ["a missing RULES", { ...VALID, RULES: undefined }, SERVICES, "RULES", /is missing/],
    ["RULES that is not JSON", { ...VALID, RULES: "{rules: []}" }, SERVICES, "RULES", /not valid JSON/],
    [
      "an invalid rules document",
      { ...VALID, RULES: '{"rules":[{"methods":["FETCH"],"path":"/x","allow":"authenticated"}]}' },
      SERVICES,
      "RULES",
      /not a valid rules document \(1 problem/,
    ],
    [
      "a rule audience missing from AUDIENCES",
      { ...VALID, AUDIENCES: '["https://other.example.com"]' },
      SERVICES,
      "RULES",
      /missing from AUDIENCES/,
    ],
    ["no origin", VALID, { issuer: true, origin: false }, "ORIGIN", /ORIGIN service, or set ORIGIN_URL/],
    [
      "both ORIGIN and ORIGIN_URL",
      { ...VALID, ORIGIN_URL: "https://backend.example.com" },
      SERVICES,
      "ORIGIN_URL",
      /exactly one/,
    ],
    [
      "an ORIGIN_URL with a path",
      { ...VALID, ORIGIN_URL: "https://backend.example.com/v1" },
      { issuer: true, origin: false },
      "ORIGIN_URL",
      /without path/,
    ],
    [
      "a plain-http ORIGIN_URL off loopback",
      { ...VALID, ORIGIN_URL: "http://backend.example.com" },
      { issuer: true, origin: false },
      "ORIGIN_URL",
      /https URL/,
    ],
    [
      "FORWARD_AUTHORIZATION other than true or false",
      { ...VALID, FORWARD_AUTHORIZATION: "yes" },
      SERVICES,
      "FORWARD_AUTHORIZATION",
      /"true" or "false"/,
    ],
  ];
  for (const [name, env, services, binding, fix] of cases) {
    it(`refuses ${name}`, () => {
      const error = problems(env, services);
      assert.deepEqual(
        error.problems.map((p) => p.binding),
        [binding],
      );
      assert.match(error.problems[0]!.fix, fix);
    });
  }

  it("lists every problem at once; the rules' JSON paths go to the log detail, not the client summary", () => {
    const error = problems(
      {
        ISSUER_URL: "ftp://x",
        AUDIENCES: "[1]",
        RULES: '{"rules":[{"methods":["FETCH"],"path":"/secret-admin","allow":{}}]}',
      },
      { issuer: false, origin: false },
    );
    assert.deepEqual(
      error.problems.map((p) => p.binding),
      ["ISSUER_URL", "AUDIENCES", "RULES", "ORIGIN"],
    );
    assert.match(error.message, /\$\.rules\[0\]\.methods\[0\]/);
    assert.doesNotMatch(error.summary, /FETCH|secret-admin|\$\.rules|ftp/);
  });
});
