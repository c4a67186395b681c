// The pack as a whole: its policies' shape, the resources the program declares for
// Pulumi.dev.yaml (under mocks) passing every policy, and the unsafe corpus refused, each
// configuration by the policy meant for it, and skipped while its deciding input is unknown.

import assert from "node:assert/strict";
import { stackProviderViolations } from "../../policies/gcp/provider-trusts-stack-issuer.js";
import { policies, stackPolicies } from "../../policies/pack.js";
import { engineConfig, runProgram } from "../support/dev-stack.js";
import { recorded } from "../support/pulumi-mocks.js";
import { NOT_APPLICABLE, runPack, runPolicy, type TestResource, UNKNOWN_DURING_PREVIEW } from "./harness.js";
import { unsafeCorpus } from "./unsafe-corpus.js";

describe("the worker-identity policy pack", function () {
  this.timeout(60_000);

  it("has one mandatory, described, kebab-case policy per rule", () => {
    assert.equal(policies.length, 18);
    assert.equal(stackPolicies.length, 5);
    const all = [...policies, ...stackPolicies];
    assert.equal(new Set(all.map((p) => p.name)).size, all.length);
    for (const each of all) {
      assert.match(each.name, /^(aws|gcp|cloudflare|azure|vault)(-[a-z0-9]+)+$/);
      assert.equal(each.enforcementLevel, "mandatory", each.name);
      assert.ok(each.description.length > 20, each.name);
      assert.ok(
        !("enforcementLevel" in (each.configSchema?.properties ?? {})),
        `${each.name} must not declare enforcementLevel`,
      );
    }
  });

  describe("on the resources the program declares for Pulumi.dev.yaml", () => {
    let resources: TestResource[];
    before(async () => {
      await runProgram(engineConfig());
      resources = recorded.map(({ type, inputs }) => ({ type, props: inputs }));
    });

    it("every policy passes every resource", async () => {
      assert.ok(resources.length > 0, "the program declared no resources");
      for (const resource of resources) {
        const reported = await runPack(resource);
        assert.deepEqual(Object.fromEntries(reported), {}, `${resource.type} is refused`);
      }
    });

    it("every policy applies to some resource the program declares (none passes by never looking)", async () => {
      for (const each of policies) {
        let applied = 0;
        for (const resource of resources) {
          if ((await runPolicy(each, resource)) !== NOT_APPLICABLE) applied++;
        }
        assert.ok(applied > 0, `${each.name} applied to no resource`);
      }
    });

    it("the stack policies pass the whole stack, and recognise its issuer when its provider loses the condition", () => {
      assert.deepEqual([...stackProviderViolations(resources)], []);
      const providerIndex = resources.findIndex(
        (r) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      );
      assert.ok(providerIndex >= 0, "the dev stack declares a pool provider");
      const edited = resources.map((resource, index) =>
        index !== providerIndex
          ? resource
          : {
              type: resource.type,
              props: {
                ...resource.props,
                attributeMapping: { "google.subject": "assertion.sub" },
                attributeCondition: undefined,
              },
            },
      );
      const found = stackProviderViolations(edited);
      assert.deepEqual([...found.keys()], [providerIndex]);
      assert.match(found.get(providerIndex)![0]!, /no attributeCondition.*is this stack's worker-identity issuer/);
    });
  });

  describe("on hand-written unsafe configurations", () => {
    it("has at least 15 of them, covering every policy", () => {
      assert.ok(unsafeCorpus.length >= 15);
      assert.deepEqual(new Set(unsafeCorpus.map((entry) => entry.refusedBy)), new Set(policies.map((p) => p.name)));
    });

    for (const entry of unsafeCorpus) {
      it(`${entry.refusedBy} refuses: ${entry.why}`, async () => {
        const reported = await runPack(entry.resource);
        assert.deepEqual([...reported.keys()], [entry.refusedBy], JSON.stringify(Object.fromEntries(reported)));
      });
    }

    it("skips each of them while its deciding input is unknown (preview), reporting nothing", async () => {
      for (const entry of unsafeCorpus) {
        const previewed = {
          type: entry.resource.type,
          props: { ...entry.resource.props, [entry.decidedBy]: UNKNOWN_DURING_PREVIEW },
        };
        const reported = await runPack(previewed);
        assert.deepEqual(Object.fromEntries(reported), {}, entry.why);
      }
    });
  });
});
