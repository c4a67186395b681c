// Certificate-bound tokens at the edge middleware, in workerd, as attacks (RFC 8705 §3). The
// issuer binds edge-api's and billing's tokens to their certificates (issued by the stack's CA
// code, as `pulumi up` issues them); the middleware learns the client certificate only from
// `request.cf.tlsClientAuth`, which Cloudflare sets on a hostname with mTLS and which these tests
// pass through Miniflare's `cf`, field for field as a real mTLS request carries it (the strings
// Cloudflare documents; the fingerprint is node's OpenSSL digest of the certificate, not ours).

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { decodeJwt } from "jose";
import { HARNESS_RULES, harnessStackConfig, MiddlewareHarness } from "../support/middleware-harness.js";
import { stackCertificates, validated } from "../support/mtls-origin.js";
import { API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

const OPT_OUT_ROUTE = "/bearer-ok/1";

function stackConfig(): Record<string, unknown> {
  const config = harnessStackConfig();
  const workloads = config["worker-identity:workloads"] as Record<string, Record<string, unknown>>;
  workloads.billing = { ...workloads.billing, mtls: { enabled: true } };
  workloads["edge-api"] = { ...workloads["edge-api"], mtls: { enabled: true } };
  workloads["ledger-sync"] = { audiences: [AWS_AUDIENCE, GCP_AUDIENCE, API_AUDIENCE] };
  return { ...config, "worker-identity:mtls": {} };
}

const RULES = {
  rules: [
    ...HARNESS_RULES.rules,
    { methods: ["GET"], path: "/bearer-ok/*", allow: "authenticated", acceptBoundTokensWithoutCertificate: true },
  ],
};

/** `request.cf.tlsClientAuth` for a verified client certificate, as Cloudflare's edge fills it. */
function tlsClientAuth(pem: string, changes: Record<string, string> = {}): Record<string, string> {
  const certificate = new X509Certificate(pem);
  const dn = (text: string) => text.split("\n").reverse().join(",");
  return {
    certPresented: "1",
    certVerified: "SUCCESS",
    certRevoked: "0",
    certIssuerDN: dn(certificate.issuer),
    certSubjectDN: dn(certificate.subject),
    certIssuerDNRFC2253: dn(certificate.issuer),
    certSubjectDNRFC2253: dn(certificate.subject),
    certIssuerDNLegacy: `/${certificate.issuer.split("\n").join("/")}`,
    certSubjectDNLegacy: `/${certificate.subject.split("\n").join("/")}`,
    certSerial: certificate.serialNumber,
    certIssuerSerial: "",
    certSKI: "",
    certIssuerSKI: "",
    certFingerprintSHA1: certificate.fingerprint.replaceAll(":", "").toLowerCase(),
    certFingerprintSHA256: certificate.fingerprint256.replaceAll(":", "").toLowerCase(),
    certNotBefore: certificate.validFrom,
    certNotAfter: certificate.validTo,
    ...changes,
  };
}

/** What Cloudflare sets when the hostname asks for a certificate and none is sent. */
const NO_CERTIFICATE = {
  certPresented: "0",
  certVerified: "NONE",
  certRevoked: "0",
  certIssuerDN: "",
  certSubjectDN: "",
  certIssuerDNRFC2253: "",
  certSubjectDNRFC2253: "",
  certIssuerDNLegacy: "",
  certSubjectDNLegacy: "",
  certSerial: "",
  certIssuerSerial: "",
  certSKI: "",
  certIssuerSKI: "",
  certFingerprintSHA1: "",
  certFingerprintSHA256: "",
  certNotBefore: "",
  certNotAfter: "",
};

describe("edge middleware in workerd, reading Cloudflare's client certificates: certificate-bound tokens need theirs (RFC 8705 §3)", function () {
  this.timeout(120_000);
  const raw = stackConfig();
  const certificates = stackCertificates(validated(raw));
  const pemOf = (workload: string) => certificates.workloads[workload]!.pem;
  let h: MiddlewareHarness;

  before(async () => {
    // This middleware is told it is reached through its zone alone, so `cf` is Cloudflare's.
    h = await MiddlewareHarness.start({
      config: raw,
      rules: RULES,
      mtlsThumbprints: certificates.thumbprints,
      bindings: { CLIENT_CERTIFICATES: "cloudflare-edge" },
    });
  });
  after(async () => h?.dispose());

  async function send(
    route: string,
    token: string,
    cf?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const forwarded = h.forwarded.length;
    const response = await h.request(route, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(cf ? { cf } : {}),
    } as RequestInit);
    const body = (await response.json()) as Record<string, unknown>;
    return {
      status: response.status,
      body,
      challenge: response.headers.get("www-authenticate"),
      reachedOrigin: h.forwarded.length > forwarded,
    };
  }

  async function refused(
    route: string,
    token: string,
    code: string,
    cf?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    const answer = await send(route, token, cf, headers);
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
    assert.equal(answer.body.code, code);
    assert.equal(answer.challenge, 'Bearer realm="worker-identity", error="invalid_token"');
    assert.ok(!answer.reachedOrigin, "a refused request reached the origin");
    assert.ok(!JSON.stringify(answer.body).includes(token), "the refusal echoes the token");
  }

  it("control: the issuer binds edge-api's tokens to its certificate, and not ledger-sync's", async () => {
    const claims = decodeJwt(await h.token("edge-api"));
    const fingerprint = Buffer.from(
      new X509Certificate(pemOf("edge-api")).fingerprint256.replaceAll(":", ""),
      "hex",
    ).toString("base64url");
    assert.deepEqual(claims.cnf, { "x5t#S256": fingerprint });
    assert.equal(decodeJwt(await h.token("ledger-sync")).cnf, undefined);
  });

  it("refuses a bound token sent as a plain bearer token: no cf, and a hostname without mTLS", async () => {
    const token = await h.token("edge-api");
    await refused("/reports/1", token, "ERR_TOKEN_CERTIFICATE_REQUIRED");
    await refused("/whoami", token, "ERR_TOKEN_CERTIFICATE_REQUIRED", { colo: "LHR", country: "GB" });
  });

  it("refuses a bound token when the client sent no certificate, or one Cloudflare did not verify or knows is revoked", async () => {
    const token = await h.token("edge-api");
    const own = pemOf("edge-api");
    for (const auth of [
      NO_CERTIFICATE,
      tlsClientAuth(own, { certVerified: "FAILED:self signed certificate" }),
      tlsClientAuth(own, { certVerified: "FAILED:unable to get local issuer certificate" }),
      tlsClientAuth(own, { certVerified: "NONE" }),
      tlsClientAuth(own, { certRevoked: "1" }),
      tlsClientAuth(own, { certRevoked: "" }),
      tlsClientAuth(own, { certPresented: "0" }),
      tlsClientAuth(own, { certFingerprintSHA256: "" }),
    ]) {
      await refused("/reports/1", token, "ERR_TOKEN_CERTIFICATE_REQUIRED", { tlsClientAuth: auth });
    }
  });

  it("refuses a stolen bound token presented with another workload's verified certificate, on every route", async () => {
    const stolen = await h.token("edge-api");
    for (const route of ["/reports/1", "/whoami", OPT_OUT_ROUTE]) {
      await refused(route, stolen, "ERR_TOKEN_CERTIFICATE_MISMATCH", {
        tlsClientAuth: tlsClientAuth(pemOf("billing")),
      });
    }
  });

  it("cannot be talked into a certificate by request headers", async () => {
    const token = await h.token("edge-api");
    const fingerprint = tlsClientAuth(pemOf("edge-api")).certFingerprintSHA256!;
    await refused("/reports/1", token, "ERR_TOKEN_CERTIFICATE_REQUIRED", undefined, {
      "cf-client-cert-sha256": fingerprint,
      "x-client-cert-fingerprint": fingerprint,
      "ssl-client-cert": pemOf("edge-api").replace(/\n/g, ""),
      "x-forwarded-client-cert": `Hash=${fingerprint}`,
      "cf-tlsclientauth": JSON.stringify(tlsClientAuth(pemOf("edge-api"))),
    });
  });

  it("admits a bound token with the verified certificate it is bound to", async () => {
    const answer = await send("/reports/1", await h.token("edge-api"), {
      tlsClientAuth: tlsClientAuth(pemOf("edge-api")),
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(answer.reachedOrigin);
    assert.equal((answer.body.identity as { workload: string }).workload, "edge-api");
  });

  it("admits a bound token without a certificate only on the route that opts out by name", async () => {
    const token = await h.token("edge-api");
    const answer = await send(OPT_OUT_ROUTE, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    await refused("/whoami", token, "ERR_TOKEN_CERTIFICATE_REQUIRED");
  });

  it("admits an unbound token with or without a client certificate", async () => {
    const token = await h.token("ledger-sync");
    for (const cf of [
      undefined,
      { tlsClientAuth: NO_CERTIFICATE },
      { tlsClientAuth: tlsClientAuth(pemOf("billing")) },
    ]) {
      assert.equal((await send("/whoami", token, cf)).status, 200);
    }
  });

  it("logs why a bound token was refused, without the token", async () => {
    const token = await h.token("edge-api");
    await refused("/whoami", token, "ERR_TOKEN_CERTIFICATE_REQUIRED", {
      tlsClientAuth: tlsClientAuth(pemOf("edge-api"), { certVerified: "FAILED:certificate has expired" }),
    });
    await h.settleLogs();
    const entry = h
      .events("middleware.refused")
      .find((e) => e.code === "ERR_TOKEN_CERTIFICATE_REQUIRED" && String(e.reason).includes("certificate has expired"));
    assert.ok(entry, "no log line names the certificate verdict");
    assert.ok(!JSON.stringify(entry).includes(token));
  });
});

describe("edge middleware in workerd, by default: no client certificate is believed, whoever wrote cf", function () {
  this.timeout(120_000);
  const raw = stackConfig();
  const certificates = stackCertificates(validated(raw));
  let h: MiddlewareHarness;

  // The harness's own rules, without any opt-out, and no CLIENT_CERTIFICATES binding: a Worker
  // that reaches the middleware through a service binding chooses `request.cf` itself, so by
  // default the middleware reads no certificate from it.
  before(async () => {
    h = await MiddlewareHarness.start({ config: raw, mtlsThumbprints: certificates.thumbprints });
  });
  after(async () => h?.dispose());

  it("refuses a bound token sent as a plain bearer token, on every protected route", async () => {
    const token = await h.token("edge-api");
    for (const route of ["/reports/1", "/whoami"]) {
      const response = await h.request(route, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 401, route);
      assert.equal(((await response.json()) as { code: string }).code, "ERR_TOKEN_CERTIFICATE_REQUIRED");
    }
    assert.equal(h.forwarded.length, 0);
  });

  it("refuses a bound token with the cf of its own verified certificate, as a caller over a service binding can write it", async () => {
    const token = await h.token("edge-api");
    const forged = { tlsClientAuth: tlsClientAuth(certificates.workloads["edge-api"]!.pem) };
    const response = await h.request("/reports/1", {
      headers: { authorization: `Bearer ${token}` },
      cf: forged,
    } as RequestInit);
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, "ERR_TOKEN_CERTIFICATE_REQUIRED");
    await h.settleLogs();
    assert.ok(
      h.events("middleware.refused").some((e) => String(e.reason).includes("reads no client certificate")),
      "the log does not say why",
    );
  });

  it("admits an unbound token as before", async () => {
    const response = await h.request("/whoami", {
      headers: { authorization: `Bearer ${await h.token("ledger-sync")}` },
    });
    assert.equal(response.status, 200);
  });
});

describe("edge middleware in workerd: a route that opts out cannot lend its opt-out to another rule's route on a loose origin", function () {
  this.timeout(120_000);
  const raw = stackConfig();
  const certificates = stackCertificates(validated(raw));
  let h: MiddlewareHarness;

  // /admin/keys needs the certificate; /Admin/* opts out. An origin that routes without case runs
  // /admin/keys for /Admin/keys, so a bound token without its certificate must not get there.
  before(async () => {
    h = await MiddlewareHarness.start({
      config: raw,
      mtlsThumbprints: certificates.thumbprints,
      rules: {
        rules: [
          { methods: ["GET"], path: "/admin/keys", allow: "authenticated" },
          { methods: ["GET"], path: "/Admin/*", allow: "authenticated", acceptBoundTokensWithoutCertificate: true },
        ],
      },
    });
  });
  after(async () => h?.dispose());

  it("refuses /Admin/keys for a bound token without its certificate (400), as /admin/keys itself refuses it (401)", async () => {
    const headers = { authorization: `Bearer ${await h.token("edge-api")}` };
    const strict = await h.request("/admin/keys", { headers });
    assert.equal(strict.status, 401);
    const loose = await h.request("/Admin/keys", { headers });
    assert.equal(loose.status, 400);
    assert.equal(((await loose.json()) as { code: string }).code, "ERR_REQUEST_PATH");
    assert.equal(h.forwarded.length, 0);
    // An unbound token passes both rules, so the loose route takes it nowhere new.
    assert.equal(
      (await h.request("/Admin/keys", { headers: { authorization: `Bearer ${await h.token("ledger-sync")}` } })).status,
      200,
    );
  });
});
