// The Vault policies: the program's own mount and roles pass (built with the program's builders
// on the dev stack, and as the dev stack's deploy declares them); each hand-written unsafe
// configuration is refused by its policy and by no other policy of the pack, and skipped while
// its deciding input is unknown; over the whole stack, mounts trust the stack's issuer and roles
// name subjects the stack registers.

import assert from "node:assert/strict";
import { vaultPolicies, vaultStackPolicies } from "../../../policies/vault/index.js";
import { vaultRegisteredSubjectViolations } from "../../../policies/vault/registered-subjects.js";
import { dev, engineConfig, runProgram } from "../../support/dev-stack.js";
import { TYPE } from "../../support/fakes/types.js";
import { recorded } from "../../support/pulumi-mocks.js";
import { issuerScript } from "../fixtures.js";
import { runPack, type TestResource, UNKNOWN_DURING_PREVIEW } from "../harness.js";
import { ACCOUNT, DEV_ISSUER, DEV_SUBJECT, jwtBackend, jwtRole, vaultUnsafeCorpus } from "./unsafe-corpus.js";

const VAULT_NAMES = vaultPolicies.map((p) => p.name);

describe("Vault policies", function () {
  this.timeout(120_000);
  let deployed: TestResource[];

  before(async () => {
    await runProgram(engineConfig());
    deployed = recorded.map((r) => ({ type: r.type, props: r.inputs }));
  });

  it("the dev stack's Vault mount and role pass every policy of the pack", async () => {
    const vault = deployed.filter((r) => r.type === TYPE.vaultJwtBackend || r.type === TYPE.vaultJwtRole);
    assert.equal(vault.length, 2, "one mount and secrets-sync's role");
    for (const resource of vault) {
      const reported = await runPack(resource);
      assert.deepEqual(Object.fromEntries(reported), {}, resource.type);
    }
  });

  it("the hand-written safe role and mount pass", async () => {
    assert.deepEqual(Object.fromEntries(await runPack(jwtRole())), {});
    assert.deepEqual(Object.fromEntries(await runPack(jwtBackend())), {});
  });

  it("an oidc role (a browser login, not federation) is not judged", async () => {
    assert.deepEqual(Object.fromEntries(await runPack(jwtRole({ roleType: "oidc", boundSubject: undefined }))), {});
  });

  it("the corpus covers every Vault resource policy", () => {
    assert.deepEqual(new Set(vaultUnsafeCorpus.map((e) => e.refusedBy)), new Set(VAULT_NAMES));
  });

  for (const entry of vaultUnsafeCorpus) {
    it(`${entry.refusedBy} refuses: ${entry.why}`, async () => {
      const reported = await runPack(entry.resource);
      assert.deepEqual([...reported.keys()], [entry.refusedBy], JSON.stringify(Object.fromEntries(reported)));
      for (const message of reported.get(entry.refusedBy)!)
        assert.match(message, /; (set|bind|remove)/, "names the fix");
    });
  }

  it("skips each unsafe configuration while its deciding input is unknown (preview)", async () => {
    for (const entry of vaultUnsafeCorpus) {
      const previewed = {
        type: entry.resource.type,
        props: { ...entry.resource.props, [entry.decidedBy]: UNKNOWN_DURING_PREVIEW },
      };
      assert.deepEqual(Object.fromEntries(await runPack(previewed)), {}, entry.why);
    }
  });

  describe("vault-trust-registered-subjects (the whole stack)", () => {
    it("is the pack's stack policy", () => {
      assert.deepEqual(
        vaultStackPolicies.map((p) => p.name),
        ["vault-trust-registered-subjects"],
      );
    });

    it("the dev stack passes", () => {
      assert.ok(
        deployed.some((r) => r.type === TYPE.workersScript),
        "the issuer script is in the stack",
      );
      assert.deepEqual([...vaultRegisteredSubjectViolations(deployed).values()], []);
    });

    const issuer = issuerScript({
      config: {
        "worker-identity:accountId": ACCOUNT,
        "worker-identity:issuerHostname": "id.example.dev",
        "worker-identity:workloads": JSON.stringify({ "secrets-sync": { audiences: ["https://vault.example.dev"] } }),
      },
    });
    const check = (...resources: TestResource[]) => vaultRegisteredSubjectViolations([issuer, ...resources]);

    it("a role bound to a registered subject on the stack's mount passes", () => {
      assert.deepEqual([...check(jwtBackend(), jwtRole()).values()], []);
    });

    it("refuses a role bound to a subject no workload registers (a look-alike)", () => {
      const found = check(jwtBackend(), jwtRole({ boundSubject: `${DEV_SUBJECT}-v2` }));
      assert.deepEqual([...found.keys()], [2]);
      assert.match(
        found.get(2)![0]!,
        /no workload of this stack registers for https:\/\/id\.example\.dev; bind exactly one/,
      );
    });

    it("refuses a mount trusting an issuer the stack neither runs nor registers", () => {
      const found = check(
        jwtBackend({ boundIssuer: "https://id.other.dev", oidcDiscoveryUrl: "https://id.other.dev" }),
      );
      assert.deepEqual([...found.keys()], [1]);
      assert.match(
        found.get(1)![0]!,
        /trusts https:\/\/id\.other\.dev, an issuer this stack neither runs nor registers/,
      );
    });

    it("matches roles to their mount by path and namespace", () => {
      const otherMount = jwtRole({ backend: "elsewhere", boundSubject: "worker/x/y" });
      assert.deepEqual(
        [...check(jwtBackend(), otherMount).values()],
        [],
        "a mount the stack does not declare is not judged",
      );
      const inNamespace = check(
        jwtBackend({ namespace: "admin" }),
        jwtRole({ namespace: "admin", boundSubject: "worker/x/y" }),
      );
      assert.deepEqual([...inNamespace.keys()], [2]);
    });

    it("without an issuer script in the stack, judges nothing", () => {
      assert.deepEqual(
        [...vaultRegisteredSubjectViolations([jwtRole({ boundSubject: "worker/x/y" }), jwtBackend()]).values()],
        [],
      );
    });

    it("the stack's issuer URL matches with a trailing slash", () => {
      assert.deepEqual(
        [
          ...check(
            jwtBackend({ boundIssuer: `${DEV_ISSUER}/`, oidcDiscoveryUrl: `${DEV_ISSUER}/` }),
            jwtRole(),
          ).values(),
        ],
        [],
      );
    });
  });

  it("Pulumi.dev.yaml is the stack these run on", () => {
    assert.equal(dev.project, "worker-identity");
  });
});
