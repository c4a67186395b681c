// The Azure policies on the stack the program declares for Pulumi.dev.yaml (it passes, each
// resource policy judging its FICs) and on hand-written unsafe FICs: each refused by the policy
// meant for it and by no other policy of the pack, skipped while its deciding input is unknown;
// the stack policy refusing every look-alike subject and issuer beside the dev stack.

import assert from "node:assert/strict";
import { azurePolicies, azureStackPolicies } from "../../../policies/azure/index.js";
import { azureRegisteredSubjectViolations } from "../../../policies/azure/registered-subjects.js";
import { UNKNOWN } from "../../../policies/inputs.js";
import { policies, stackPolicies } from "../../../policies/pack.js";
import { engineConfig, runProgram } from "../../support/dev-stack.js";
import { recorded } from "../../support/pulumi-mocks.js";
import { NOT_APPLICABLE, runPack, runPolicy, type TestResource, UNKNOWN_DURING_PREVIEW } from "../harness.js";
import {
  applicationFic,
  azureUnsafeCorpus,
  azureUnsafeStackCorpus,
  DEV_ISSUER,
  DEV_SUBJECT,
  managedIdentityFic,
} from "./unsafe-corpus.js";

const stackMessages = (resources: readonly TestResource[]) =>
  [...azureRegisteredSubjectViolations(resources).values()].flat();

describe("the Azure policies", function () {
  this.timeout(60_000);
  let resources: TestResource[];

  before(async () => {
    await runProgram(engineConfig());
    resources = recorded.map(({ type, inputs }) => ({ type, props: inputs }));
  });

  it("are in the pack, mandatory, described and named azure-*", () => {
    for (const each of [...azurePolicies, ...azureStackPolicies]) {
      assert.ok([...policies, ...stackPolicies].includes(each as never), each.name);
      assert.match(each.name, /^azure(-[a-z0-9]+)+$/);
      assert.equal(each.enforcementLevel, "mandatory");
      assert.ok(each.description.length > 20);
    }
  });

  it("pass the dev stack's FICs, which the FIC policies judge (none passes by never looking)", async () => {
    const fics = resources.filter((r) => r.type.includes("FederatedIdentityCredential"));
    assert.deepEqual(
      fics.map((f) => [f.props.issuer, f.props.subject, f.props.audiences]),
      [[DEV_ISSUER, DEV_SUBJECT, ["api://AzureADTokenExchange"]]],
    );
    for (const resource of resources) {
      const reported = await runPack(resource);
      assert.deepEqual(Object.fromEntries(reported), {}, `${resource.type} is refused`);
    }
    for (const each of azurePolicies) {
      assert.notEqual(await runPolicy(each, fics[0]!), NOT_APPLICABLE, each.name);
      assert.notEqual(
        await runPolicy(each, managedIdentityFic()),
        NOT_APPLICABLE,
        `${each.name} on a managed identity`,
      );
    }
    assert.deepEqual(stackMessages(resources), []);
    assert.deepEqual(
      stackMessages([...resources, managedIdentityFic(), applicationFic()]),
      [],
      "hand-written exact FICs pass",
    );
  });

  describe("on hand-written unsafe FICs", () => {
    it("covers every Azure resource policy", () => {
      assert.deepEqual(new Set(azureUnsafeCorpus.map((e) => e.refusedBy)), new Set(azurePolicies.map((p) => p.name)));
    });

    for (const entry of azureUnsafeCorpus) {
      it(`${entry.refusedBy} refuses: ${entry.why}`, async () => {
        const reported = await runPack(entry.resource);
        assert.deepEqual([...reported.keys()], [entry.refusedBy], JSON.stringify(Object.fromEntries(reported)));
      });
    }

    it("skips each while its deciding input is unknown (preview)", async () => {
      for (const entry of azureUnsafeCorpus) {
        const previewed = {
          type: entry.resource.type,
          props: { ...entry.resource.props, [entry.decidedBy]: UNKNOWN_DURING_PREVIEW },
        };
        assert.deepEqual(Object.fromEntries(await runPack(previewed)), {}, entry.why);
      }
    });

    it("names the fix", async () => {
      const [audience, , , , wildcard, , , flexible] = azureUnsafeCorpus;
      assert.match(
        [...(await runPack(audience!.resource)).values()].flat()[0]!,
        /set audiences to \["api:\/\/AzureADTokenExchange"\]/,
      );
      assert.match([...(await runPack(wildcard!.resource)).values()].flat()[0]!, /its own FIC with its exact subject/);
      assert.match(
        [...(await runPack(flexible!.resource)).values()].flat()[0]!,
        /only for GitHub, GitLab and Terraform Cloud.*one ApplicationFederatedIdentityCredential per workload/,
      );
    });

    it("a flexible FIC for GitHub Actions is Entra's documented case, and passes", async () => {
      const github = {
        type: "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential",
        props: {
          issuer: "https://token.actions.githubusercontent.com",
          audience: "api://AzureADTokenExchange",
          claimsMatchingExpression: "claims['sub'] matches 'repo:contoso/*'",
        },
      };
      assert.deepEqual(Object.fromEntries(await runPack(github)), {});
    });
  });

  describe("the stack policy beside the dev stack", () => {
    for (const entry of azureUnsafeStackCorpus) {
      it(`${entry.refusedBy} refuses: ${entry.why}`, () => {
        const all = [...resources, ...entry.added];
        const found = azureRegisteredSubjectViolations(all);
        assert.deepEqual([...found.keys()], [resources.length], JSON.stringify([...found]));
      });
    }

    it("names the exact issuer as the fix for a look-alike one, and the registered subjects' rule", () => {
      const [slash] = azureUnsafeStackCorpus.filter((e) => e.why.includes("trailing slash (Entra"));
      assert.match(
        stackMessages([...resources, ...slash!.added])[0]!,
        /Entra compares it exactly: write issuer "https:\/\/id\.example\.dev"/,
      );
      assert.match(
        stackMessages([...resources, applicationFic({ subject: "worker/x/y" })])[0]!,
        /no workload of this stack registers .*trust exactly one registered workload's subject/,
      );
    });

    it("judges nothing while an issuer script's content is unknown, or without an issuer script", () => {
      const previewed = resources.map((r) =>
        r.type === "cloudflare:index/workersScript:WorkersScript"
          ? { ...r, props: { ...r.props, content: UNKNOWN } }
          : r,
      );
      const noScript = resources.filter((r) => r.type !== "cloudflare:index/workersScript:WorkersScript");
      for (const entry of azureUnsafeStackCorpus) {
        assert.deepEqual(stackMessages([...previewed, ...entry.added]), [], entry.why);
        assert.deepEqual(stackMessages([...noScript, ...entry.added]), [], entry.why);
      }
    });
  });
});
