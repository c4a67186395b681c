// The program's mTLS part under mocks, on Pulumi.dev.yaml (billing and edge-api have mtls): the
// CA bundle, one Cloudflare mTLS certificate per workload with a secret key, the issuer's
// MTLS_THUMBPRINTS binding, the workloads' mtls_certificate bindings, and renewal by window.

import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadCertificates } from "../../infra/mtls/workload-certificates.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { certificateThumbprint, parseCertificateBundle } from "../../worker/mtls/node-client-certificate.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { installMocks, ofType, resolved } from "../support/pulumi-mocks.js";

const ACCOUNT = String(dev.config["worker-identity:accountId"]);
const MTLS_CERTIFICATE = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const DAY_MS = 86_400_000;

interface Binding { type: string; name: string; text?: string }

function firstCertificate(chainPem: string): X509Certificate {
  return parseCertificateBundle(chainPem)[0]!;
}

describe("the Pulumi program's mTLS certificates under mocks (Pulumi.dev.yaml)", function () {
  this.timeout(60_000);

  it("uploads one client certificate per mTLS workload, chained to the CA bundle it exports, with a secret key", async () => {
    const deployment = await runProgram(engineConfig());
    const mtls = deployment.mtls!;
    const bundle = parseCertificateBundle((await resolved(mtls.caBundle))!);
    assert.ok(bundle.length >= 2 && bundle.every((ca) => ca.ca), "current and next CA, at least");
    assert.equal(await pulumi.isSecret(mtls.caBundle), false, "origins read the CA bundle in plain text");
    await resolved(mtls.workloads["edge-api"]!.thumbprint);

    const uploaded = ofType(MTLS_CERTIFICATE);
    assert.deepEqual(uploaded.map((r) => r.name).sort(), ["mtls-billing", "mtls-edge-api"]);
    for (const resource of uploaded) {
      const workload = resource.name.replace(/^mtls-/, "");
      const { inputs } = resource;
      assert.equal(inputs.accountId, ACCOUNT);
      assert.equal(inputs.ca, false);
      assert.match(String(inputs.name), new RegExp(`^wid-${workload}-\\d{8}-[0-9a-f]{8}$`));
      const chain = parseCertificateBundle(String(inputs.certificates));
      const leaf = chain[0]!;
      assert.equal(leaf.subjectAltName, `URI:spiffe://id.example.dev/worker/${ACCOUNT}/${workload}`);
      assert.equal(chain.length, 2, "the certificate, then its CA");
      assert.ok(bundle.some((ca) => ca.raw.equals(chain[1]!.raw) && leaf.checkIssued(ca) && leaf.verify(ca.publicKey)));
      const key = createPrivateKey(String(inputs.privateKey));
      assert.equal(key.asymmetricKeyDetails?.namedCurve, "prime256v1");
      assert.ok(createPublicKey(key).equals(leaf.publicKey), "the key is the certificate's");
      assert.equal(await pulumi.isSecret(mtls.certificates[workload]!.privateKey), true, `${workload}: the key is a secret`);
    }
    const validity = (workload: string) => {
      const leaf = firstCertificate(String(uploaded.find((r) => r.name === `mtls-${workload}`)!.inputs.certificates));
      return (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS;
    };
    assert.equal(Math.round(validity("billing")), 14, "billing sets validityDays: 14");
    assert.equal(Math.round(validity("edge-api")), 30, "edge-api takes the default");
    const seeds = ofType("random:index/randomBytes:RandomBytes").filter((r) => r.name === "mtls-seed");
    assert.equal(seeds.length, 1);
    assert.equal(seeds[0]!.inputs.length, 32);
  });

  it("hands the issuer the uploaded certificates' thumbprints, and the Worker sees the workloads' mtls settings", async () => {
    await runProgram(engineConfig());
    const script = ofType("cloudflare:index/workersScript:WorkersScript").find((s) => s.name === "issuer-script")!;
    const bindings = script.inputs.bindings as Binding[];
    const thumbprints = JSON.parse(bindings.find((b) => b.name === "MTLS_THUMBPRINTS")!.text!) as Record<string, string>;
    const expected = Object.fromEntries(ofType(MTLS_CERTIFICATE).map((r) => [
      r.name.replace(/^mtls-/, ""),
      certificateThumbprint(firstCertificate(String(r.inputs.certificates)).raw),
    ]));
    assert.deepEqual(thumbprints, expected);
    assert.equal(bindings.find((b) => b.name === "MTLS_THUMBPRINTS")!.type, "plain_text");

    const issuerConfig = JSON.parse(bindings.find((b) => b.name === "ISSUER_CONFIG")!.text!) as {
      project: string; stack: string; config: Record<string, unknown>;
    };
    const seen = validateStackConfig(issuerConfig.config, { project: issuerConfig.project, stack: issuerConfig.stack });
    assert.deepEqual(seen.workloads.filter((w) => w.mtls).map((w) => w.name), Object.keys(expected).sort());
  });

  it("outputs each workload's mtls binding: a wrangler snippet and a bindings list for Pulumi-managed scripts", async () => {
    const deployment = await runProgram(engineConfig());
    const edge = deployment.workloads["edge-api"]!.mtls!;
    assert.equal(edge.spiffeId, `spiffe://id.example.dev/worker/${ACCOUNT}/edge-api`);
    assert.equal(await resolved(edge.certificateId), "mtls-edge-api-id");
    const snippet = (await resolved(edge.wranglerBinding))!;
    assert.match(snippet, /^\[\[mtls_certificates\]\]$/m);
    assert.match(snippet, /^binding = "MTLS"$/m);
    assert.match(snippet, /^certificate_id = "mtls-edge-api-id"$/m);
    assert.ok(Date.parse((await resolved(edge.renewsAt))!) < Date.parse((await resolved(edge.notAfter))!));
    assert.equal(deployment.workloads["ledger-sync"]!.mtls, undefined);

    const [binding, ...rest] = deployment.mtls!.bindingsFor("edge-api", "ORIGIN_CERT");
    assert.equal(rest.length, 0);
    assert.equal(binding!.type, "mtls_certificate");
    assert.equal(binding!.name, "ORIGIN_CERT");
    assert.equal(await resolved(binding!.certificateId), "mtls-edge-api-id");
    assert.throws(() => deployment.mtls!.bindingsFor("ledger-sync"), /has no client certificate; set workloads\.ledger-sync\.mtls/);
  });

  it("declares no certificate, CA or binding for a stack without mtls", async () => {
    const workloads = JSON.parse(JSON.stringify(dev.config["worker-identity:workloads"])) as Record<string, Record<string, unknown>>;
    for (const settings of Object.values(workloads)) delete settings.mtls;
    const deployment = await runProgram(engineConfig({ "worker-identity:workloads": workloads }, ["worker-identity:mtls"]));
    assert.equal(deployment.mtls, undefined);
    assert.equal(ofType(MTLS_CERTIFICATE).length, 0);
    const script = ofType("cloudflare:index/workersScript:WorkersScript").find((s) => s.name === "issuer-script")!;
    assert.ok(!(script.inputs.bindings as Binding[]).some((b) => b.name === "MTLS_THUMBPRINTS"));
  });

  describe("renewal: the certificates are a function of the seed and the window", () => {
    const config = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
    const chains = async (nowMs: number) => {
      installMocks(dev.project, dev.stack);
      const component = new WorkloadCertificates("mtls", { config, nowMs });
      const bundle = await resolved(component.caBundle);
      const renewsAt = Date.parse((await resolved(component.workloads["edge-api"]!.renewsAt))!);
      await new Promise((r) => setTimeout(r, 20));
      const certificates = Object.fromEntries(ofType(MTLS_CERTIFICATE).map((r) => [r.name, String(r.inputs.certificates)]));
      return { bundle, renewsAt, certificates };
    };

    it("re-runs within a window upload the same bytes; the first run after it renews", async () => {
      const now = Date.now();
      const first = await chains(now);
      const again = await chains(now + 60_000);
      assert.deepEqual(again.certificates, first.certificates, "no diff within the window");
      const renewed = await chains(first.renewsAt);
      assert.notEqual(renewed.certificates["mtls-edge-api"], first.certificates["mtls-edge-api"]);
      const before = firstCertificate(first.certificates["mtls-edge-api"]!);
      const after = firstCertificate(renewed.certificates["mtls-edge-api"]!);
      assert.equal(after.subjectAltName, before.subjectAltName, "same identity");
      assert.ok(!after.publicKey.equals(before.publicKey), "a new key with each certificate");
      const remaining = (Date.parse(before.validTo) - first.renewsAt) / (Date.parse(before.validTo) - Date.parse(before.validFrom));
      assert.ok(remaining >= 1 / 3 - 0.01, `renewed with ${remaining} of its life left`);
    });
  });
});
