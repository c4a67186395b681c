// Options are checked once, when the verifier is built: each misuse is a TypeError naming the
// option and the fix, and every problem is listed at once. Each case starts from a valid set and
// changes one option.

import assert from "node:assert/strict";
import { createVerifier, resolveVerifierOptions, type VerifierOptions } from "@worker-identity/verifier";

const VALID: VerifierOptions = { issuer: "https://id.example.com", audience: "sts.amazonaws.com" };

function refuses(changes: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(
    () => createVerifier({ ...VALID, ...changes } as VerifierOptions),
    (error: unknown) => error instanceof TypeError && pattern.test(error.message),
  );
}

describe("verifier options", () => {
  it("applies the documented defaults", () => {
    const resolved = resolveVerifierOptions(VALID);
    assert.deepEqual(resolved.algorithms, ["RS256", "ES256"]);
    assert.equal(resolved.clockToleranceSeconds, 30);
    assert.equal(resolved.maxTokenBytes, 8192);
    assert.equal(resolved.maxTokenLifetimeSeconds, 43_200, "the issuer's hard cap on any token's lifetime");
    assert.deepEqual(resolved.jwks, { cacheMaxAgeSeconds: undefined, cooldownSeconds: 30, staleIfErrorSeconds: 3600 });
    assert.deepEqual([...resolved.audiences], ["sts.amazonaws.com"]);
    assert.deepEqual(resolved.requiredClaims, ["iss", "sub", "aud", "exp", "iat", "jti"]);
    assert.equal(resolved.allowAudienceArray, false);
    assert.ok(Object.isFrozen(resolved));
  });

  it("accepts a local loopback issuer, several audiences and every option within range", () => {
    const resolved = resolveVerifierOptions({
      issuer: "http://127.0.0.1:8787",
      audience: ["a", "b"],
      algorithms: ["PS256", "EdDSA"],
      clockToleranceSeconds: 300,
      requiredClaims: ["environment", "iss"],
      subject: /worker\/[0-9a-f]{32}\/billing/,
      workloads: ["billing"],
      claims: { team: "payments", tier: 1, nested: { a: [true, null] } },
      maxTokenBytes: 512,
      jwks: { cacheMaxAgeSeconds: 0, cooldownSeconds: 3600, staleIfErrorSeconds: 86400 },
      fetch: (input, init) => fetch(input, init),
      now: () => 0,
    });
    assert.deepEqual(resolved.requiredClaims, ["iss", "sub", "aud", "exp", "iat", "jti", "environment"]);
    assert.deepEqual([...resolved.audiences], ["a", "b"]);
  });

  it("anchors a subject RegExp so that it must match the whole subject", () => {
    const { subject } = resolveVerifierOptions({ ...VALID, subject: /billing/i });
    assert.ok(subject instanceof RegExp);
    assert.equal(subject.test("worker/x/billing"), false);
    assert.equal(subject.test("BILLING"), true);
    const { subject: alternation } = resolveVerifierOptions({ ...VALID, subject: /a|b/ });
    assert.equal((alternation as RegExp).test("a-and-more"), false);
  });

  it("refuses a missing options object", () => {
    assert.throws(() => createVerifier(undefined as unknown as VerifierOptions), TypeError);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a missing issuer", { issuer: undefined }, /issuer must be the exact `iss`/],
    [
      "an http issuer that is not loopback",
      { issuer: "http://id.example.com" },
      /issuer .*plain http is only for loopback/,
    ],
    ["an issuer with a query", { issuer: "https://id.example.com?x=1" }, /issuer .*without query/],
    ["an issuer in a non-canonical spelling", { issuer: "https://ID.example.com" }, /issuer .*canonical form/],
    ["an issuer that is not a URL", { issuer: "id.example.com" }, /issuer .*got "id\.example\.com"/],
    ["a missing audience", { audience: undefined }, /audience must be a non-empty string/],
    ["an empty audience list", { audience: [] }, /audience must be a non-empty string/],
    ["an empty audience string", { audience: ["ok", ""] }, /audience must be/],
    ["alg none", { algorithms: ["none"] }, /algorithms must never allow "none"/],
    ["an HMAC algorithm", { algorithms: ["RS256", "HS256"] }, /algorithms must never allow "HS256"/],
    [
      "an unsupported algorithm",
      { algorithms: ["ES384"] },
      /algorithms cannot allow "ES384"; it may list only RS256, ES256, PS256, EdDSA/,
    ],
    ["an empty algorithm list", { algorithms: [] }, /algorithms must be a non-empty array/],
    [
      "a clock tolerance above 300 s",
      { clockToleranceSeconds: 301 },
      /clockToleranceSeconds must be a number of seconds from 0 to 300 \(got 301\)/,
    ],
    ["a negative clock tolerance", { clockToleranceSeconds: -1 }, /clockToleranceSeconds/],
    [
      "requiredClaims that are not strings",
      { requiredClaims: ["ok", 3] },
      /requiredClaims must be an array of non-empty strings/,
    ],
    ["an empty subject", { subject: "" }, /subject must be the exact subject string/],
    ["a stateful subject RegExp", { subject: /billing/g }, /subject must not use the g or y flags/],
    ["an empty workload list", { workloads: [] }, /workloads must name at least one script; omit it/],
    ["claims that are not JSON", { claims: { when: new Date(0) } }, /claims\.when must be a JSON value/],
    ["claims with NaN", { claims: { tier: Number.NaN } }, /claims\.tier must be a JSON value/],
    ["an empty claims object", { claims: {} }, /claims must be a non-empty object/],
    ["a fractional maxTokenBytes", { maxTokenBytes: 1000.5 }, /maxTokenBytes must be an integer from 512 to 65536/],
    ["a huge maxTokenBytes", { maxTokenBytes: 1_000_000 }, /maxTokenBytes must be an integer/],
    [
      "a maxTokenLifetimeSeconds below a minute",
      { maxTokenLifetimeSeconds: 59 },
      /maxTokenLifetimeSeconds must be an integer from 60 to 86400/,
    ],
    [
      "a maxTokenLifetimeSeconds above a day",
      { maxTokenLifetimeSeconds: 86_401 },
      /maxTokenLifetimeSeconds must be an integer/,
    ],
    [
      "a cache max-age above an hour",
      { jwks: { cacheMaxAgeSeconds: 7200 } },
      /jwks\.cacheMaxAgeSeconds must be a number of seconds from 0 to 3600/,
    ],
    ["a negative cooldown", { jwks: { cooldownSeconds: -5 } }, /jwks\.cooldownSeconds/],
    [
      "a stale-if-error above a day",
      { jwks: { staleIfErrorSeconds: 86401 } },
      /jwks\.staleIfErrorSeconds must be a number of seconds from 0 to 86400/,
    ],
    ["an unknown jwks option", { jwks: { maxAge: 5 } }, /jwks\.maxAge is not an option/],
    ["jwks that is not an object", { jwks: 5 }, /jwks must be an object/],
    ["a fetch that is not a function", { fetch: "https://x" }, /fetch must be a function/],
    ["a clock that is not a function", { now: 5 }, /now must be a function/],
    [
      "allowAudienceArray that is not a boolean",
      { allowAudienceArray: "yes" },
      /allowAudienceArray must be true or false/,
    ],
    ["a misspelt option", { audiences: ["x"] }, /audiences is not an option; known options: issuer, audience/],
  ];
  for (const [title, changes, pattern] of cases) {
    it(`refuses ${title} with a TypeError naming the option`, () => refuses(changes, pattern));
  }

  it("lists every problem at once", () => {
    assert.throws(
      () =>
        createVerifier({ issuer: "ftp://x", audience: 1, clockToleranceSeconds: 999 } as unknown as VerifierOptions),
      (error: unknown) =>
        error instanceof TypeError &&
        /issuer/.test(error.message) &&
        /audience/.test(error.message) &&
        /clockToleranceSeconds/.test(error.message),
    );
  });
});
