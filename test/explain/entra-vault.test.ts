// Entra ID's FICs and Vault's JWT role on the dev stack, built by the program's builders: wrong
// workload, audience, account and issuer each fail on the FIC's or the role's condition that
// refuses them (Entra: issuer, subject, audiences, exact and case-sensitive; Vault: bound_issuer,
// bound_audiences, bound_subject, bound_claims), with the stack's hint.

import assert from "node:assert/strict";
import { hintFor } from "../../worker/explain/hint.js";
import { mintedClaims, ownerNamed, resolveTarget } from "../../worker/explain/stack.js";
import { ACCOUNT, AWS_AUDIENCE, devStack } from "./stacks.js";

const NOW = 1_800_000_000;
const EXCHANGE = "api://AzureADTokenExchange";
const VAULT_AUDIENCE = "https://vault.example.dev";

describe("explainEntraTrust on inventory-sync's application", () => {
  const config = devStack();
  const inventory = ownerNamed(config, "inventory-sync");
  const own = mintedClaims(config, inventory, EXCHANGE, NOW);
  const target = resolveTarget(config, "wid-inventory-sync");

  it("resolves the application by its display name or `application <name>`, and admits its own token", () => {
    assert.equal(target.party, "azure");
    assert.equal(resolveTarget(config, "application wid-inventory-sync").target, "application wid-inventory-sync");
    const explained = target.explain(own);
    assert.equal(explained.allowed, true);
    assert.deepEqual(
      explained.conditions.map((c) => [c.name, c.requires]),
      [
        ["issuer", "https://id.example.dev"],
        ["subject", `worker/${ACCOUNT}/inventory-sync`],
        ["audiences", EXCHANGE],
      ],
    );
  });

  it("wrong workload, audience, account and issuer: each named", () => {
    const billing = mintedClaims(config, ownerNamed(config, "billing"), AWS_AUDIENCE, NOW);
    const cases = [
      [
        "another workload's token",
        { ...billing, aud: EXCHANGE },
        "subject",
        /^sub is worker\/.*\/billing: this Entra identity trusts only inventory-sync; use the token of inventory-sync \(billing has no Entra identity/,
      ],
      [
        "its token for another audience",
        { ...own, aud: AWS_AUDIENCE },
        "audiences",
        /^aud is sts\.amazonaws\.com: this Entra identity requires api:\/\/AzureADTokenExchange/,
      ],
      [
        "the audience in lower case",
        { ...own, aud: EXCHANGE.toLowerCase() },
        "audiences",
        /^aud is api:\/\/azureadtokenexchange/,
      ],
      [
        "another Cloudflare account's Worker",
        { ...own, sub: `worker/${"f".repeat(32)}/inventory-sync` },
        "subject",
        /^the token is of Cloudflare account f{32}/,
      ],
      [
        "the subject in capitals",
        { ...own, sub: String(own.sub).toUpperCase() },
        "subject",
        /which no workload or workflow of stack dev has/,
      ],
      [
        "another issuer",
        { ...own, iss: "https://id.example.dev/" },
        "issuer",
        /^iss is https:\/\/id\.example\.dev\/: this Entra identity trusts tokens of https:\/\/id\.example\.dev;/,
      ],
    ] as const;
    for (const [what, claims, failing, hint] of cases) {
      const explained = target.explain(claims);
      assert.equal(explained.failing?.name, failing, what);
      assert.match(hintFor(config, target, explained, claims) ?? "", hint, what);
    }
  });
});

describe("explainVaultTrust on secrets-sync's role", () => {
  const config = devStack();
  const secrets = ownerNamed(config, "secrets-sync");
  const own = mintedClaims(config, secrets, VAULT_AUDIENCE, NOW);
  const target = resolveTarget(config, "worker-identity/role/wid-secrets-sync");

  it("resolves the role by <mount>/role/<name> or its name, and logs its own token in", () => {
    assert.equal(resolveTarget(config, "wid-secrets-sync").target, "worker-identity/role/wid-secrets-sync");
    const explained = target.explain(own);
    assert.equal(explained.allowed, true);
    assert.deepEqual(
      explained.conditions.map((c) => c.name),
      [
        "bound_issuer",
        "bound_audiences",
        "bound_subject",
        "user_claim",
        "bound_claims.account_id",
        "bound_claims.worker",
      ],
    );
  });

  it("wrong workload, audience, account and issuer: each named", () => {
    const billing = mintedClaims(config, ownerNamed(config, "billing"), AWS_AUDIENCE, NOW);
    const other = "f".repeat(32);
    const cases = [
      [
        "another workload's token for Vault",
        { ...billing, aud: VAULT_AUDIENCE },
        "bound_subject",
        /trusts only secrets-sync; use the token of secrets-sync/,
      ],
      [
        "its token with a trailing slash on aud",
        { ...own, aud: `${VAULT_AUDIENCE}/` },
        "bound_audiences",
        /^aud is https:\/\/vault\.example\.dev\/: this Vault role requires https:\/\/vault\.example\.dev;/,
      ],
      [
        "another account's secrets-sync",
        { ...own, sub: `worker/${other}/secrets-sync`, account_id: other },
        "bound_subject",
        /Cloudflare account f{32}/,
      ],
      ["only account_id changed", { ...own, account_id: other }, "bound_claims.account_id", /Cloudflare account f{32}/],
      [
        "another issuer",
        { ...own, iss: "https://id.example.dev/" },
        "bound_issuer",
        /^iss is https:\/\/id\.example\.dev\/:/,
      ],
    ] as const;
    for (const [what, claims, failing, hint] of cases) {
      const explained = target.explain(claims);
      assert.equal(explained.failing?.name, failing, what);
      assert.match(hintFor(config, target, explained, claims) ?? "", hint, what);
    }
    assert.equal(
      target.explain({ ...own, aud: ["https://other.example", VAULT_AUDIENCE] }).allowed,
      true,
      "aud as a list: any match",
    );
  });
});
