// The stack policy that recognises the stack's own issuer: run as @pulumi/policy's server runs a
// stack policy (every resource's props behind the unknown-checking proxy, no config at all).

import assert from "node:assert/strict";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { gcpProviderTrustsStackIssuer } from "../../../policies/gcp/provider-trusts-stack-issuer.js";
import { ACCOUNT, HOST, ISSUER_URL, issuerScript, provider, TYPES } from "../fixtures.js";
import { noResourceOptions, proxiedProps, type TestResource, UNKNOWN_DURING_PREVIEW } from "../harness.js";

const CUSTOM_DOMAIN = "cloudflare:index/workersCustomDomain:WorkersCustomDomain";
const SUBDOMAIN = "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain";

/** Violations as [resource name, message], with no policy config. */
async function run(resources: readonly TestResource[]): Promise<Array<[string, string]>> {
  const reported: Array<[string, string]> = [];
  const policyResources = resources.map(
    (resource, index): PolicyResource => ({
      type: resource.type,
      props: proxiedProps(resource.props),
      urn: `urn:pulumi:dev::worker-identity::${resource.type}::r${index}`,
      name: `r${index}`,
      opts: noResourceOptions(),
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    }),
  );
  const args: StackValidationArgs = {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (): never => {
      throw new Error("not applicable");
    },
  };
  await gcpProviderTrustsStackIssuer.validateStack(
    args,
    (message, urn) => void reported.push([urn?.split("::").pop() ?? "", message]),
  );
  return reported;
}

const domain = (hostname = HOST, service = "worker-identity"): TestResource => ({
  type: CUSTOM_DOMAIN,
  props: { accountId: ACCOUNT, hostname, service },
});

/** A hand-written provider for the issuer: no condition, and a mapping that does not read the worker claim. */
const unconditioned = (issuerUri: unknown = ISSUER_URL) =>
  provider((p) => {
    p.oidc = {
      issuerUri,
      allowedAudiences: ["//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/p"],
    };
    p.attributeMapping = { "google.subject": "assertion.sub" };
    delete p.attributeCondition;
  });

describe("policy gcp-provider-trusts-stack-issuer (no policy config)", () => {
  it("refuses a provider trusting the issuer's custom domain without an attributeCondition", async () => {
    const reported = await run([issuerScript(), domain(), unconditioned()]);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]![0], "r2", "reported against the provider");
    assert.match(reported[0]![1], /has no attributeCondition, so every token the issuer signs enters the pool/);
    assert.match(reported[0]![1], /https:\/\/id\.example\.dev is this stack's worker-identity issuer/);
  });

  it("matches the host without case and with GCP's trailing slash", async () => {
    assert.equal(
      (await run([issuerScript(), domain("ID.Example.dev"), unconditioned("https://id.example.dev/")])).length,
      1,
    );
  });

  it("passes the program's provider (conditioned, google.subject mapped) and a conditioned hand-written one", async () => {
    assert.deepEqual(await run([issuerScript(), domain(), provider()]), []);
    const conditioned = provider((p) => void (p.attributeMapping = { "google.subject": "assertion.sub" }));
    assert.deepEqual(await run([issuerScript(), domain(), conditioned]), []);
  });

  it("recognises a workers.dev issuer by its script and WorkersScriptSubdomain", async () => {
    const subdomain: TestResource = {
      type: SUBDOMAIN,
      props: { accountId: ACCOUNT, scriptName: "worker-identity", enabled: true },
    };
    assert.equal(
      (await run([issuerScript(), subdomain, unconditioned("https://worker-identity.acme.workers.dev")])).length,
      1,
    );
    assert.deepEqual(
      await run([issuerScript(), subdomain, unconditioned("https://billing.acme.workers.dev")]),
      [],
      "another script on workers.dev is not the issuer",
    );
    const disabled: TestResource = { type: SUBDOMAIN, props: { ...subdomain.props, enabled: false } };
    assert.deepEqual(
      await run([issuerScript(), disabled, unconditioned("https://worker-identity.acme.workers.dev")]),
      [],
    );
  });

  it("leaves alone providers of other issuers, and domains of scripts that are not issuers", async () => {
    assert.deepEqual(
      await run([issuerScript(), domain(), unconditioned("https://token.actions.githubusercontent.com")]),
      [],
    );
    const plainScript: TestResource = {
      type: TYPES.script,
      props: { accountId: ACCOUNT, scriptName: "billing", bindings: [] },
    };
    assert.deepEqual(await run([plainScript, domain(HOST, "billing"), unconditioned()]), []);
    assert.deepEqual(await run([unconditioned()]), [], "no issuer in the stack");
  });

  it("leaves a provider whose mapping reads the worker claim to gcp-provider-condition-and-subject (no double report)", async () => {
    const mapped = provider((p) => delete p.attributeCondition);
    assert.deepEqual(await run([issuerScript(), domain(), mapped]), []);
  });

  it("skips what is unknown during preview", async () => {
    assert.deepEqual(await run([issuerScript(), domain(), unconditioned(UNKNOWN_DURING_PREVIEW)]), []);
    const unknownCondition = provider((p) => {
      p.attributeMapping = { "google.subject": "assertion.sub" };
      p.attributeCondition = UNKNOWN_DURING_PREVIEW;
    });
    assert.deepEqual(await run([issuerScript(), domain(), unknownCondition]), []);
    assert.deepEqual(
      await run([
        issuerScript(),
        { type: CUSTOM_DOMAIN, props: { hostname: UNKNOWN_DURING_PREVIEW, service: "worker-identity" } },
        unconditioned(),
      ]),
      [],
    );
  });
});
