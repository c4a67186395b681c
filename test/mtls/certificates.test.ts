// The stack's certificate authority without Pulumi: DER primitives, deterministic keys and
// signatures, the certificates' X.509 shape as node:crypto (OpenSSL) reads it, the renewal
// windows over time, and which certificates stay uploaded at each moment (an injected clock).

import assert from "node:assert/strict";
import { createPublicKey, X509Certificate } from "node:crypto";
import { certificateResources } from "../../infra/mtls/certificate-resources.js";
import type { StackConfig } from "../../worker/config/types.js";
import { issueStackCertificates } from "../../worker/mtls-ca/authority.js";
import * as der from "../../worker/mtls-ca/der.js";
import { deriveKeyPair } from "../../worker/mtls-ca/keys.js";
import {
  BACKDATE_MS,
  currentWindow,
  liveWindows,
  renewalPeriodDays,
  trustedCaWindows,
} from "../../worker/mtls-ca/renewal.js";
import { DAY_MS, stackCertificates, testSeed, validated } from "../support/mtls-origin.js";
import { ACCOUNT_ID, rawStackConfig } from "../support/stack-fixture.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const config: StackConfig = validated(
  rawStackConfig({
    "worker-identity:workloads": {
      billing: { audiences: ["sts.amazonaws.com"], mtls: { enabled: true, validityDays: 3 } },
      "edge-api": { audiences: ["https://api.internal.example.dev"], mtls: { enabled: true } },
      "ledger-sync": { audiences: ["sts.amazonaws.com"] },
    },
  }),
);
const NOW = Date.UTC(2026, 10, 23, 12);

