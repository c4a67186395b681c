// explainGcpTrust on the dev stack's pool and service accounts, built by the program's builders:
// wrong-workload, wrong-audience, wrong-account and wrong-issuer tokens each fail on the step of
// GCP's federation that refuses them (the service account's grant, the provider's audiences, the
// attribute condition, the provider's issuer), with the stack's hint; workflows through their
// principalSet; native tokens through their own provider.

import assert from "node:assert/strict";
import type { Owner } from "../../worker/explain/documents.js";
import { hintFor } from "../../worker/explain/hint.js";
import { mintedClaims, ownerNamed, resolveTarget } from "../../worker/explain/stack.js";
import {
  ACCOUNT,
  AWS_AUDIENCE,
  devStack,
  GCP_AUDIENCE,
  NATIVE,
  NATIVE_ISSUER,
  nativeStack,
  workflowGcpStack,
} from "./stacks.js";

const NOW = 1_800_000_000;
const BILLING_SA = "wid-billing@example-identity-dev.iam.gserviceaccount.com";
const REPORTS_SA = "reports@example-identity-dev.iam.gserviceaccount.com";
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/worker-identity";

describe("explainGcpTrust on the dev stack's service accounts", () => {
  const config = devStack();
  const billing = ownerNamed(config, "billing");
  const claims = (owner: Owner, audience = GCP_AUDIENCE) => mintedClaims(config, owner, audience, NOW);

  it("allows billing's own token on its service account, through the provider, mapping, condition and grant", () => {
    const explained = resolveTarget(config, BILLING_SA).explain(claims(billing));
    assert.equal(explained.allowed, true, JSON.stringify(explained.failing));
    assert.equal(explained.document, "provider worker-identity");
    const byName = Object.fromEntries(explained.conditions.map((c) => [c.name, c]));
    assert.equal(byName["oidc.issuerUri"]?.carries, "https://id.example.dev");
    assert.equal(byName["attributeMapping google.subject"]?.carries, `worker/${ACCOUNT}/billing`);
    assert.equal(byName["attributeMapping attribute.worker"]?.carries, "billing");
    assert.equal(byName.attributeCondition?.requires, `assertion.account_id == "${ACCOUNT}"`);
    assert.equal(byName.attributeCondition?.carries, "true");
    assert.equal(
      byName[`roles/iam.workloadIdentityUser on ${BILLING_SA}`]?.requires,
      `principal://iam.googleapis.com/${POOL}/subject/worker/${ACCOUNT}/billing`,
    );
  });

  it("wrong workload: billing's token on reports-exporter's account fails on the grant, and the hint names both", () => {
    const target = resolveTarget(config, REPORTS_SA);
    const token = claims(billing);
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, `roles/iam.workloadIdentityUser on ${REPORTS_SA}`);
    assert.deepEqual(
      explained.conditions.filter((c) => !c.passed).map((c) => c.name),
      [`roles/iam.workloadIdentityUser on ${REPORTS_SA}`],
      "the provider admits it: only the grant refuses",
    );
    assert.equal(
      hintFor(config, target, explained, token),
      `sub is worker/${ACCOUNT}/billing: this service account trusts only reports-exporter; use the token of ` +
        `reports-exporter, or the service account of billing: ${BILLING_SA}`,
    );
  });

  it("wrong audience: billing's AWS token fails on the provider's allowed audiences", () => {
    const target = resolveTarget(config, BILLING_SA);
    const token = claims(billing, AWS_AUDIENCE);
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "oidc.allowedAudiences");
    assert.equal(explained.failing?.carries, AWS_AUDIENCE);
    assert.match(
      hintFor(config, target, explained, token)!,
      /^aud is sts\.amazonaws\.com: this service account requires \/\/iam\.googleapis\.com\/projects\/123456789012/,
    );
  });

  it("wrong account: another Cloudflare account's token fails on the attribute condition first", () => {
    const target = resolveTarget(config, BILLING_SA);
    const other = "f".repeat(32);
    const token = { ...claims(billing), account_id: other, sub: `worker/${other}/billing` };
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "attributeCondition");
    assert.equal(explained.failing?.carries, "false");
    assert.match(
      hintFor(config, target, explained, token)!,
      new RegExp(`^the token is of Cloudflare account ${other}: stack dev trusts only account ${ACCOUNT}`),
    );
    const missing = { ...claims(billing) } as Record<string, unknown>;
    delete missing.account_id;
    const withoutAccount = target.explain(missing);
    assert.equal(withoutAccount.failing?.name, "attributeMapping attribute.account_id");
    assert.equal(withoutAccount.failing?.carries, "error: no such key: account_id");
  });

  it("wrong issuer: a token of another issuer matches no provider of the pool", () => {
    const target = resolveTarget(config, BILLING_SA);
    const token = { ...claims(billing), iss: "https://token.actions.githubusercontent.com" };
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "oidc.issuerUri");
    assert.equal(explained.failing?.requires, "https://id.example.dev");
    assert.match(
      hintFor(config, target, explained, token)!,
      /^iss is https:\/\/token\.actions\.githubusercontent\.com: this service account trusts tokens of https:\/\/id\.example\.dev/,
    );
  });

  it("a workflow's account is granted to its principalSet: any instance, no workload", () => {
    const stack = workflowGcpStack();
    const owner = ownerNamed(stack, "nightly-export", "workflow");
    const target = resolveTarget(stack, "wid-nightly-export@example-identity-dev.iam.gserviceaccount.com");
    const token = mintedClaims(stack, owner, GCP_AUDIENCE, NOW);
    const allowed = target.explain(token);
    assert.equal(allowed.allowed, true, JSON.stringify(allowed.failing));
    assert.equal(
      allowed.conditions.at(-1)?.requires,
      `principalSet://iam.googleapis.com/${POOL}/attribute.workflow/nightly-export`,
    );
    assert.equal(target.explain({ ...token, sub: `workflow/${ACCOUNT}/nightly-export/run-2` }).allowed, true);
    const workload = target.explain(mintedClaims(stack, ownerNamed(stack, "billing"), GCP_AUDIENCE, NOW));
    assert.equal(
      workload.failing?.name,
      "roles/iam.workloadIdentityUser on wid-nightly-export@example-identity-dev.iam.gserviceaccount.com",
    );
    const masquerade = target.explain({ ...token, workflow: "other-export" });
    assert.equal(masquerade.allowed, false, "attribute.workflow is the token's workflow claim");
  });

  it("a google.subject GCP cannot take (over 127 bytes, or not a string) fails on the mapping", () => {
    const target = resolveTarget(config, BILLING_SA);
    const long = target.explain({ ...claims(billing), sub: `worker/${ACCOUNT}/${"x".repeat(100)}` });
    assert.equal(long.failing?.name, "attributeMapping google.subject");
    assert.match(long.failing?.why ?? "", /140 bytes, GCP takes 1 to 127/);
    assert.equal(target.explain({ ...claims(billing), sub: 7 }).failing?.name, "attributeMapping google.subject");
  });

  it("with native tokens: billing's native token reaches its account through the native provider; another's native sub does not", () => {
    const native = nativeStack();
    const target = resolveTarget(native, BILLING_SA);
    const nativeToken = { iss: NATIVE_ISSUER, sub: NATIVE.billing!.subject, aud: GCP_AUDIENCE };
    const allowed = target.explain(nativeToken);
    assert.equal(allowed.allowed, true, JSON.stringify(allowed.failing));
    assert.equal(allowed.document, `provider native provider of ${NATIVE_ISSUER}`);
    const ledger = target.explain({ ...nativeToken, sub: NATIVE["ledger-sync"]!.subject });
    assert.equal(ledger.failing?.name, "attributeCondition");
    // The issuer's own provider admits only its own subject forms once native providers share the pool.
    const forged = target.explain({
      ...mintedClaims(native, ownerNamed(native, "billing"), GCP_AUDIENCE, NOW),
      sub: NATIVE.billing!.subject,
    });
    assert.equal(forged.failing?.name, "attributeCondition");
  });
});
