// Every `pulumi up` across a whole CA lifetime of the dev stack's mTLS (billing renews every 9
// days, edge-api every 20, the CA every 243): a deploy just after each window opens, on one fake
// cloud. Each deploy must be accepted, must delete no certificate before its notAfter (a
// wrangler-deployed Worker still names its id), must replace nothing, and must leave each mTLS
// workload a live certificate chained to a CA in the bundle origins trust. Then the CA rotation
// on its own: the deploys either side of the CA window's end.

import assert from "node:assert/strict";
import type { X509Certificate } from "node:crypto";
import type { WorkerIdentity } from "../../../infra/worker-identity.js";
import { parseCertificateBundle } from "../../../worker/mtls/node-client-certificate.js";
import { deployProgram, engineConfig } from "../../support/dev-stack.js";
import { FakeCloud, type Plan } from "../../support/fakes/engine.js";
import { resolved } from "../../support/pulumi-mocks.js";
import { assertSafe, changes, DAY_MS, names } from "./plan-summary.js";

const MTLS = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const HOUR_MS = 3_600_000;
/** A window start of every dev-stack certificate (see redeploy.test.ts). */
const T0 = Date.UTC(2023, 2, 24);
/** The dev stack's renewal periods: validity less a third (billing 14 d, edge-api 30 d, CA 365 d). */
const PERIODS_DAYS = [9, 20, 243];
const CA_VALIDITY_DAYS = 365;

/** An hour after each window of any of the dev stack's certificates opens, over one CA lifetime. */
function deployTimes(): number[] {
  const times = new Set<number>();
  for (const period of PERIODS_DAYS) {
    for (let day = 0; day <= CA_VALIDITY_DAYS; day += period) times.add(T0 + day * DAY_MS + HOUR_MS);
  }
  return [...times].sort((a, b) => a - b);
}

interface Uploaded {
  readonly name: string;
  readonly leaf: X509Certificate;
  readonly chain: X509Certificate[];
}

function uploadedCertificates(cloud: FakeCloud): Uploaded[] {
  return cloud.resources(MTLS).map((r) => {
    const chain = parseCertificateBundle(String(r.inputs.certificates));
    return { name: r.name, leaf: chain[0]!, chain };
  });
}

const workloadOf = (leaf: X509Certificate) => /\/worker\/[^/]+\/([^/,\s]+)$/.exec(leaf.subjectAltName ?? "")?.[1];

/** Each mTLS workload has a certificate valid at `nowMs` that chains to a CA in `bundlePem`. */
async function assertCovered(cloud: FakeCloud, deployment: WorkerIdentity, nowMs: number, what: string): Promise<void> {
  const bundle = parseCertificateBundle((await resolved(deployment.mtls!.caBundle))!);
  const uploaded = uploadedCertificates(cloud);
  for (const workload of ["billing", "edge-api"]) {
    const live = uploaded.filter(
      (u) =>
        workloadOf(u.leaf) === workload && Date.parse(u.leaf.validFrom) <= nowMs && nowMs < Date.parse(u.leaf.validTo),
    );
    assert.ok(live.length > 0, `${what}: ${workload} has no live certificate`);
    for (const u of live) {
      assert.ok(
        bundle.some((ca) => u.leaf.checkIssued(ca) && u.leaf.verify(ca.publicKey)),
        `${what}: ${u.name} chains to no CA in the bundle`,
      );
    }
  }
  // The certificate the workload's bindings and the issuer's cnf name is live too.
  const edge = deployment.workloads["edge-api"]!.mtls!;
  const notAfter = Date.parse((await resolved(edge.notAfter))!);
  assert.ok(notAfter > nowMs, `${what}: edge-api's current certificate expired at ${new Date(notAfter).toISOString()}`);
}

/** Only certificates come and go, and only the issuer script (their thumbprints) is updated; nothing is replaced. */
function assertRenewalOnly(plan: Plan, what: string): void {
  assertSafe(plan, what);
  assert.deepEqual(names(plan.replaced), [], `${what}: replaced ${JSON.stringify(changes(plan.replaced))}`);
  const other = [...plan.created, ...plan.deleted].filter((e) => e.type !== MTLS).map((e) => e.name);
  assert.deepEqual(other, [], `${what}: created or deleted other resources`);
  assert.deepEqual(
    Object.keys(changes(plan.updated)).filter((n) => n !== "issuer-script"),
    [],
    `${what}: updated ${JSON.stringify(changes(plan.updated))}`,
  );
}