describe("mTLS certificate authority (infra/mtls)", () => {
  describe("DER", () => {
    it("encodes integers minimally and positive", () => {
      assert.equal(hex(der.integer(0)), "020100");
      assert.equal(hex(der.integer(127)), "02017f");
      assert.equal(hex(der.integer(128)), "02020080");
      assert.equal(hex(der.integer(Uint8Array.of(0, 0, 1))), "020101");
    });

    it("encodes object identifiers, long lengths, named bits and both time types", () => {
      assert.equal(hex(der.oid("1.2.840.10045.4.3.2")), "06082a8648ce3d040302");
      assert.equal(hex(der.octetString(new Uint8Array(200))).slice(0, 6), "0481c8");
      assert.equal(hex(der.namedBits([0])), "03020780", "digitalSignature");
      assert.equal(hex(der.namedBits([5, 6])), "03020106", "keyCertSign, cRLSign");
      assert.equal(
        Buffer.from(der.time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))))
          .subarray(2)
          .toString(),
        "491231235959Z",
      );
      assert.equal(
        Buffer.from(der.time(new Date(Date.UTC(2050, 0, 1))))
          .subarray(2)
          .toString(),
        "20500101000000Z",
      );
      assert.equal(der.time(new Date(Date.UTC(2050, 0, 1)))[0], 0x18, "GeneralizedTime from 2050");
    });
  });

  describe("keys and signatures", () => {
    it("derives the same P-256 key for the same seed and label, another for another", () => {
      const a = deriveKeyPair(testSeed("keys"), "ca/1");
      assert.equal(a.privateKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
      assert.equal(deriveKeyPair(testSeed("keys"), "ca/1").privateKeyPem, a.privateKeyPem);
      assert.notEqual(deriveKeyPair(testSeed("keys"), "ca/2").privateKeyPem, a.privateKeyPem);
      assert.notEqual(deriveKeyPair(testSeed("other"), "ca/1").privateKeyPem, a.privateKeyPem);
      assert.ok(createPublicKey(a.privateKey).equals(a.publicKey));
    });

    it("refuses a seed shorter than 256 bits", () => {
      assert.throws(() => deriveKeyPair(new Uint8Array(16), "x"), /at least 32 bytes/);
    });
  });

  describe("the stack's certificates", () => {
    const issued = issueStackCertificates({
      seed: testSeed("ca"),
      accountId: ACCOUNT_ID,
      mtls: config.mtls!,
      workloads: config.workloads,
      nowMs: NOW,
    });

    it("are byte-identical when computed again in the same window, and differ for another seed", () => {
      const again = issueStackCertificates({
        seed: testSeed("ca"),
        accountId: ACCOUNT_ID,
        mtls: config.mtls!,
        workloads: config.workloads,
        nowMs: NOW + 3_600_000,
      });
      assert.equal(again.caBundlePem, issued.caBundlePem);
      assert.deepEqual(again.thumbprints, issued.thumbprints);
      assert.equal(again.workloads["edge-api"]!.privateKeyPem, issued.workloads["edge-api"]!.privateKeyPem);
      const other = stackCertificates(config, "another", NOW);
      assert.notEqual(other.thumbprints["edge-api"], issued.thumbprints["edge-api"]);
    });

    it("issue one per workload with mtls enabled, as SPIFFE X.509-SVIDs of P-256 keys", () => {
      assert.deepEqual(Object.keys(issued.workloads).sort(), ["billing", "edge-api"]);
      const leaf = new X509Certificate(issued.workloads["edge-api"]!.pem);
      assert.equal(leaf.subjectAltName, `URI:spiffe://id.example.dev/worker/${ACCOUNT_ID}/edge-api`);
      assert.equal(leaf.ca, false);
      assert.deepEqual(leaf.keyUsage, ["1.3.6.1.5.5.7.3.2"], "clientAuth only");
      assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
      assert.equal(leaf.subject, `O=worker-identity\nOU=${ACCOUNT_ID}\nCN=edge-api`);
      const sha256 = Buffer.from(leaf.fingerprint256.replaceAll(":", ""), "hex");
      assert.equal(issued.workloads["edge-api"]!.thumbprint, sha256.toString("base64url"), "x5t#S256 of the DER");
      const chain = issued.workloads["edge-api"]!.chainPem;
      assert.ok(chain.startsWith(issued.workloads["edge-api"]!.pem));
    });

    it("chain to a CA of the bundle: cA with path length 0, the trust domain's SPIFFE ID", () => {
      const bundle = issued.authorities.map((ca) => new X509Certificate(ca.pem));
      assert.ok(bundle.length >= 1, "the bundle holds a CA");
      assert.ok(Object.keys(issued.workloads).length >= 1, "some workload has a certificate");
      for (const ca of bundle) {
        assert.equal(ca.ca, true);
        assert.equal(ca.subjectAltName, "URI:spiffe://id.example.dev");
        assert.ok(ca.verify(ca.publicKey), "self-signed");
      }
      for (const certificate of Object.values(issued.workloads)) {
        const leaf = new X509Certificate(certificate.pem);
        const issuer = bundle.find((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
        assert.ok(issuer, `${certificate.workload}: issued by a CA of the bundle`);
        assert.ok(Date.parse(leaf.validTo) <= Date.parse(issuer.validTo), "ends before its CA");
      }
    });
  });

  describe("renewal windows", () => {
    it("renew once a third of the life is left", () => {
      assert.equal(renewalPeriodDays(30), 20);
      assert.equal(renewalPeriodDays(3), 2);
      assert.equal(renewalPeriodDays(365), 243);
    });

    it("deploy, at any moment, a certificate with more than a third of its life ahead", () => {
      for (let t = NOW; t < NOW + 90 * DAY_MS; t += 0.37 * DAY_MS) {
        for (const validityDays of [3, 14, 30, 90]) {
          const window = currentWindow(validityDays, t);
          const life = window.notAfter.getTime() - window.notBefore.getTime();
          assert.ok(window.notBefore.getTime() <= t - BACKDATE_MS + 1 && t < window.renewsAt.getTime());
          assert.ok(
            (window.notAfter.getTime() - t) / life > 1 / 3 - 0.01,
            `${validityDays} days at ${new Date(t).toISOString()}`,
          );
        }
      }
    });

    it("keep the previous certificate live until its notAfter and not a millisecond longer (30 days: windows of 20)", () => {
      // Day 20,400 of the epoch opens window 1020 of 20 days; window 1019's certificate (day
      // 20,380 + 30) expires at day 20,410.
      const opens = 20_400 * DAY_MS;
      const expires = 20_410 * DAY_MS;
      assert.deepEqual(
        liveWindows(30, opens - 1).map((w) => w.index),
        [1019],
        "window 1018's expired at day 20,390",
      );
      assert.deepEqual(
        liveWindows(30, opens).map((w) => w.index),
        [1019, 1020],
      );
      assert.deepEqual(
        liveWindows(30, expires).map((w) => w.index),
        [1019, 1020],
        "valid through its notAfter (RFC 5280)",
      );
      assert.deepEqual(
        liveWindows(30, expires + 1).map((w) => w.index),
        [1020],
      );
    });

    it("hold, at any moment, every certificate still valid and none expired, the current one last", () => {
      for (const validityDays of [3, 4, 14, 30, 90]) {
        for (let t = NOW; t < NOW + 200 * DAY_MS; t += 0.29 * DAY_MS) {
          const live = liveWindows(validityDays, t);
          const label = `${validityDays} days at ${new Date(t).toISOString()}`;
          assert.ok(
            live.every((w) => w.notAfter.getTime() >= t),
            `${label}: an expired certificate is kept`,
          );
          assert.ok(
            live.at(-1)!.startsAt.getTime() <= t && t < live.at(-1)!.renewsAt.getTime(),
            `${label}: the current window is last`,
          );
          assert.deepEqual(
            live.map((w) => w.index - live[0]!.index),
            live.map((_, i) => i),
            `${label}: consecutive windows`,
          );
          // The window before the oldest kept one has expired, so every older one has too.
          const before = currentWindow(validityDays, live[0]!.startsAt.getTime() - 1);
          assert.ok(before.notAfter.getTime() < t, `${label}: window ${before.index} is still valid but dropped`);
        }
      }
    });

    it("name each certificate resource by its window, stable through the window, the current one taking over the old name", () => {
      const opens = 20_400 * DAY_MS;
      const at = (t: number) => certificateResources("mtls", "edge-api", 30, t);
      assert.deepEqual(
        at(opens).map((r) => [r.name, r.current, r.aliases]),
        [
          ["mtls-edge-api-w1019", false, []],
          ["mtls-edge-api-w1020", true, ["mtls-edge-api"]],
        ],
      );
      for (let t = opens; t < opens + 20 * DAY_MS; t += 0.5 * DAY_MS) {
        assert.equal(at(t).at(-1)!.name, "mtls-edge-api-w1020", new Date(t).toISOString());
      }
      assert.deepEqual(
        at(opens + 20 * DAY_MS).map((r) => r.name),
        ["mtls-edge-api-w1020", "mtls-edge-api-w1021"],
      );
    });

    it("recompute an earlier window's certificate byte for byte, as the release before windowed resources issued it", () => {
      // Thumbprints pinned from the previous release (one resource per workload) at NOW: the
      // certificate an existing stack has uploaded, which the current window's resource adopts.
      const atNow = issueStackCertificates({
        seed: testSeed("ca"),
        accountId: ACCOUNT_ID,
        mtls: config.mtls!,
        workloads: config.workloads,
        nowMs: NOW,
      });
      assert.deepEqual(atNow.thumbprints, {
        billing: "1SUl9cDzwOSl8QX59vpeO7nT2lXbNfWChVWvYXYJ5dY",
        "edge-api": "ELkDFhFY4JYY3bhOa91WTD0j-8Br5l_po6BClBXhr7c",
      });
      const renewed = issueStackCertificates({
        seed: testSeed("ca"),
        accountId: ACCOUNT_ID,
        mtls: config.mtls!,
        workloads: config.workloads,
        nowMs: NOW + 20 * DAY_MS,
      });
      assert.equal(renewed.thumbprints["edge-api"], "YrxLVBIJBFQ6Nz_gmFDtnh4POoGqpuqHumDEJJW_46A");
      assert.deepEqual(
        renewed.previous["edge-api"]!.map((c) => c.thumbprint),
        ["ELkDFhFY4JYY3bhOa91WTD0j-8Br5l_po6BClBXhr7c"],
      );
      assert.equal(renewed.previous["edge-api"]![0]!.pem, atNow.workloads["edge-api"]!.pem);
      assert.equal(renewed.previous["edge-api"]![0]!.privateKeyPem, atNow.workloads["edge-api"]!.privateKeyPem);
      const bundle = renewed.authorities.map((ca) => new X509Certificate(ca.pem));
      const kept = new X509Certificate(renewed.previous["edge-api"]![0]!.pem);
      assert.ok(
        bundle.some((ca) => kept.checkIssued(ca) && kept.verify(ca.publicKey)),
        "the kept certificate's CA is still in the bundle",
      );
    });

    it("keep every certificate's CA in the bundle origins read, for as long as the certificate lives", () => {
      const mtls = { trustDomain: "id.example.dev", caValidityDays: 90 };
      const workload = { ...config.workloads.find((w) => w.name === "edge-api")! };
      for (let issuedAt = NOW; issuedAt < NOW + 400 * DAY_MS; issuedAt += 5 * DAY_MS) {
        const stack = issueStackCertificates({
          seed: testSeed("years"),
          accountId: ACCOUNT_ID,
          mtls,
          workloads: [workload],
          nowMs: issuedAt,
        });
        const leaf = new X509Certificate(stack.workloads["edge-api"]!.pem);
        for (let t = issuedAt; t < Date.parse(leaf.validTo); t += 4 * DAY_MS) {
          const trusted = trustedCaWindows(mtls.caValidityDays, t);
          const issuerWindow = trusted.find((w) => leaf.issuer.endsWith(`CN=mTLS CA ${w.index}`));
          assert.ok(
            issuerWindow,
            `issued ${new Date(issuedAt).toISOString()}: CA missing at ${new Date(t).toISOString()}`,
          );
        }
      }
      assert.ok(trustedCaWindows(90, NOW).length >= 2, "the next CA is always published");
    });
  });
});
