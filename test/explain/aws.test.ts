// explainAwsTrust on the dev stack's roles, built by the program's builders: wrong-workload,
// wrong-audience, wrong-account and wrong-issuer tokens each fail on the condition that refuses
// them, named as IAM names it, with the stack's hint; the workflow role's StringLike and the native
// statement, IAM's string semantics, and the refusal of what the evaluator does not cover.

import assert from "node:assert/strict";
import { explainAwsTrust, parseRoleArn } from "../../worker/explain/aws.js";
import { awsTrustPolicy, type Owner } from "../../worker/explain/documents.js";
import { hintFor } from "../../worker/explain/hint.js";
import { stringMatches } from "../../worker/explain/iam-condition.js";
import { mintedClaims, ownerNamed, resolveTarget } from "../../worker/explain/stack.js";
import { UnsupportedTrustError } from "../../worker/explain/unsupported.js";
import {
  ACCOUNT,
  AWS_ACCOUNT,
  AWS_AUDIENCE,
  devStack,
  GCP_AUDIENCE,
  NATIVE,
  NATIVE_ISSUER,
  nativeStack,
} from "./stacks.js";

const NOW = 1_800_000_000;
const LEDGER_ROLE = `arn:aws:iam::${AWS_ACCOUNT}:role/wid-ledger-sync`;
const BILLING_ROLE = `arn:aws:iam::${AWS_ACCOUNT}:role/wid-billing`;

