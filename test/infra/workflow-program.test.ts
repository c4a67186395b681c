// The Pulumi program under mocks, on Pulumi.dev.yaml plus a workflow with AWS and GCP settings
// and two introspection clients: the issuer's Workflows binding and secrets, the workflow's
// entrypoint in the bundle, its role and service-account grant, and the stack outputs.

import assert from "node:assert/strict";
import { runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { ofType, resolved } from "../support/pulumi-mocks.js";

const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
const ACCOUNT_ID = String(dev.config["worker-identity:accountId"]);

const withWorkflow = () =>
  engineConfig(
    {
      "worker-identity:workflows": {
        "nightly-export": {
          script: "jobs",
          className: "NightlyExport",
          audiences: ["sts.amazonaws.com", GCP_AUDIENCE],
          aws: { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
          gcp: { serviceAccount: { create: {} } },
        },
      },
      "worker-identity:introspectionClients": ["payments-api", "ledger-api"],
    },
    ["worker-identity:edgeMiddleware"],
  );

interface Binding {
  type: string;
  name: string;
  text?: string;
  workflowName?: string;
  className?: string;
  scriptName?: string;
}

describe("the Pulumi program under mocks, with a workflow and introspection clients", function () {
  this.timeout(60_000);

  it("binds the issuer to the workflow, generates the clients' secrets, and bundles the workflow's entrypoint", async () => {
    const deployment = await runProgram(withWorkflow());
    const script = ofType("cloudflare:index/workersScript:WorkersScript")[0]!.inputs;
    const bindings = new Map((script.bindings as Binding[]).map((b) => [b.name, b]));
    assert.deepEqual(bindings.get("WORKFLOW_nightly_export"), {
      type: "workflow",
      name: "WORKFLOW_nightly_export",
      workflowName: "nightly-export",
      className: "NightlyExport",
      scriptName: "jobs",
    });
    assert.equal(bindings.get("INTROSPECTION_SECRETS")?.type, "secret_text");
    const secrets = JSON.parse(bindings.get("INTROSPECTION_SECRETS")?.text ?? "{}") as Record<string, string>;
    assert.deepEqual(Object.keys(secrets).sort(), ["ledger-api", "payments-api"]);
    assert.ok(Object.values(secrets).every((s) => s.length === 48));
    assert.deepEqual(await resolved(deployment.issuer.introspectionSecrets), secrets);
    const passwords = ofType("random:index/randomPassword:RandomPassword").map((p) => p.name);
    assert.ok(
      passwords.includes("issuer-introspection-payments-api") && passwords.includes("issuer-introspection-ledger-api"),
    );

    const seen = runtimeConfigOfBundle(String(script.content));
    assert.ok(!JSON.stringify(seen.workflows).includes("managedPolicyArns"), "cloud sections stay out");
    assert.deepEqual(
      seen.workflows.map((w) => [w.name, w.binding, w.subjectPrefix]),
      [["nightly-export", "WORKFLOW_nightly_export", `workflow/${ACCOUNT_ID}/nightly-export/`]],
    );
    assert.deepEqual(seen.introspectionClients, ["payments-api", "ledger-api"]);
    assert.match(String(script.content), /var Workflow_nightly_export = class extends Issuer/);
    assert.match(String(script.content), /static workflow = "nightly-export"/);
  });

  it("gives the workflow a role trusting its subject prefix, and a service account granted to its principalSet", async () => {
    const deployment = await runProgram(withWorkflow());
    const role = ofType("aws:iam/role:Role").find((r) => r.inputs.name === "wid-nightly-export");
    assert.ok(role, "the workflow's role");
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as {
      Statement: { Condition: Record<string, Record<string, string>> }[];
    };
    assert.deepEqual(trust.Statement[0]!.Condition.StringLike, {
      "id.example.dev:sub": `workflow/${ACCOUNT_ID}/nightly-export/*`,
    });
    assert.deepEqual(trust.Statement[0]!.Condition.StringEquals, { "id.example.dev:aud": "sts.amazonaws.com" });
    assert.ok(
      ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").some((a) =>
        a.name.startsWith("aws-wf.nightly-export-managed-"),
      ),
    );
    const grants = ofType("gcp:serviceaccount/iAMMember:IAMMember").map((m) => String(m.inputs.member));
    assert.ok(
      grants.includes(
        "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/attribute.workflow/nightly-export",
      ),
      grants.join("\n"),
    );
    const provider = ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")[0]!.inputs;
    assert.equal(
      (provider.attributeMapping as Record<string, string>)["attribute.workflow"],
      'has(assertion.workflow) ? assertion.workflow : "-"',
    );

    const outputs = deployment.workflows["nightly-export"]!;
    assert.equal(outputs.subjectPattern, `workflow/${ACCOUNT_ID}/nightly-export/<instance id>`);
    assert.match(outputs.wranglerBinding, /entrypoint = "Workflow_nightly_export"/);
    assert.equal(await resolved(outputs.awsRoleArn), "arn:aws:iam::111122223333:role/wid-nightly-export");
    assert.equal(
      await resolved(outputs.gcpServiceAccount),
      "wid-nightly-export@example-identity-dev.iam.gserviceaccount.com",
    );
    assert.equal(deployment.introspectionUrl, "https://id.example.dev/introspect");
    assert.equal(deployment.revocationsUrl, "https://id.example.dev/revocations.json");
    assert.deepEqual(deployment.issuer.bindingsForWorkflow("nightly-export"), [
      { type: "service", name: "ISSUER", service: "worker-identity", entrypoint: "Workflow_nightly_export" },
    ]);
  });

  it("adds no workflow binding, secret or attribute to a stack without them", async () => {
    await runProgram(
      engineConfig({}, [
        "worker-identity:workflows",
        "worker-identity:introspectionClients",
        "worker-identity:edgeMiddleware",
      ]),
    );
    const bindings = (ofType("cloudflare:index/workersScript:WorkersScript")[0]!.inputs.bindings as Binding[]).map(
      (b) => b.name,
    );
    assert.ok(!bindings.some((b) => b.startsWith("WORKFLOW_") || b === "INTROSPECTION_SECRETS"), bindings.join(", "));
    const provider = ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")[0]!.inputs;
    assert.equal((provider.attributeMapping as Record<string, string>)["attribute.workflow"], undefined);
  });
});
