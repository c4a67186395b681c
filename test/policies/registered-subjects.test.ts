// The stack policies over federated trust (aws-trust-registered-subjects,
// gcp-trust-registered-subjects) on the stack the program declares for Pulumi.dev.yaml with
// billing's Cloudflare-native tokens registered: the stack passes both, and each hand-written
// unsafe addition (unsafeStackCorpus) is refused by the policy meant for it, and by no other.

import assert from "node:assert/strict";
import { awsRegisteredSubjectViolations } from "../../policies/aws/registered-subjects.js";
import { stackProviderViolations } from "../../policies/gcp/provider-trusts-stack-issuer.js";
import { gcpRegisteredSubjectViolations } from "../../policies/gcp/registered-subjects.js";
import { UNKNOWN } from "../../policies/inputs.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { recorded } from "../support/pulumi-mocks.js";
import type { TestResource } from "./harness.js";
import { NATIVE_ISSUER, NATIVE_SUBJECT, unsafeStackCorpus } from "./unsafe-corpus.js";

const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";

const STACK_RULES = {
  "aws-trust-registered-subjects": awsRegisteredSubjectViolations,
  "gcp-trust-registered-subjects": gcpRegisteredSubjectViolations,
} as const;

/** The messages of each stack rule on `resources`, keyed by rule, rules without any left out. */
function violations(resources: readonly TestResource[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, rule] of Object.entries(STACK_RULES)) {
    const messages = [...rule(resources).values()].flat();
    if (messages.length > 0) found[name] = messages;
  }
  return found;
}

describe("policies over trust the stack registers (native issuers included)", function () {
  this.timeout(60_000);
  let resources: TestResource[];

  before(async () => {
    const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<
      string,
      Record<string, unknown>
    >;
    workloads.billing!.native = {
      issuer: NATIVE_ISSUER,
      subject: NATIVE_SUBJECT,
      audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
    };
    await runProgram(engineConfig({ "worker-identity:workloads": workloads }));
    resources = recorded.map(({ type, inputs }) => ({ type, props: inputs }));
  });

  it("passes the program's own stack, whose native trust they read (not passing by never looking)", () => {
    assert.deepEqual(violations(resources), {});
    assert.deepEqual([...stackProviderViolations(resources)], []);
    // The program's own native provider is judged: without its condition it is refused.
    const index = resources.findIndex(
      (r) =>
        r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider" &&
        (r.props.oidc as { issuerUri?: string }).issuerUri === NATIVE_ISSUER,
    );
    assert.ok(index >= 0, "the program declares the native issuer's pool provider");
    const loosened = resources.map((r, i) =>
      i === index ? { ...r, props: { ...r.props, attributeCondition: undefined } } : r,
    );
    assert.deepEqual(Object.keys(violations(loosened)), ["gcp-trust-registered-subjects"]);
    // A stack without an issuer script registers nothing, and is not judged.
    const script = resources.findIndex((r) => r.type === "cloudflare:index/workersScript:WorkersScript");
    assert.deepEqual(violations(loosened.filter((_, i) => i !== script)), {});
  });

  for (const entry of unsafeStackCorpus) {
    it(`${entry.refusedBy} refuses: ${entry.why}`, () => {
      const found = violations([...resources, ...entry.added]);
      assert.deepEqual(Object.keys(found), [entry.refusedBy], JSON.stringify(found));
    });
  }

  it("judges nothing while an issuer script's content is unknown (preview)", () => {
    const previewed = resources.map((r) =>
      r.type === "cloudflare:index/workersScript:WorkersScript" ? { ...r, props: { ...r.props, content: UNKNOWN } } : r,
    );
    for (const entry of unsafeStackCorpus) assert.deepEqual(violations([...previewed, ...entry.added]), {}, entry.why);
  });

  it("names the fix: the registered subject, or registering the workload's native issuer", () => {
    const [lookAlike, , , , provider, noCondition] = unsafeStackCorpus;
    assert.match(
      violations([...resources, ...lookAlike!.added])["aws-trust-registered-subjects"]![0]!,
      /is not one native subject registered for https:\/\/oidc\.cloudflare\.example\/accounts\/7f3a.*\.native\.subject/,
    );
    assert.match(
      violations([...resources, ...provider!.added])["aws-trust-registered-subjects"]![0]!,
      /https:\/\/oidc\.other\.example .*register the workload whose native tokens it is for/,
    );
    assert.match(
      violations([...resources, ...noCondition!.added])["gcp-trust-registered-subjects"]![0]!,
      new RegExp(`no attributeCondition.*assertion\\.sub in \\[.*"${NATIVE_SUBJECT}"`),
    );
  });
});