describe("explainAwsTrust on the dev stack's roles", () => {
  const config = devStack();
  const billing = ownerNamed(config, "billing");
  const claims = (owner: Owner, audience = AWS_AUDIENCE) => mintedClaims(config, owner, audience, NOW);

  it("allows billing's own token on its role, every condition shown as passed", () => {
    const explained = resolveTarget(config, BILLING_ROLE).explain(claims(billing));
    assert.equal(explained.allowed, true);
    assert.equal(explained.failing, undefined);
    assert.deepEqual(
      explained.conditions.map((c) => [c.name, c.requires, c.carries, c.passed]),
      [
        [
          "Principal.Federated",
          "arn:aws:iam::111122223333:oidc-provider/id.example.dev",
          "arn:aws:iam::111122223333:oidc-provider/id.example.dev",
          true,
        ],
        ["Action", "sts:AssumeRoleWithWebIdentity, sts:TagSession", "sts:AssumeRoleWithWebIdentity", true],
        ["StringEquals id.example.dev:sub", `worker/${ACCOUNT}/billing`, `worker/${ACCOUNT}/billing`, true],
        ["StringEquals id.example.dev:aud", "sts.amazonaws.com", "sts.amazonaws.com", true],
      ],
    );
  });

  it("wrong workload: billing's token on ledger-sync's role fails on sub, and the hint names both roles", () => {
    const target = resolveTarget(config, LEDGER_ROLE);
    const token = claims(billing);
    const explained = target.explain(token);
    assert.equal(explained.allowed, false);
    assert.equal(explained.failing?.name, "StringEquals id.example.dev:sub");
    assert.equal(explained.failing?.carries, `worker/${ACCOUNT}/billing`);
    assert.equal(
      hintFor(config, target, explained, token),
      `sub is worker/${ACCOUNT}/billing: this role trusts only ledger-sync; use the token of ledger-sync, ` +
        "or the role of billing: wid-billing",
    );
  });

  it("wrong audience: billing's GCP token on its own role fails on aud, and the hint says which to mint", () => {
    const target = resolveTarget(config, BILLING_ROLE);
    const token = claims(billing, GCP_AUDIENCE);
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "StringEquals id.example.dev:aud");
    assert.equal(explained.failing?.carries, GCP_AUDIENCE);
    assert.match(
      hintFor(config, target, explained, token)!,
      /^aud is \/\/iam\.googleapis\.com.*: this role requires sts\.amazonaws\.com; mint/,
    );
  });

  it("aud as a list: allowed when any value is the audience, as IAM matches a multi-valued key", () => {
    const target = resolveTarget(config, BILLING_ROLE);
    assert.equal(target.explain({ ...claims(billing), aud: ["https://other.example", AWS_AUDIENCE] }).allowed, true);
    assert.equal(
      target.explain({ ...claims(billing), aud: ["https://other.example"] }).failing?.name,
      "StringEquals id.example.dev:aud",
    );
  });

  it("wrong AWS account: the role's account is not the one whose provider the stack's trust names", () => {
    const target = resolveTarget(config, "arn:aws:iam::999988887777:role/wid-billing", { awsAccount: AWS_ACCOUNT });
    const token = claims(billing);
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "Principal.Federated");
    assert.equal(explained.failing?.requires, "arn:aws:iam::111122223333:oidc-provider/id.example.dev");
    assert.equal(explained.failing?.carries, "arn:aws:iam::999988887777:oidc-provider/id.example.dev");
    assert.match(
      hintFor(config, target, explained, token)!,
      /^wrong account: the role is in AWS account 999988887777, the trusted provider in 111122223333/,
    );
  });

  it("wrong Cloudflare account: a token of another account's billing fails on sub, and the hint names both accounts", () => {
    const target = resolveTarget(config, BILLING_ROLE);
    const other = "f".repeat(32);
    const token = { ...claims(billing), sub: `worker/${other}/billing`, account_id: other };
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "StringEquals id.example.dev:sub");
    assert.equal(
      hintFor(config, target, explained, token),
      `the token is of Cloudflare account ${other}: stack dev trusts only account ${ACCOUNT}'s Workers; use the token of billing from that account`,
    );
  });

  it("wrong issuer: a token of another issuer comes through another provider, and fails on Principal.Federated", () => {
    const target = resolveTarget(config, BILLING_ROLE);
    const token = { ...claims(billing), iss: "https://token.actions.githubusercontent.com" };
    const explained = target.explain(token);
    assert.equal(explained.failing?.name, "Principal.Federated");
    assert.equal(
      explained.failing?.carries,
      "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
    );
    // The provider's keys are then absent from the context too: IAM sets only the token's provider's.
    assert.deepEqual(
      explained.conditions.filter((c) => !c.passed).map((c) => c.name),
      ["Principal.Federated", "StringEquals id.example.dev:sub", "StringEquals id.example.dev:aud"],
    );
    assert.match(
      hintFor(config, target, explained, token)!,
      /^iss is https:\/\/token\.actions\.githubusercontent\.com: this role trusts tokens of https:\/\/id\.example\.dev/,
    );
    const http = target.explain({ ...claims(billing), iss: "http://id.example.dev" });
    assert.equal(http.failing?.name, "Principal.Federated");
  });

  it("a workflow's role admits any instance of it with StringLike, and no workload", () => {
    const workflow = config.workflows.find((w) => w.aws !== undefined)!;
    const owner: Owner = { kind: "workflow", entry: workflow };
    const arn = `arn:aws:iam::${AWS_ACCOUNT}:role/${workflow.aws!.roleName}`;
    const target = resolveTarget(config, arn);
    const token = claims(owner);
    assert.equal(target.explain(token).allowed, true);
    assert.equal(target.explain({ ...token, sub: `${workflow.subjectPrefix}another-instance` }).allowed, true);
    const explained = target.explain(claims(billing));
    assert.equal(explained.failing?.name, "StringLike id.example.dev:sub");
    assert.equal(explained.failing?.requires, `like workflow/${ACCOUNT}/${workflow.name}/*`);
  });

  it("a native workload's role: its native token passes the native statement, a look-alike fails on its sub", () => {
    const native = nativeStack();
    const target = resolveTarget(native, BILLING_ROLE);
    const nativeToken = { iss: NATIVE_ISSUER, sub: NATIVE.billing!.subject, aud: AWS_AUDIENCE };
    const allowed = target.explain(nativeToken);
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.document, "CloudflareNativeWebIdentity");
    const refused = target.explain({ ...nativeToken, sub: NATIVE["ledger-sync"]!.subject });
    assert.equal(refused.document, "CloudflareNativeWebIdentity");
    assert.equal(refused.failing?.name, "StringEquals oidc.cloudflare.example/accounts/7f3a:sub");
  });

  it("IAM's StringLike: * and ? are wildcards, everything else is exact and case-sensitive", () => {
    assert.equal(stringMatches("StringLike", "workflow/a/b/*", "workflow/a/b/1"), true);
    assert.equal(stringMatches("StringLike", "workflow/a/b/*", "workflow/a/b/"), true);
    assert.equal(stringMatches("StringLike", "workflow/a/b/*", "workflow/a/bc/1"), false);
    assert.equal(stringMatches("StringLike", "a?c", "abc"), true);
    assert.equal(stringMatches("StringLike", "a?c", "ac"), false);
    assert.equal(stringMatches("StringLike", "a*b*c", "axxbyyc"), true);
    assert.equal(stringMatches("StringLike", "A*", "a1"), false);
    assert.equal(stringMatches("StringEquals", "a*", "abc"), false);
    assert.equal(stringMatches("StringEquals", "Billing", "billing"), false);
  });

  it("refuses a document with an operator it does not evaluate, and a malformed ARN", () => {
    const policy = awsTrustPolicy(config, billing, AWS_ACCOUNT);
    const statement = policy.Statement[0]!;
    const widened = {
      ...policy,
      Statement: [
        { ...statement, Condition: { ...statement.Condition, ForAnyValueStringLike: { "id.example.dev:aud": "*" } } },
      ],
    };
    assert.throws(
      () => explainAwsTrust(widened as typeof policy, { roleArn: BILLING_ROLE, claims: claims(billing) }),
      (error) =>
        error instanceof UnsupportedTrustError && /condition operator ForAnyValueStringLike/.test(error.message),
    );
    assert.equal(parseRoleArn("arn:aws:iam::1111:role/x"), undefined);
    assert.deepEqual(parseRoleArn("arn:aws:iam::111122223333:role/team/wid-billing"), {
      account: "111122223333",
      roleName: "wid-billing",
    });
  });
});
