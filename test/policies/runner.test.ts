// The pack as the Pulumi CLI runs it: Pulumi's own policy runner (@pulumi/pulumi/cmd/run-policy-pack,
// what the `pulumi-analyzer-policy` plugin starts) loads policies/ through its package.json main,
// and the engine's Analyzer gRPC calls go to the server @pulumi/policy starts. Only the CLI
// itself is missing: this test speaks its side of the protocol.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type * as AnalyzerServices from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import type * as AnalyzerMessages from "@pulumi/pulumi/proto/analyzer_pb.js";
import { policies, stackPolicies } from "../../policies/pack.js";
import { REPO_ROOT } from "../support/run-tsx.js";
import { ACCOUNT, grant, HOST, issuerScript, provider, role } from "./fixtures.js";
import { type TestResource, UNKNOWN_DURING_PREVIEW } from "./harness.js";
import { unsafeCorpus } from "./unsafe-corpus.js";

// The generated protobuf modules are CommonJS without static exports: load them, and the gRPC
// and protobuf runtimes, the way the policy server does, from @pulumi/pulumi's own dependencies.
const requireHere = createRequire(import.meta.url);
const analyzerPath = requireHere.resolve("@pulumi/pulumi/proto/analyzer_pb.js");
const requirePulumi = createRequire(analyzerPath);
const messages = requirePulumi(analyzerPath) as typeof AnalyzerMessages;
const services = requirePulumi("./analyzer_grpc_pb.js") as typeof AnalyzerServices;
const grpc = requirePulumi("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const { Struct } = requirePulumi("google-protobuf/google/protobuf/struct_pb") as {
  Struct: {
    fromJavaScript(
      value: Record<string, unknown>,
    ): AnalyzerMessages.AnalyzeRequest["getProperties"] extends () => infer S ? Exclude<S, undefined> : never;
  };
};
const { Empty } = requirePulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => never };

const RUNNER = requireHere.resolve("@pulumi/pulumi/cmd/run-policy-pack");
const PACK_DIR = resolve(REPO_ROOT, "policies");

type Client = InstanceType<typeof AnalyzerServices.AnalyzerClient>;

function call<Response>(
  invoke: (callback: (error: Error | null, response: Response) => void) => void,
): Promise<Response> {
  return new Promise((done, fail) => invoke((error, response) => (error ? fail(error) : done(response))));
}

interface Diagnostic {
  readonly policy: string;
  readonly mandatory: boolean;
  readonly message: string;
}

async function analyze(client: Client, resource: TestResource): Promise<Diagnostic[]> {
  const request = new messages.AnalyzeRequest()
    .setType(resource.type)
    .setName("resource")
    .setUrn(`urn:pulumi:dev::worker-identity::${resource.type}::resource`)
    .setProperties(Struct.fromJavaScript({ ...resource.props }))
    .setOptions(new messages.AnalyzerResourceOptions());
  const response = await call<AnalyzerMessages.AnalyzeResponse>((callback) => client.analyze(request, callback));
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    mandatory: d.getEnforcementlevel() === messages.EnforcementLevel.MANDATORY,
    message: d.getMessage(),
  }));
}

function analyzerResource(resource: TestResource, name: string): AnalyzerMessages.AnalyzerResource {
  return new messages.AnalyzerResource()
    .setType(resource.type)
    .setName(name)
    .setUrn(`urn:pulumi:dev::worker-identity::${resource.type}::${name}`)
    .setProperties(Struct.fromJavaScript({ ...resource.props }))
    .setOptions(new messages.AnalyzerResourceOptions());
}

/** What the engine asks at the end of a preview or update: the stack's policies over all its resources. */
async function analyzeStack(
  client: Client,
  resources: Readonly<Record<string, TestResource>>,
): Promise<Array<Diagnostic & { urn: string }>> {
  const request = new messages.AnalyzeStackRequest().setResourcesList(
    Object.entries(resources).map(([name, resource]) => analyzerResource(resource, name)),
  );
  const response = await call<AnalyzerMessages.AnalyzeResponse>((callback) => client.analyzeStack(request, callback));
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    mandatory: d.getEnforcementlevel() === messages.EnforcementLevel.MANDATORY,
    message: d.getMessage(),
    urn: d.getUrn(),
  }));
}

