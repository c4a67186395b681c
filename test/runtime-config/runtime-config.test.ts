// The issuer's runtime config: what the deploy computes from a validated stack (only what the
// Worker reads), and the Worker's check of its shape and version.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { checkRuntimeConfig } from "../../worker/runtime-config/check.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import {
  parseRuntimeConfig,
  runtimeConfigBanner,
  runtimeConfigOfBundle,
} from "../../worker/runtime-config/embedding.js";
import { ACCOUNT_ID, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const raw = rawStackConfig({
  "worker-identity:aws": { audience: "sts.amazonaws.com" },
  "worker-identity:introspectionClients": ["gateway"],
  "worker-identity:workflows": {
    nightly: { script: "nightly-worker", className: "Nightly", audiences: ["sts.amazonaws.com"] },
  },
});
const config = validateStackConfig(raw, { project: PROJECT, stack: STACK });
const runtime = runtimeConfigOf(config);

describe("runtimeConfigOf", () => {
  it("is version 2 and carries the issuer settings, the registry and the introspection clients", () => {
    assert.equal(runtime.version, 2);
    assert.equal(runtime.project, PROJECT);
    assert.equal(runtime.stack, STACK);
    assert.deepEqual(runtime.issuer, config.issuer);
    assert.equal(runtime.issuer.issuerUrl, "https://id.example.dev");
    assert.deepEqual(runtime.introspectionClients, ["gateway"]);
    assert.deepEqual(
      runtime.workflows.map((w) => w.name),
      ["nightly"],
    );
  });

  it("keeps of a workload only what the Worker reads", () => {
    const billing = runtime.workloads.find((w) => w.name === "billing")!;
    assert.deepEqual(Object.keys(billing).sort(), [
      "audiences",
      "awsSessionTags",
      "claims",
      "maxTokenLifetimeSeconds",
      "name",
      "subject",
      "targets",
      "tokenLifetimeSeconds",
    ]);
    assert.equal(billing.subject, `worker/${ACCOUNT_ID}/billing`);
    // Per-workload AWS roles and the entrypoint class stay out: the program and the bundle use them.
    const text = JSON.stringify(runtime);
    for (const absent of ["roleName", "entrypoint", "Workload_", "serviceAccount", "className", "nightly-worker"]) {
      assert.ok(!text.includes(absent), absent);
    }
    assert.deepEqual(Object.keys(runtime.workflows[0]!).sort(), [
      "audiences",
      "binding",
      "claims",
      "maxInstanceIdLength",
      "maxTokenLifetimeSeconds",
      "name",
      "subjectPrefix",
      "targets",
      "tokenLifetimeSeconds",
    ]);
  });

  it("names each entry's federated targets for the operator page, and only those the stack declares", () => {
    const base = rawStackConfig();
    const workloads = base["worker-identity:workloads"] as Record<string, Record<string, unknown>>;
    const withRole = validateStackConfig(
      rawStackConfig({
        "worker-identity:aws": { audience: "sts.amazonaws.com" },
        "worker-identity:workloads": {
          ...workloads,
          billing: { ...workloads.billing, aws: { roleName: "payments-billing" } },
        },
      }),
      { project: PROJECT, stack: STACK },
    );
    const runtime = runtimeConfigOf(withRole);
    const billing = runtime.workloads.find((w) => w.name === "billing")!;
    assert.deepEqual(billing.targets, [
      {
        party: "aws",
        target: "payments-billing",
        audience: "sts.amazonaws.com",
        trusts: [{ issuer: "https://id.example.dev", subject: `worker/${ACCOUNT_ID}/billing` }],
      },
    ]);
    for (const name of ["reports-exporter", "ledger-sync", "edge-api"]) {
      assert.deepEqual(runtime.workloads.find((w) => w.name === name)!.targets, [], name);
    }
  });

  it("takes the local issuer URL from the config the local stack validates", () => {
    const local = validateStackConfig(raw, { project: PROJECT, stack: STACK, localIssuerUrl: "http://127.0.0.1:8787" });
    assert.equal(runtimeConfigOf(local).issuer.issuerUrl, "http://127.0.0.1:8787");
  });
});

describe("checkRuntimeConfig (the Worker's check)", () => {
  const roundTrip = JSON.parse(JSON.stringify(runtime)) as unknown;

  it("accepts what runtimeConfigOf computes, through JSON", () => {
    assert.deepEqual(checkRuntimeConfig(roundTrip), roundTrip);
  });

  const broken: [string, (d: Record<string, unknown>) => unknown, RegExp][] = [
    [
      "not an object",
      () => [],
      /^IssuerConfigError: \[ERR_ISSUER_CONFIG\] the issuer's runtime config must be a JSON object; rebuild and redeploy the issuer with `pulumi up` \(locally: restart `npm start`\)$/,
    ],
    [
      "without a version",
      (d) => ({ ...d, version: undefined }),
      /runtime config is version undefined, but this issuer reads version 2/,
    ],
    [
      "of a later version",
      (d) => ({ ...d, version: 3 }),
      /runtime config is version 3, but this issuer reads version 2; rebuild/,
    ],
    ["without a project", (d) => ({ ...d, project: undefined }), /runtime config: project is missing \(a string\)/],
    [
      "with an unknown algorithm",
      (d) => ({ ...d, issuer: { ...(d.issuer as object), signingAlgorithm: "HS256" } }),
      /issuer\.signingAlgorithm must be "RS256" or "ES256"/,
    ],
    [
      "with a lifetime as text",
      (d) => ({ ...d, issuer: { ...(d.issuer as object), tokenLifetimeSeconds: "300" } }),
      /issuer\.tokenLifetimeSeconds must be a whole number of seconds from 60 to 43200/,
    ],
    ["with workloads not a list", (d) => ({ ...d, workloads: {} }), /runtime config: workloads must be a list/],
    [
      "with a workload without a subject",
      (d) => ({ ...d, workloads: [{ ...(d.workloads as object[])[0], subject: undefined }] }),
      /workloads\[0\]\.subject is missing \(a string\)/,
    ],
    [
      "with broken session tags",
      (d) => ({ ...d, workloads: [{ ...(d.workloads as object[])[0], awsSessionTags: { principalTags: {} } }] }),
      /workloads\[0\]\.awsSessionTags must be \{principalTags, transitiveTagKeys\}/,
    ],
    [
      "with a workflow without its binding",
      (d) => ({ ...d, workflows: [{ ...(d.workflows as object[])[0], binding: 7 }] }),
      /workflows\[0\]\.binding must be a string/,
    ],
    [
      "with introspection clients not strings",
      (d) => ({ ...d, introspectionClients: [1] }),
      /introspectionClients must be a list of strings/,
    ],
  ];
  // A hand-built document cannot widen what the issuer signs: each of these would have issued a
  // token the stack never allowed (a year-long default, another account's subject, a second entry
  // for one name, a static claim over one the issuer sets).
  const workload0 = (d: Record<string, unknown>) => (d.workloads as Record<string, unknown>[])[0]!;
  const withWorkload = (d: Record<string, unknown>, change: Record<string, unknown>) => ({
    ...d,
    workloads: [{ ...workload0(d), ...change }, ...(d.workloads as object[]).slice(1)],
  });
  broken.push(
    [
      "whose default lifetime is a year",
      (d) => ({
        ...d,
        issuer: { ...(d.issuer as object), tokenLifetimeSeconds: 31_536_000, maxTokenLifetimeSeconds: 1e9 },
      }),
      /issuer\.tokenLifetimeSeconds must be a whole number of seconds from 60 to 43200/,
    ],
    [
      "whose default lifetime is above the issuer's cap",
      (d) => ({
        ...d,
        issuer: { ...(d.issuer as object), tokenLifetimeSeconds: 7_200, maxTokenLifetimeSeconds: 3_600 },
      }),
      /issuer\.tokenLifetimeSeconds is above issuer\.maxTokenLifetimeSeconds \(3600\)/,
    ],
    [
      "with a negative rotation period",
      (d) => ({ ...d, issuer: { ...(d.issuer as object), rotationPeriodDays: -1 } }),
      /issuer\.rotationPeriodDays must be a whole number of days from 1 to 365/,
    ],
    [
      "with a clock skew of years",
      (d) => ({ ...d, issuer: { ...(d.issuer as object), clockSkewSeconds: 1e12 } }),
      /issuer\.clockSkewSeconds must be a whole number of seconds from 0 to 300/,
    ],
    [
      "with a workload cap above the issuer's",
      (d) => withWorkload(d, { maxTokenLifetimeSeconds: 43_200 }),
      /workloads\[0\]\.maxTokenLifetimeSeconds is above issuer\.maxTokenLifetimeSeconds \(3600\)/,
    ],
    [
      "with a workload default above its cap",
      (d) => withWorkload(d, { tokenLifetimeSeconds: 3_600, maxTokenLifetimeSeconds: 900 }),
      /workloads\[0\]\.tokenLifetimeSeconds is above its maxTokenLifetimeSeconds \(900\)/,
    ],
    [
      "with another account's subject",
      (d) => withWorkload(d, { subject: "worker/ffffffffffffffffffffffffffffffff/admin" }),
      new RegExp(`workloads\\[0\\]\\.subject must be "worker/${ACCOUNT_ID}/billing"`),
    ],
    [
      "naming a workload twice",
      (d) => ({ ...d, workloads: [workload0(d), workload0(d)] }),
      /workloads\[1\]\.name names the workload 'billing' a second time/,
    ],
    [
      "with a static claim over sub",
      (d) => withWorkload(d, { claims: { sub: "worker/x/admin" } }),
      /workloads\[0\]\.claims sets "sub", a claim the issuer sets itself/,
    ],
    [
      "with a workflow subject of another workflow",
      (d) => ({
        ...d,
        workflows: [{ ...(d.workflows as object[])[0], subjectPrefix: `workflow/${ACCOUNT_ID}/other/` }],
      }),
      new RegExp(`workflows\\[0\\]\\.subjectPrefix must be "workflow/${ACCOUNT_ID}/nightly/"`),
    ],
  );
  for (const [what, edit, message] of broken) {
    it(`refuses a document ${what}, naming the field and the fix`, () => {
      assert.throws(() => checkRuntimeConfig(edit(roundTrip as Record<string, unknown>)), message);
    });
  }
});

describe("the runtime config in a bundle's first line", () => {
  it("reads back what was written, a claim named __proto__ included (data, not a prototype)", () => {
    const withProto = {
      ...runtime,
      workloads: runtime.workloads.map((w) => ({
        ...w,
        claims: JSON.parse('{"__proto__":{"admin":true}}') as Record<string, never>,
      })),
    };
    const content = `${runtimeConfigBanner(JSON.stringify(withProto))}\nexport default {};\n`;
    const read = runtimeConfigOfBundle(content);
    assert.ok(Object.hasOwn(read.workloads[0]!.claims, "__proto__"));
    assert.equal(Object.getPrototypeOf(read.workloads[0]!.claims), Object.prototype);
  });

  it("refuses content that does not start with it, or whose constant is not a string literal", () => {
    assert.throws(
      () => runtimeConfigOfBundle("export default {};\n"),
      /the issuer bundle does not start with its runtime config/,
    );
    assert.throws(
      () => runtimeConfigOfBundle(`const __WID_RUNTIME_CONFIG__ = {"version":1};\n`),
      /is not a JSON string literal/,
    );
    assert.throws(() => parseRuntimeConfig("{"), /the issuer's runtime config is not JSON/);
  });
});
