// The middleware with NATIVE_ISSUERS: the binding read and checked by config.ts (keyed problems
// with fixes), computed from the stack's native workloads by settings-bindings.ts, and
// createMiddleware admitting a native token by the workload its subject maps to, so a rule that
// names a workload reads the same whichever issuer signed.

import assert from "node:assert/strict";
import { createMiddleware, type MiddlewareOptions, parseRules } from "@worker-identity/middleware";
import type { JWTPayload } from "jose";
import {
  MiddlewareConfigError,
  type MiddlewareTextBindings,
  readMiddlewareConfig,
} from "../../worker/middleware/config.js";
import { middlewareTextBindings, nativeIssuersOf } from "../../worker/middleware/settings-bindings.js";
import { AUDIENCE, LocalIssuer, T0, type TestKey, testKey } from "../verification/local-issuer.js";

const NATIVE_ISSUER = "https://native-oidc.example.com/accounts/0123456789abcdef0123456789abcdef";
const NATIVE_SUBJECT = "billing-3f1c2a4e-0000-4000-8000-immutable";
const SERVICES = { issuer: true, origin: true };
const RULES = { rules: [{ methods: ["GET"], path: "/reports/*", allow: { workloads: ["billing"] } }] };
const VALID = {
  ISSUER_URL: "https://id.example.com",
  AUDIENCES: JSON.stringify(["https://api.example.com"]),
  RULES: JSON.stringify(RULES),
};

function problemsOf(env: MiddlewareTextBindings): { binding: string; fix: string }[] {
  try {
    readMiddlewareConfig(env, SERVICES);
  } catch (error) {
    assert.ok(error instanceof MiddlewareConfigError);
    return error.problems.map(({ binding, fix }) => ({ binding, fix }));
  }
  assert.fail("the configuration was accepted");
}

