import assert from "node:assert/strict";
import {
  gcpProviderConditionAndSubject,
  providerPolicyConfig,
} from "../../../policies/gcp/provider-condition-and-subject.js";
import { ISSUER_URL, provider, TYPES } from "../fixtures.js";
import { NOT_APPLICABLE, runPolicy, UNKNOWN_DURING_PREVIEW, violations } from "../harness.js";

const check = (resource: ReturnType<typeof provider>, config: object = {}) =>
  violations(gcpProviderConditionAndSubject, resource, config);
const ISSUERS = { issuers: [ISSUER_URL] };

describe("policy gcp-provider-condition-and-subject", () => {
  it("passes the program's provider", async () => {
    assert.deepEqual(await check(provider()), []);
    assert.deepEqual(await check(provider(), ISSUERS), []);
  });

  it("applies to workload identity pool providers only", async () => {
    assert.equal(await runPolicy(gcpProviderConditionAndSubject, { type: TYPES.role, props: {} }), NOT_APPLICABLE);
  });

  it("refuses a provider without attributeCondition, naming the fix", async () => {
    const messages = await check(provider((p) => delete p.attributeCondition));
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /has no attributeCondition, so every token the issuer signs enters the pool/);
    assert.match(messages[0]!, /assertion\.account_id == "<account_id>"/);
  });

  it("refuses an empty attributeCondition and one that is just true", async () => {
    assert.equal((await check(provider((p) => void (p.attributeCondition = "  ")))).length, 1);
    const always = await check(provider((p) => void (p.attributeCondition = "true")));
    assert.equal(always.length, 1);
    assert.match(always[0]!, /attributeCondition is "true", which admits every token/);
  });

  it("refuses a provider that does not map google.subject", async () => {
    const messages = await check(
      provider((p) => delete (p.attributeMapping as Record<string, unknown>)["google.subject"]),
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /does not map google\.subject.*add "google\.subject": "assertion\.sub" to attributeMapping/,
    );
  });

  it("recognises a configured issuer without the worker claim in the mapping, trailing slash or not", async () => {
    const bare = provider((p) => {
      p.attributeMapping = { "attribute.sub": "assertion.sub" };
      delete p.attributeCondition;
    });
    assert.deepEqual(await check(bare), [], "without configured issuers this is someone else's provider");
    assert.equal((await check(bare, ISSUERS)).length, 2);
    assert.equal((await check(bare, { issuers: [`${ISSUER_URL}/`] })).length, 2);
  });

  it("recognises the worker claim in either CEL syntax", async () => {
    const indexed = provider((p) => {
      p.attributeMapping = { "attribute.worker": "assertion['worker']" };
    });
    assert.equal((await check(indexed)).length, 1, "google.subject is missing");
  });

  it("skips what is unknown during preview", async () => {
    assert.deepEqual(await check(provider((p) => void (p.attributeCondition = UNKNOWN_DURING_PREVIEW))), []);
    assert.deepEqual(await check(provider((p) => void (p.oidc = UNKNOWN_DURING_PREVIEW))), []);
  });

  it("checks its config", () => {
    assert.deepEqual(providerPolicyConfig({}), { issuers: [] });
    assert.throws(
      () => providerPolicyConfig({ issuers: "https://id.example.dev" }),
      /issuers must be a list of issuer URLs/,
    );
  });
});