describe("the pack under Pulumi's policy runner and the Analyzer protocol", function () {
  this.timeout(60_000);
  let runner: ChildProcess;
  let client: Client;

  before(async () => {
    runner = spawn(process.execPath, [RUNNER, "127.0.0.1:1", "."], {
      cwd: PACK_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let errors = "";
    runner.stderr!.on("data", (chunk: Buffer) => void (errors += chunk.toString()));
    const port = await new Promise<number>((done, fail) => {
      runner.stdout!.once("data", (chunk: Buffer) => done(Number(chunk.toString().trim())));
      runner.once("exit", (code) => fail(new Error(`the policy runner exited (${code}) before serving:\n${errors}`)));
    });
    assert.ok(Number.isInteger(port) && port > 0, `the runner printed no port`);
    client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure() as never);
  });

  after(() => {
    client?.close();
    runner?.kill();
  });

  it("serves the worker-identity pack: every policy, mandatory, versioned by policies/package.json", async () => {
    const info = await call<AnalyzerMessages.AnalyzerInfo>((callback) => client.getAnalyzerInfo(new Empty(), callback));
    assert.equal(info.getName(), "worker-identity");
    assert.equal(info.getVersion(), "0.1.0");
    const served = info.getPoliciesList();
    assert.deepEqual(
      served.map((p) => p.getName()),
      [...policies, ...stackPolicies].map((p) => p.name),
    );
    for (const each of served)
      assert.equal(each.getEnforcementlevel(), messages.EnforcementLevel.MANDATORY, each.getName());
  });

  it("passes the program's resources", async () => {
    for (const resource of [role(), provider(), grant(), issuerScript()]) {
      assert.deepEqual(await analyze(client, resource), [], resource.type);
    }
  });

  it("refuses every unsafe configuration with a mandatory diagnostic of the policy meant for it", async () => {
    for (const entry of unsafeCorpus) {
      const diagnostics = await analyze(client, entry.resource);
      assert.deepEqual([...new Set(diagnostics.map((d) => d.policy))], [entry.refusedBy], entry.why);
      assert.ok(
        diagnostics.every((d) => d.mandatory),
        entry.why,
      );
    }
  });

  it("reports nothing, not even an advisory 'can't run during preview', for inputs the engine does not know yet", async () => {
    for (const entry of unsafeCorpus) {
      const previewed = {
        type: entry.resource.type,
        props: { ...entry.resource.props, [entry.decidedBy]: UNKNOWN_DURING_PREVIEW },
      };
      assert.deepEqual(await analyze(client, previewed), [], entry.why);
    }
  });

  it("with no policy config, refuses a provider that trusts the stack's own issuer without an attributeCondition", async () => {
    // Hand-written: its mapping does not read assertion.worker, so nothing in the provider alone says whose issuer it trusts.
    const unconditioned = provider((p) => {
      p.attributeMapping = { "google.subject": "assertion.sub" };
      delete p.attributeCondition;
    });
    const domain: TestResource = {
      type: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
      props: { accountId: ACCOUNT, hostname: HOST, service: "worker-identity" },
    };
    assert.deepEqual(await analyze(client, unconditioned), [], "one resource alone cannot tell the stack's issuer");
    const diagnostics = await analyzeStack(client, { issuer: issuerScript(), domain, provider: unconditioned });
    assert.deepEqual(
      diagnostics.map((d) => [d.policy, d.mandatory, d.urn.split("::").pop()]),
      [["gcp-provider-trusts-stack-issuer", true, "provider"]],
    );
    assert.match(diagnostics[0]!.message, /has no attributeCondition/);
    assert.deepEqual(
      await analyzeStack(client, { issuer: issuerScript(), domain, provider: provider() }),
      [],
      "the program's provider passes",
    );
  });

  it("applies the policy config the CLI sends (here a longer session bound)", async () => {
    const twelveHours = unsafeCorpus.find((entry) => entry.refusedBy === "aws-role-max-session-duration")!.resource;
    const request = new messages.ConfigureAnalyzerRequest();
    const config = new messages.PolicyConfig()
      .setEnforcementlevel(messages.EnforcementLevel.MANDATORY)
      .setProperties(Struct.fromJavaScript({ maxSessionDurationSeconds: 43_200 }));
    request.getPolicyconfigMap().set("aws-role-max-session-duration", config);
    await call((callback) => client.configure(request, callback));
    assert.deepEqual(await analyze(client, twelveHours), []);
  });
});
