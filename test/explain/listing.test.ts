// The reverse question, `wid explain --workload <name>`: every target a workload or workflow of
// the dev stack can reach, each admitting the identity's own token for the audience it requires;
// and across the whole stack, no identity's token (for any of its audiences) reaches a target of
// another. Names that are no target, and unknown identities, fail naming what exists.

import assert from "node:assert/strict";
import type { StackConfig } from "../../worker/config/types.js";
import {
  AudienceNotAllowedError,
  ExplainLookupError,
  mintedClaims,
  type Owner,
  ownerNamed,
  printedTargetsOf,
  resolveTarget,
  targetsOf,
} from "../../worker/explain/stack.js";
import { AWS_ACCOUNT, devStack, nativeStack } from "./stacks.js";

const NOW = 1_800_000_000;

function owners(config: StackConfig): Owner[] {
  return [
    ...config.workloads.map((entry): Owner => ({ kind: "workload", entry })),
    ...config.workflows.map((entry): Owner => ({ kind: "workflow", entry })),
  ];
}

describe("wid explain --workload: what an identity reaches, and why", () => {
  const config = devStack();

  it("lists the dev stack's targets per identity, each admitting the identity's own token", () => {
    const listed = Object.fromEntries(
      owners(config).map((owner) => [
        owner.entry.name,
        targetsOf(config, owner, { awsAccount: AWS_ACCOUNT }).map((target) => {
          const explained = target.explain(mintedClaims(config, owner, target.audience, NOW));
          assert.equal(explained.allowed, true, `${owner.entry.name} on ${target.target}: ${explained.failing?.name}`);
          return `${target.party} ${target.target}`;
        }),
      ]),
    );
    assert.deepEqual(listed, {
      billing: [
        "aws arn:aws:iam::111122223333:role/wid-billing",
        "gcp wid-billing@example-identity-dev.iam.gserviceaccount.com",
      ],
      "reports-exporter": ["gcp reports@example-identity-dev.iam.gserviceaccount.com"],
      "ledger-sync": ["aws arn:aws:iam::111122223333:role/wid-ledger-sync"],
      "edge-api": [],
      "inventory-sync": ["azure application wid-inventory-sync"],
      "secrets-sync": ["vault worker-identity/role/wid-secrets-sync"],
      "support-agent": [],
      "search-indexer": [],
      "nightly-export": ["aws arn:aws:iam::111122223333:role/wid-nightly-export"],
    });
    assert.deepEqual(
      printedTargetsOf(config, ownerNamed(config, "support-agent")).map((t) => t.party),
      ["anthropic"],
    );
  });

  for (const [name, stack] of [
    ["the dev stack", devStack],
    ["the dev stack with native tokens", nativeStack],
  ] as const) {
    it(`on ${name}, no identity's token for any of its audiences reaches another's target`, () => {
      const config = stack();
      const targets = owners(config).flatMap((owner) => targetsOf(config, owner, { awsAccount: AWS_ACCOUNT }));
      assert.ok(targets.length >= 6);
      let reached = 0;
      for (const owner of owners(config)) {
        for (const audience of owner.entry.audiences) {
          const claims = mintedClaims(config, owner, audience, NOW);
          for (const target of targets) {
            const own = target.owner.entry.name === owner.entry.name && target.owner.kind === owner.kind;
            const allowed = target.explain(claims).allowed;
            assert.equal(
              allowed,
              own && audience === target.audience,
              `${owner.entry.name} (${audience}) on ${target.target}`,
            );
            if (allowed) reached++;
          }
        }
      }
      assert.equal(reached, targets.length, "each target admits exactly its own identity's token");
    });
  }

  it("a name that is no target fails with unknown_target, listing the stack's targets", () => {
    for (const [name, message] of [
      [
        "arn:aws:iam::111122223333:role/wid-payroll",
        /no workload or workflow of stack dev has the role wid-payroll; give one of its roles: arn:aws:iam::<account>:role\/wid-billing \(billing\)/,
      ],
      ["arn:aws:iam::role/wid-billing", /is not an IAM role ARN/],
      [
        "nobody@example-identity-dev.iam.gserviceaccount.com",
        /impersonates nobody@.*: wid-billing@example-identity-dev\.iam\.gserviceaccount\.com \(billing\)/,
      ],
      [
        "wid-payroll",
        /stack dev declares no target wid-payroll; give a role ARN, a service account email, an Entra application or a Vault role: .*worker-identity\/role\/wid-secrets-sync \(secrets-sync\)/,
      ],
    ] as const) {
      assert.throws(
        () => resolveTarget(config, name),
        (error) =>
          error instanceof ExplainLookupError && error.code === "unknown_target" && message.test(error.message),
        name,
      );
    }
  });

  it("an unknown identity fails with unknown_workload, and an audience it lacks is the issuer's refusal", () => {
    assert.throws(
      () => ownerNamed(config, "billings", "workload"),
      (error) =>
        error instanceof ExplainLookupError &&
        error.code === "unknown_workload" &&
        /no workload 'billings' \(its workloads: billing, /.test(error.message),
    );
    assert.throws(
      () => mintedClaims(config, ownerNamed(config, "ledger-sync"), "https://vault.example.dev", NOW),
      (error) =>
        error instanceof AudienceNotAllowedError &&
        /its audiences are sts\.amazonaws\.com; add https:\/\/vault\.example\.dev to workloads\.ledger-sync\.audiences/.test(
          error.message,
        ),
    );
  });
});