describe("deploy sequence: every pulumi up across a CA lifetime (mTLS renewals)", function () {
  this.timeout(300_000);

  it("renews every workload certificate and the CA without refusals, early deletions or replacements", async () => {
    const cloud = new FakeCloud();
    const times = deployTimes();
    // Days 0..365 in steps of 9 (41), of 20 (19, of which 0, 180 and 360 are steps of 9 too: 16
    // more) and of 243 (0 and 243 = 27 × 9, both counted already): 41 + 16 = 57 deploys.
    assert.equal(times.length, 57, `${times.length} deploys`);
    let renewals = 0;
    for (const nowMs of times) {
      const what = `pulumi up at ${new Date(nowMs).toISOString()}`;
      const { deployment, plan } = await deployProgram(engineConfig(), { cloud, nowMs });
      if (nowMs !== times[0]) {
        assertRenewalOnly(plan, what);
        renewals += plan.created.length;
      }
      await assertCovered(cloud, deployment, nowMs, what);
    }
    // After the first deploy (which creates the previous and current window's certificate of each
    // workload), each deploy creates one certificate per workload whose window opened at it, and
    // nothing else (assertRenewalOnly; the CA is no Cloudflare resource): billing on days 9..360
    // (40 windows), edge-api on days 20..360 (18): 40 + 18 = 58.
    assert.equal(renewals, 58, `${renewals} certificates issued after the first deploy`);
  });

  it("a deploy after a long pause (31 days, past edge-api's validity) is accepted and deletes only expired certificates", async () => {
    const cloud = new FakeCloud();
    await deployProgram(engineConfig(), { cloud, nowMs: T0 + HOUR_MS });
    const later = T0 + 31 * DAY_MS;
    const { deployment, plan } = await deployProgram(engineConfig(), { cloud, nowMs: later });
    assertRenewalOnly(plan, "after 31 days");
    await assertCovered(cloud, deployment, later, "after 31 days");
  });
});

describe("deploy sequence: the CA rotation", function () {
  this.timeout(120_000);

  it("across the CA window's end, the old CA stays trusted while its certificates live, and every live certificate chains to the bundle", async () => {
    const cloud = new FakeCloud();
    const caWindowEnd = T0 + 243 * DAY_MS;
    const before = caWindowEnd - HOUR_MS;
    const after = caWindowEnd + HOUR_MS;
    await deployProgram(engineConfig(), { cloud, nowMs: before - 20 * DAY_MS });
    const old = await deployProgram(engineConfig(), { cloud, nowMs: before });
    assertRenewalOnly(old.plan, "before the CA rotation");
    const bundleBefore = parseCertificateBundle((await resolved(old.deployment.mtls!.caBundle))!);

    const rotated = await deployProgram(engineConfig(), { cloud, nowMs: after });
    assertRenewalOnly(rotated.plan, "after the CA rotation");
    await assertCovered(cloud, rotated.deployment, after, "after the CA rotation");
    const bundleAfter = parseCertificateBundle((await resolved(rotated.deployment.mtls!.caBundle))!);
    const fingerprints = new Set(bundleAfter.map((ca) => ca.fingerprint256));
    // The CAs that signed certificates still live after the rotation stay trusted; a new CA is published.
    const stillSigning = bundleBefore.filter((ca) =>
      uploadedCertificates(cloud).some((u) => Date.parse(u.leaf.validTo) > after && u.leaf.checkIssued(ca)),
    );
    assert.ok(stillSigning.length > 0, "no certificate signed before the rotation is still live");
    for (const ca of stillSigning)
      assert.ok(fingerprints.has(ca.fingerprint256), `${ca.subject} left the bundle while certificates it signed live`);
    assert.ok(
      bundleAfter.some((ca) => !bundleBefore.some((b) => b.fingerprint256 === ca.fingerprint256)),
      "the rotation publishes a new next CA",
    );
  });
});