describe("the middleware's NATIVE_ISSUERS", () => {
  describe("the binding (config.ts)", () => {
    const entry = {
      issuer: NATIVE_ISSUER,
      audiences: ["https://api.example.com"],
      subjects: { [NATIVE_SUBJECT]: "billing" },
    };

    it("reads a valid list, and leaves it out when the binding is absent", () => {
      const config = readMiddlewareConfig({ ...VALID, NATIVE_ISSUERS: JSON.stringify([entry]) }, SERVICES);
      assert.deepEqual(config.nativeIssuers, [entry]);
      assert.equal(readMiddlewareConfig(VALID, SERVICES).nativeIssuers, undefined);
    });

    it("names each problem by its binding and entry, with the fix", () => {
      const found = problemsOf({
        ...VALID,
        NATIVE_ISSUERS: JSON.stringify([
          { ...entry, issuer: "https://id.example.com" },
          { ...entry, issuer: `${NATIVE_ISSUER}/` },
          { ...entry, audiences: [] },
          { ...entry, issuer: "https://other.example.com", subjects: { [NATIVE_SUBJECT]: 7 } },
          { ...entry, issuer: "https://third.example.com", jwksUri: "http://jwks.example.com/keys", team: "x" },
          entry,
          entry,
        ]),
      });
      const bindings = found.map((p) => p.binding);
      assert.deepEqual(bindings, [
        "NATIVE_ISSUERS[0].issuer",
        "NATIVE_ISSUERS[1].issuer",
        "NATIVE_ISSUERS[2].audiences",
        "NATIVE_ISSUERS[3].subjects",
        "NATIVE_ISSUERS[4]",
        "NATIVE_ISSUERS[4].jwksUri",
        "NATIVE_ISSUERS[6].issuer",
      ]);
      assert.match(found[0]!.fix, /is ISSUER_URL/);
      assert.match(found[1]!.fix, /without query or trailing slash/);
      assert.match(found[6]!.fix, /listed twice/);
    });

    it("refuses text that is not a JSON array of entries", () => {
      assert.deepEqual(
        problemsOf({ ...VALID, NATIVE_ISSUERS: "{" }).map((p) => p.binding),
        ["NATIVE_ISSUERS"],
      );
      assert.match(problemsOf({ ...VALID, NATIVE_ISSUERS: "[]" })[0]!.fix, /non-empty JSON array/);
      assert.match(problemsOf({ ...VALID, NATIVE_ISSUERS: '["x"]' })[0]!.fix, /must be an object/);
    });

    it("lets rules name a native issuer's audience, and no other", () => {
      const rules = JSON.stringify({
        rules: [{ methods: ["GET"], path: "/x", allow: { audiences: ["https://native-api.example.com"] } }],
      });
      const native = JSON.stringify([{ ...entry, audiences: ["https://native-api.example.com"] }]);
      assert.ok(readMiddlewareConfig({ ...VALID, RULES: rules, NATIVE_ISSUERS: native }, SERVICES));
      assert.deepEqual(
        problemsOf({ ...VALID, RULES: rules }).map((p) => p.binding),
        ["RULES"],
      );
    });
  });

  describe("computed from the stack's workloads (settings-bindings.ts)", () => {
    it("groups native workloads by issuer, for the API's audiences, mapping each subject to its workload", () => {
      const workloads = {
        billing: { native: { issuer: NATIVE_ISSUER, subject: NATIVE_SUBJECT } },
        reports: { native: { issuer: NATIVE_ISSUER, subject: "reports-9a8b-immutable" } },
        edge: {
          native: {
            issuer: "https://native-2.example.com",
            subject: "edge-1",
            jwksUri: "https://keys.example.com/jwks",
          },
        },
        issuerOnly: {},
      };
      const audiences = ["https://api.example.com", "https://admin.example.com"];
      assert.deepEqual(nativeIssuersOf(workloads, audiences), [
        {
          issuer: NATIVE_ISSUER,
          audiences,
          subjects: { [NATIVE_SUBJECT]: "billing", "reports-9a8b-immutable": "reports" },
        },
        {
          issuer: "https://native-2.example.com",
          audiences,
          subjects: { "edge-1": "edge" },
          jwksUri: "https://keys.example.com/jwks",
        },
      ]);
      const text = middlewareTextBindings({ issuerUrl: "https://id.example.com", audiences, rules: RULES, workloads });
      assert.deepEqual(JSON.parse(text.NATIVE_ISSUERS!), nativeIssuersOf(workloads, audiences));
      // What the stack computes, the Worker's own validator accepts.
      const config = readMiddlewareConfig(text, SERVICES);
      assert.equal(config.nativeIssuers?.length, 2);
    });

    it("writes no NATIVE_ISSUERS for a stack without native workloads", () => {
      const text = middlewareTextBindings({
        issuerUrl: "https://id.example.com",
        audiences: ["https://api.example.com"],
        rules: RULES,
        workloads: { billing: {} },
      });
      assert.equal(text.NATIVE_ISSUERS, undefined);
    });
  });

  describe("createMiddleware with a native issuer", () => {
    const now = T0 + 1_000;
    let ours: LocalIssuer;
    let native: LocalIssuer;
    let nativeKey: TestKey;
    let forwarded: Request[];

    beforeEach(async () => {
      ours = await LocalIssuer.start([await testKey("ES256")]);
      nativeKey = await testKey("ES256");
      native = await LocalIssuer.start([nativeKey]);
      forwarded = [];
    });
    afterEach(async () => {
      await ours.stop();
      await native.stop();
    });

    function middleware(rules: unknown, changes: Partial<MiddlewareOptions> = {}) {
      return createMiddleware({
        issuer: ours.issuer,
        audiences: [AUDIENCE],
        rules: parseRules(rules),
        nativeIssuers: [{ issuer: native.issuer, audiences: [AUDIENCE], subjects: { [NATIVE_SUBJECT]: "billing" } }],
        forward: async (request) => (forwarded.push(request), new Response("ok")),
        now: () => now,
        log: () => undefined,
        ...changes,
      });
    }

    const nativeToken = (changes: Record<string, unknown> = {}) => {
      const claims: Record<string, unknown> = {
        iss: native.issuer,
        sub: NATIVE_SUBJECT,
        aud: AUDIENCE,
        exp: Math.floor(now / 1_000) + 300,
        ...changes,
      };
      return native.sign(claims as JWTPayload, nativeKey);
    };
    const get = (token: string) =>
      new Request("https://api.example.test/reports/1", { headers: { authorization: `Bearer ${token}` } });

    it("admits both issuers' tokens to a rule naming the workload, and forwards one identity", async () => {
      const handle = middleware(RULES);
      assert.equal((await handle(get(await ours.sign(ours.claims(now))))).status, 200);
      assert.equal((await handle(get(await nativeToken()))).status, 200);
      const [mine, theirs] = forwarded;
      assert.equal(mine!.headers.get("x-worker-identity-workload"), "billing");
      assert.equal(theirs!.headers.get("x-worker-identity-workload"), "billing");
      assert.equal(theirs!.headers.get("x-worker-identity-subject"), NATIVE_SUBJECT);
      assert.equal(theirs!.headers.get("x-worker-identity-jti"), null, "a native token without jti forwards none");
    });

    it("refuses a native token whose subject is not mapped, on a rule naming workloads", async () => {
      const response = await middleware(RULES)(get(await nativeToken({ sub: "unmapped-1234" })));
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { code: string }).code, "ERR_RULE_REFUSED");
      assert.equal(forwarded.length, 0);
    });

    it("admits a native token to no rule with a claims condition", async () => {
      const rules = { rules: [{ methods: ["GET"], path: "/reports/*", allow: { claims: { team: "payments" } } }] };
      const handle = middleware(rules);
      assert.equal((await handle(get(await ours.sign(ours.claims(now))))).status, 200, "ours carries team");
      const response = await handle(get(await nativeToken({ team: "payments" })));
      assert.equal(response.status, 403);
      assert.equal(forwarded.length, 1);
    });

    it("refuses a native token when its issuer is not listed, and an iss no entry names", async () => {
      // Without nativeIssuers, as before: checked with our issuer's keys, which lack the native kid.
      const unlisted = await middleware(RULES, { nativeIssuers: undefined } as unknown as Partial<MiddlewareOptions>)(
        get(await nativeToken()),
      );
      assert.equal(unlisted.status, 401);
      assert.equal(((await unlisted.json()) as { code: string }).code, "ERR_TOKEN_KEY_UNKNOWN");
      const stranger = await middleware(RULES)(get(await nativeToken({ iss: "https://native.attacker.example" })));
      assert.equal(stranger.status, 401);
      assert.equal(((await stranger.json()) as { code: string }).code, "ERR_TOKEN_ISSUER");
      assert.equal(forwarded.length, 0);
    });
  });
});
