// The optional EdgeMiddleware component under Pulumi mocks: its script carries the bindings the
// Worker reads, its route points at that script, and a bad argument (a broken rules document
// above all) declares nothing and names the argument and the fix.

import assert from "node:assert/strict";
import type {
  EdgeMiddlewareArgs,
  EdgeMiddleware as EdgeMiddlewareClass,
} from "../../infra/cloudflare/edge-middleware.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { readMiddlewareConfig } from "../../worker/middleware/config.js";
import { settled } from "../support/fakes/settled.js";
import { installMocks, recorded, resolved } from "../support/pulumi-mocks.js";
import { AWS_AUDIENCE, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const ROUTE = "cloudflare:index/workersRoute:WorkersRoute";
const RULES = {
  rules: [
    { methods: ["GET"], path: "/health", public: true },
    { methods: "*", path: "/reports/*", allow: { workloads: ["edge-api"], audiences: ["https://api.example.com"] } },
  ],
};
const ARGS: EdgeMiddlewareArgs = {
  accountId: ACCOUNT,
  scriptName: "api-gateway",
  issuerUrl: "https://id.example.com",
  audiences: ["https://api.example.com"],
  rules: RULES,
  origin: "api-backend",
  issuerScriptName: "worker-identity",
  route: { pattern: "api.example.com/*", zoneId: "zone-123" },
  bundle: "export default {}",
};

interface Binding {
  readonly type: string;
  readonly name: string;
  readonly text?: string;
  readonly service?: string;
}

let EdgeMiddleware: typeof EdgeMiddlewareClass;

async function build(name: string, args: EdgeMiddlewareArgs) {
  const component = new EdgeMiddleware(name, args);
  await resolved(component.script.scriptName);
  await resolved(component.route.urn);
  await settled();
  const own = recorded.filter((r) => r.name.startsWith(`${name}-`));
  return { component, own, of: (type: string) => own.filter((r) => r.type === type) };
}

describe("EdgeMiddleware component (Pulumi mocks)", () => {
  before(async () => {
    installMocks("worker-identity", "prod");
    ({ EdgeMiddleware } = await import("../../infra/cloudflare/edge-middleware.js"));
  });

  it("deploys the middleware script with its text and service bindings, and a route to it", async () => {
    const { component, own, of } = await build("gateway", ARGS);
    assert.deepEqual(own.map((r) => r.type).sort(), [ROUTE, SCRIPT]);
    const script = of(SCRIPT)[0]!.inputs;
    assert.equal(script.accountId, ACCOUNT);
    assert.equal(script.scriptName, "api-gateway");
    assert.equal(script.mainModule, "middleware.js");
    assert.equal(script.content, "export default {}");
    const bindings = new Map((script.bindings as Binding[]).map((b) => [b.name, b]));
    assert.deepEqual([...bindings.keys()].sort(), ["AUDIENCES", "ISSUER", "ISSUER_URL", "ORIGIN", "RULES"]);
    assert.deepEqual(bindings.get("ISSUER"), { type: "service", name: "ISSUER", service: "worker-identity" });
    assert.deepEqual(bindings.get("ORIGIN"), { type: "service", name: "ORIGIN", service: "api-backend" });
    // What the Worker will read at startup is exactly what it validates.
    const text = Object.fromEntries(
      [...bindings.values()].filter((b) => b.type === "plain_text").map((b) => [b.name, b.text]),
    );
    const config = readMiddlewareConfig(text, { issuer: true, origin: true });
    assert.equal(config.issuerUrl, "https://id.example.com");
    assert.deepEqual(JSON.parse(text.RULES!), RULES);

    const route = of(ROUTE)[0]!.inputs;
    assert.deepEqual(route, { zoneId: "zone-123", pattern: "api.example.com/*", script: "api-gateway" });
    assert.equal(component.scriptName, "api-gateway");
    const urn = await resolved(component.script.urn);
    assert.match(
      String(urn),
      /worker-identity:cloudflare:EdgeMiddleware\$cloudflare:index\/workersScript:WorkersScript::gateway-script$/,
    );
  });

  it("forwards to an origin URL, without an ISSUER binding, keeping Authorization when asked", async () => {
    const { issuerScriptName: _, ...rest } = ARGS;
    const { of } = await build("by-url", {
      ...rest,
      origin: "https://backend.example.com",
      forwardAuthorization: true,
    });
    const bindings = new Map(((of(SCRIPT)[0]!.inputs.bindings as Binding[]) ?? []).map((b) => [b.name, b]));
    assert.equal(bindings.get("ORIGIN_URL")?.text, "https://backend.example.com");
    assert.equal(bindings.get("FORWARD_AUTHORIZATION")?.text, "true");
    assert.equal(bindings.has("ORIGIN"), false);
    assert.equal(bindings.has("ISSUER"), false);
  });

  it("trusts the native issuers of the stack's workloads, mapping each native subject to its workload", async () => {
    const native = {
      issuer: "https://oidc.cloudflare.example",
      subject: "cf:worker:0f1e2d3c",
      audiences: [AWS_AUDIENCE],
    };
    const raw = rawStackConfig();
    const workloads = structuredClone(raw["worker-identity:workloads"]) as Record<string, Record<string, unknown>>;
    workloads["ledger-sync"]!.native = native;
    const config = validateStackConfig(
      { ...raw, "worker-identity:workloads": workloads },
      { project: PROJECT, stack: STACK },
    );
    const textOf = async (name: string, args: EdgeMiddlewareArgs) =>
      new Map(((await build(name, args)).of(SCRIPT)[0]!.inputs.bindings as Binding[]).map((b) => [b.name, b.text]));
    const trusted = JSON.parse(
      (await textOf("native", { ...ARGS, workloads: config.workloads })).get("NATIVE_ISSUERS") ?? "[]",
    );
    assert.deepEqual(trusted, [
      { issuer: native.issuer, audiences: ARGS.audiences, subjects: { [native.subject]: "ledger-sync" } },
    ]);
    assert.equal((await textOf("no-native", ARGS)).has("NATIVE_ISSUERS"), false);
  });

  it("tells the middleware to read Cloudflare's client certificates only when asked", async () => {
    const textOf = async (name: string, args: EdgeMiddlewareArgs) =>
      new Map(((await build(name, args)).of(SCRIPT)[0]!.inputs.bindings as Binding[]).map((b) => [b.name, b.text]));
    assert.equal(
      (await textOf("certs-edge", { ...ARGS, clientCertificates: "cloudflare-edge" })).get("CLIENT_CERTIFICATES"),
      "cloudflare-edge",
    );
    for (const [name, args] of [
      ["certs-none", { ...ARGS, clientCertificates: "none" as const }],
      ["certs-default", ARGS],
    ] as const) {
      assert.equal((await textOf(name, args)).has("CLIENT_CERTIFICATES"), false, name);
    }
  });

  const refusals: [string, Partial<EdgeMiddlewareArgs>, RegExp][] = [
    [
      "a broken rules document",
      { rules: { rules: [{ methods: ["FETCH"], path: "/x", allow: "authenticated" }] } },
      /rules \(RULES\) invalid rules document .*\n.*\$\.rules\[0\]\.methods\[0\]/,
    ],
    [
      "a rule audience the middleware does not accept",
      { audiences: ["https://other.example.com"] },
      /missing from AUDIENCES/,
    ],
    ["an issuer URL that is not https", { issuerUrl: "http://id.example.com" }, /issuerUrl \(ISSUER_URL\)/],
    ["no audiences", { audiences: [] }, /audiences \(AUDIENCES\) must be a JSON array/],
    [
      "an origin that is neither a URL nor a script",
      { origin: "Backend Service" },
      /origin must be an https URL or a Worker script name/,
    ],
    ["an origin URL with a path", { origin: "https://backend.example.com/v1" }, /origin \(ORIGIN_URL\)/],
    ["the middleware as its own origin", { origin: "api-gateway" }, /names the middleware itself/],
    ["a bad script name", { scriptName: "API Gateway" }, /scriptName "API Gateway" is not a valid Worker script name/],
    [
      "a route with a scheme",
      { route: { pattern: "https://api.example.com/*", zoneId: "z" } },
      /route\.pattern must be a Workers route/,
    ],
    [
      "rules over Cloudflare's 5 KB text binding limit",
      {
        rules: {
          rules: Array.from({ length: 120 }, (_, i) => ({
            methods: ["GET"],
            path: `/reports/${"r".repeat(20)}${i}`,
            allow: "authenticated",
          })),
        },
      },
      /RULES is \d+ bytes; Cloudflare allows 5120/,
    ],
  ];
  for (const [name, change, message] of refusals) {
    it(`refuses ${name} and declares nothing`, () => {
      const before = recorded.length;
      assert.throws(
        () => new EdgeMiddleware(`bad-${name.replace(/\W+/g, "-")}`, { ...ARGS, ...change }),
        (error: TypeError) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          return true;
        },
      );
      assert.equal(recorded.length, before);
    });
  }
});
