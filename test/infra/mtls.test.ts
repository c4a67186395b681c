// The program's mTLS part under mocks, on Pulumi.dev.yaml (billing and edge-api have mtls): the
// CA bundle, one Cloudflare mTLS certificate per workload with a secret key, the issuer's
// runtime config (the thumbprints built into its bundle), the workloads' mtls_certificate bindings, and renewal by window.

import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, type X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadCertificates } from "../../infra/mtls/workload-certificates.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { certificateThumbprint, parseCertificateBundle } from "../../worker/mtls/node-client-certificate.js";
import { runtimeConfigOfBundle } from "../../worker/runtime-config/embedding.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { settled } from "../support/fakes/settled.js";
import { installMocks, ofType, type RecordedResource, resolved } from "../support/pulumi-mocks.js";

const ACCOUNT = String(dev.config["worker-identity:accountId"]);
const MTLS_CERTIFICATE = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const DAY_MS = 86_400_000;
/**
 * The clock of every deploy in this file: a window start of every dev-stack certificate (as the
 * deploy sequences' T0), so a test never straddles a renewal boundary the real clock may be near.
 */
const T0 = Date.UTC(2023, 2, 24, 6);

interface Binding {
  type: string;
  name: string;
  text?: string;
}

function firstCertificate(chainPem: string): X509Certificate {
  return parseCertificateBundle(chainPem)[0]!;
}

/** The workload a certificate resource is for: its name is mtls-<workload>-w<window index>. */
function workloadOf(resourceName: string): string {
  const match = /^mtls-(.+)-w\d+$/.exec(resourceName);
  assert.ok(match, `certificate resource '${resourceName}' is not named mtls-<workload>-w<window>`);
  return match[1]!;
}

/** The workload's newest declared certificate resource (latest notBefore). */
function currentOf(resources: readonly RecordedResource[], workload: string): RecordedResource {
  const mine = resources.filter((r) => workloadOf(r.name) === workload);
  const start = (r: RecordedResource) => Date.parse(firstCertificate(String(r.inputs.certificates)).validFrom);
  return mine.reduce((newest, r) => (start(r) > start(newest) ? r : newest));
}

describe("the Pulumi program's mTLS certificates under mocks (Pulumi.dev.yaml)", function () {
  this.timeout(60_000);

  it("uploads each mTLS workload's client certificates, chained to the CA bundle it exports, with secret keys", async () => {
    const deployment = await runProgram(engineConfig(), { nowMs: T0 });
    const mtls = deployment.mtls!;
    const bundle = parseCertificateBundle((await resolved(mtls.caBundle))!);
    assert.ok(bundle.length >= 2 && bundle.every((ca) => ca.ca), "current and next CA, at least");
    assert.equal(await pulumi.isSecret(mtls.caBundle), false, "origins read the CA bundle in plain text");
    await resolved(mtls.workloads["edge-api"]!.thumbprint);

    const uploaded = ofType(MTLS_CERTIFICATE);
    assert.deepEqual([...new Set(uploaded.map((r) => workloadOf(r.name)))].sort(), ["billing", "edge-api"]);
    for (const resource of uploaded) {
      const workload = workloadOf(resource.name);
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
      assert.equal(
        await pulumi.isSecret(mtls.certificates[workload]!.privateKey),
        true,
        `${workload}: the key is a secret`,
      );
    }
    const validity = (workload: string) => {
      const leaf = firstCertificate(String(currentOf(uploaded, workload).inputs.certificates));
      return (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS;
    };
    assert.equal(Math.round(validity("billing")), 14, "billing sets validityDays: 14");
    assert.equal(Math.round(validity("edge-api")), 30, "edge-api takes the default");
    const seeds = ofType("random:index/randomBytes:RandomBytes").filter((r) => r.name === "mtls-seed");
    assert.equal(seeds.length, 1);
    assert.equal(seeds[0]!.inputs.length, 32);
  });

  it("builds the uploaded certificates' thumbprints into the issuer's runtime config, for the mTLS workloads only", async () => {
    await runProgram(engineConfig(), { nowMs: T0 });
    const script = ofType("cloudflare:index/workersScript:WorkersScript").find((s) => s.name === "issuer-script")!;
    const bindings = script.inputs.bindings as Binding[];
    assert.ok(!bindings.some((b) => b.name === "MTLS_THUMBPRINTS"), "no registry-sized text binding");
    const expected = Object.fromEntries(
      ["billing", "edge-api"].map((workload) => [
        workload,
        certificateThumbprint(
          firstCertificate(String(currentOf(ofType(MTLS_CERTIFICATE), workload).inputs.certificates)).raw,
        ),
      ]),
    );
    const seen = runtimeConfigOfBundle(String(script.inputs.content));
    const thumbprints = Object.fromEntries(
      seen.workloads.flatMap((w) => (w.certificateThumbprint === undefined ? [] : [[w.name, w.certificateThumbprint]])),
    );
    assert.deepEqual(thumbprints, expected);
  });

  it("builds the certificates of the deploy clock's renewal window in (defineProgram({nowMs}))", async () => {
    const later = T0 + 200 * DAY_MS;
    // The program itself, without a clock patched around it: only the option moves the windows.
    installMocks(dev.project, dev.stack, { nowMs: T0 });
    pulumi.runtime.setAllConfig(engineConfig());
    const { defineProgram } = await import("../../infra/program.js");
    const deployment = defineProgram({ nowMs: later });
    await resolved(deployment.issuer.script.content);
    await resolved(deployment.workloads.billing!.mtls!.certificateId);
    const script = ofType("cloudflare:index/workersScript:WorkersScript").find((s) => s.name === "issuer-script")!;
    const billing = firstCertificate(String(currentOf(ofType(MTLS_CERTIFICATE), "billing").inputs.certificates));
    assert.ok(Date.parse(billing.validFrom) > T0 + 150 * DAY_MS, `issued for the deploy's clock: ${billing.validFrom}`);
    const seen = runtimeConfigOfBundle(String(script.inputs.content));
    assert.equal(
      seen.workloads.find((w) => w.name === "billing")?.certificateThumbprint,
      certificateThumbprint(billing.raw),
    );
  });

  it("outputs each workload's mtls binding: a wrangler snippet and a bindings list for Pulumi-managed scripts", async () => {
    const deployment = await runProgram(engineConfig(), { nowMs: T0 });
    const edge = deployment.workloads["edge-api"]!.mtls!;
    assert.equal(edge.spiffeId, `spiffe://id.example.dev/worker/${ACCOUNT}/edge-api`);
    const currentId = `${currentOf(ofType(MTLS_CERTIFICATE), "edge-api").name}-id`;
    assert.equal(await resolved(edge.certificateId), currentId);
    const snippet = (await resolved(edge.wranglerBinding))!;
    assert.match(snippet, /^\[\[mtls_certificates\]\]$/m);
    assert.match(snippet, /^binding = "MTLS"$/m);
    assert.ok(snippet.includes(`\ncertificate_id = "${currentId}"\n`), snippet);
    assert.ok(Date.parse((await resolved(edge.renewsAt))!) < Date.parse((await resolved(edge.notAfter))!));
    assert.equal(deployment.workloads["ledger-sync"]!.mtls, undefined);

    const [binding, ...rest] = deployment.mtls!.bindingsFor("edge-api", "ORIGIN_CERT");
    assert.equal(rest.length, 0);
    assert.equal(binding!.type, "mtls_certificate");
    assert.equal(binding!.name, "ORIGIN_CERT");
    assert.equal(await resolved(binding!.certificateId), currentId);
    assert.throws(
      () => deployment.mtls!.bindingsFor("ledger-sync"),
      /has no client certificate; set workloads\.ledger-sync\.mtls/,
    );
  });

  it("declares no certificate, CA or binding for a stack without mtls", async () => {
    const workloads = JSON.parse(JSON.stringify(dev.config["worker-identity:workloads"])) as Record<
      string,
      Record<string, unknown>
    >;
    for (const settings of Object.values(workloads)) delete settings.mtls;
    const deployment = await runProgram(
      engineConfig({ "worker-identity:workloads": workloads }, ["worker-identity:mtls"]),
      { nowMs: T0 },
    );
    assert.equal(deployment.mtls, undefined);
    assert.equal(ofType(MTLS_CERTIFICATE).length, 0);
    const script = ofType("cloudflare:index/workersScript:WorkersScript").find((s) => s.name === "issuer-script")!;
    assert.ok(
      runtimeConfigOfBundle(String(script.inputs.content)).workloads.every(
        (w) => w.certificateThumbprint === undefined,
      ),
    );
  });

  describe("renewal across a whole CA lifetime: a certificate stays declared until it expires", () => {
    const config = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
    const START = Date.UTC(2027, 0, 1);
    const CA_LIFETIME_DAYS = 365; // Pulumi.dev.yaml mtls.caValidityDays
    interface Declared {
      name: string;
      pem: string;
      workload: string;
      notBefore: number;
      notAfter: number;
    }

    const deployAt = async (nowMs: number) => {
      installMocks(dev.project, dev.stack, { nowMs });
      const component = new WorkloadCertificates("mtls", { config, nowMs });
      const outputs = Object.fromEntries(
        await Promise.all(
          Object.entries(component.workloads).map(
            async ([workload, o]) =>
              [
                workload,
                {
                  certificateId: (await resolved(o.certificateId))!,
                  thumbprint: (await resolved(o.thumbprint))!,
                  previous: (await resolved(o.previous)) ?? [],
                },
              ] as const,
          ),
        ),
      );
      const thumbprints = (await resolved(component.thumbprints))!;
      await settled();
      const declared: Declared[] = ofType(MTLS_CERTIFICATE).map((r) => {
        const leaf = firstCertificate(String(r.inputs.certificates));
        return {
          name: r.name,
          pem: String(r.inputs.certificates),
          workload: leaf.subject.split("CN=")[1]!,
          notBefore: Date.parse(leaf.validFrom),
          notAfter: Date.parse(leaf.validTo),
        };
      });
      return { declared, outputs, thumbprints };
    };

    it("holds every certificate deployed and still valid, with its name and bytes, none expired, the newest bound", async function () {
      this.timeout(300_000);
      // Each renewal of either workload (validity 14 and 30 days: a new certificate every 9 and 20
      // days, the previous one valid 5 and 10 days longer), the last instant the previous
      // certificate is valid, and the next millisecond: the boundaries a scheduled `pulumi up` meets.
      const times = new Set<number>();
      for (const [periodDays, overlapDays] of [
        [9, 5],
        [20, 10],
      ] as const) {
        for (
          let k = Math.ceil(START / (periodDays * DAY_MS));
          k * periodDays * DAY_MS < START + CA_LIFETIME_DAYS * DAY_MS;
          k += 1
        ) {
          const renewal = k * periodDays * DAY_MS;
          for (const t of [renewal, renewal + overlapDays * DAY_MS, renewal + overlapDays * DAY_MS + 1]) times.add(t);
        }
      }
      const history = new Map<string, Declared>();
      let renewals = 0;
      for (const t of [...times].sort((a, b) => a - b)) {
        const at = new Date(t).toISOString();
        const { declared, outputs, thumbprints } = await deployAt(t);
        const byName = new Map(declared.map((d) => [d.name, d]));
        for (const d of declared) assert.ok(d.notAfter >= t, `${at}: ${d.name} is declared after its notAfter`);
        for (const earlier of history.values()) {
          if (earlier.notAfter < t) continue;
          const now = byName.get(earlier.name);
          assert.ok(
            now,
            `${at}: ${earlier.name} (valid until ${new Date(earlier.notAfter).toISOString()}) is no longer declared`,
          );
          assert.equal(now.pem, earlier.pem, `${at}: ${earlier.name} changed bytes (a replacement)`);
        }
        for (const workload of ["billing", "edge-api"]) {
          const mine = declared.filter((d) => d.workload === workload).sort((a, b) => a.notBefore - b.notBefore);
          const newest = mine.at(-1)!;
          assert.ok(mine.length <= 2, `${at}: ${workload} has ${mine.length} certificates declared`);
          assert.equal(
            outputs[workload]!.certificateId,
            `${newest.name}-id`,
            `${at}: ${workload} binds its newest certificate`,
          );
          const newestThumbprint = certificateThumbprint(firstCertificate(newest.pem).raw);
          assert.equal(outputs[workload]!.thumbprint, newestThumbprint);
          assert.equal(thumbprints[workload], newestThumbprint, `${at}: tokens are bound to the newest certificate`);
          assert.deepEqual(
            outputs[workload]!.previous.map((p) => p.certificateId),
            mine.slice(0, -1).map((d) => `${d.name}-id`),
          );
          if (!history.has(newest.name)) renewals += 1;
        }
        for (const d of declared) history.set(d.name, d);
      }
      // 2027-01-01 is day 20,819 of the epoch; windows start every 9 (billing) and 20 (edge-api)
      // days from day 0: 40 and 19 of them start within the 365 days, plus each one's first issue.
      assert.equal(renewals, 40 + 19 + 2);
    });
  });

  describe("upgrading a stack deployed with one certificate resource per workload (mtls-<workload>)", () => {
    // The URN the previous release gave edge-api's certificate: Pulumi finds a resource by its own
    // URN first, then by its aliases, so the resource claiming it keeps that live certificate
    // (same inputs within the window: no change) instead of creating one and deleting the old.
    const OLD_URN =
      "urn:pulumi:dev::worker-identity::worker-identity:index:WorkerIdentity$" +
      "worker-identity:mtls:WorkloadCertificates$cloudflare:index/mtlsCertificate:MtlsCertificate::mtls-edge-api";
    /** The alias URNs the SDK computed for a resource (what it registers with the engine). */
    const aliasUrnsOf = (resource: pulumi.Resource) =>
      Promise.all(
        ((resource as unknown as { __aliases?: pulumi.Input<string>[] }).__aliases ?? []).map((a) => resolved(a)),
      );

    it("gives the current window's resource the old resource's URN as its alias", async () => {
      const deployment = await runProgram(engineConfig(), { nowMs: T0 });
      const current = deployment.mtls!.certificates["edge-api"]!;
      assert.match((await resolved(current.urn))!, /::mtls-edge-api-w\d+$/);
      assert.deepEqual(await aliasUrnsOf(current), [OLD_URN]);
    });

    it("gives an earlier window's resource no alias: one resource only may claim the old one", async () => {
      installMocks(dev.project, dev.stack, { nowMs: 20_400 * DAY_MS });
      const seen: { name: string; aliases: unknown[] }[] = [];
      const config = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
      // Day 20,400 opens edge-api's window 1020 (20-day windows); window 1019's certificate lives on.
      const component = new WorkloadCertificates(
        "mtls",
        { config, nowMs: 20_400 * DAY_MS },
        {
          transformations: [
            (args) => {
              if (args.type === MTLS_CERTIFICATE)
                seen.push({ name: args.name, aliases: [...(args.opts.aliases ?? [])] });
              return undefined;
            },
          ],
        },
      );
      await resolved(component.workloads["edge-api"]!.certificateId);
      assert.deepEqual(
        seen.filter((r) => r.name.startsWith("mtls-edge-api")),
        [
          { name: "mtls-edge-api-w1019", aliases: [] },
          { name: "mtls-edge-api-w1020", aliases: [{ name: "mtls-edge-api" }] },
        ],
      );
      const previous = (await resolved(component.workloads["edge-api"]!.previous))!;
      assert.deepEqual(
        previous.map((p) => [p.certificateId, p.notAfter]),
        [["mtls-edge-api-w1019-id", "2025-11-18T00:00:00.000Z"]],
      );
    });
  });

  describe("renewal: the certificates are a function of the seed and the window", () => {
    const config = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
    const chains = async (nowMs: number) => {
      installMocks(dev.project, dev.stack, { nowMs });
      const component = new WorkloadCertificates("mtls", { config, nowMs });
      const bundle = await resolved(component.caBundle);
      const renewsAt = Date.parse((await resolved(component.workloads["edge-api"]!.renewsAt))!);
      await settled();
      const certificates = Object.fromEntries(
        ["billing", "edge-api"].map((w) => [w, String(currentOf(ofType(MTLS_CERTIFICATE), w).inputs.certificates)]),
      );
      return { bundle, renewsAt, certificates };
    };

    it("re-runs within a window upload the same bytes; the first run after it renews", async () => {
      const first = await chains(T0);
      const again = await chains(T0 + 60_000);
      assert.deepEqual(again.certificates, first.certificates, "no diff within the window");
      const renewed = await chains(first.renewsAt);
      assert.notEqual(renewed.certificates["edge-api"], first.certificates["edge-api"]);
      const before = firstCertificate(first.certificates["edge-api"]!);
      const after = firstCertificate(renewed.certificates["edge-api"]!);
      assert.equal(after.subjectAltName, before.subjectAltName, "same identity");
      assert.ok(!after.publicKey.equals(before.publicKey), "a new key with each certificate");
      const remaining =
        (Date.parse(before.validTo) - first.renewsAt) / (Date.parse(before.validTo) - Date.parse(before.validFrom));
      assert.ok(remaining >= 1 / 3 - 0.01, `renewed with ${remaining} of its life left`);
    });
  });
});
