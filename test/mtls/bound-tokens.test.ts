// Certificate-bound tokens (RFC 8705) end to end: the real issuer in workerd binds each mTLS
// workload's tokens to its certificate (cnf x5t#S256 from its runtime config), and a Node origin on
// 127.0.0.1 admits a token only with the certificate it is bound to.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { localMtlsSeed, localWorkloadCertificates } from "../../worker/local/mtls.js";
import type { OriginMtlsOptions } from "../../worker/mtls/node-origin.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { get, type RunningOrigin, stackCertificates, startOrigin, validated } from "../support/mtls-origin.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE, rawStackConfig } from "../support/stack-fixture.js";

const TRUST_DOMAIN = "id.example.dev";

function rawConfig(edgeApiMtls: boolean): Record<string, unknown> {
  return rawStackConfig({
    "worker-identity:mtls": {},
    "worker-identity:workloads": {
      billing: { audiences: [AWS_AUDIENCE, API_AUDIENCE], mtls: { enabled: true } },
      "edge-api": { audiences: [API_AUDIENCE], mtls: { enabled: edgeApiMtls } },
      "ledger-sync": { audiences: [AWS_AUDIENCE, API_AUDIENCE] },
    },
  });
}

const raw = rawConfig(true);
const stack = stackCertificates(validated(raw));
const certificateOf = (workload: string) => ({
  cert: stack.workloads[workload]!.pem,
  key: stack.workloads[workload]!.privateKeyPem,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("certificate-bound tokens: the issuer in workerd and a Node mTLS origin", function () {
  this.timeout(60_000);
  let issuer: IssuerHarness;
  let bound: RunningOrigin;
  let lenient: RunningOrigin;
  const originFor = (issuerUrl: string, tokens: Partial<NonNullable<OriginMtlsOptions["tokens"]>>) =>
    startOrigin({
      caBundle: stack.caBundlePem,
      trustDomain: TRUST_DOMAIN,
      tokens: { verifier: { issuer: issuerUrl, audience: API_AUDIENCE }, ...tokens },
    });

  before(async () => {
    issuer = await IssuerHarness.start({ config: raw, mtlsThumbprints: stack.thumbprints });
    bound = await originFor(issuer.url, { required: true });
    lenient = await originFor(issuer.url, { certificateBound: false });
  });
  after(async () => {
    await bound?.close();
    await lenient?.close();
    await issuer?.dispose();
  });

  it("binds the tokens of workloads with a certificate to it, and only those", async () => {
    for (const workload of ["billing", "edge-api"]) {
      const claims = decodeJwt((await issuer.token(workload, API_AUDIENCE)).token);
      assert.deepEqual(claims.cnf, { "x5t#S256": stack.thumbprints[workload] });
      assert.equal(claims.sub, `worker/${ACCOUNT_ID}/${workload}`);
    }
    assert.equal(decodeJwt((await issuer.token("ledger-sync", API_AUDIENCE)).token).cnf, undefined);
    const discovery = (await (await issuer.fetch("/.well-known/openid-configuration")).json()) as {
      claims_supported: string[];
    };
    assert.ok(discovery.claims_supported.includes("cnf"));
  });

  it("admits the right token with the right certificate", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const answer = await get(bound.url, certificateOf("edge-api"), bearer(token));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.subject, `worker/${ACCOUNT_ID}/edge-api`);
    const verified = answer.body.token as { subject: string; claims: { cnf: unknown } };
    assert.equal(verified.subject, `worker/${ACCOUNT_ID}/edge-api`);
    assert.deepEqual(verified.claims.cnf, { "x5t#S256": answer.body.certificateThumbprint });
  });

  it("refuses a stolen token presented with another workload's certificate (401 invalid_token)", async () => {
    const stolen = (await issuer.token("edge-api", API_AUDIENCE)).token;
    for (const origin of [bound, lenient]) {
      const answer = await get(origin.url, certificateOf("billing"), bearer(stolen));
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, "ERR_TOKEN_CERTIFICATE_MISMATCH");
      assert.equal(answer.headers["www-authenticate"], 'Bearer realm="worker-identity", error="invalid_token"');
      assert.ok(!JSON.stringify(answer.body).includes(stolen.split(".")[1]!), "the body never echoes the token");
    }
  });

  it("refuses a token without cnf where the route demands binding, and checks its subject where it does not", async () => {
    const unbound = (await issuer.token("ledger-sync", API_AUDIENCE)).token;
    const refused = await get(bound.url, certificateOf("edge-api"), bearer(unbound));
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, "ERR_TOKEN_NOT_CERTIFICATE_BOUND");
    const mismatch = await get(lenient.url, certificateOf("edge-api"), bearer(unbound));
    assert.equal(mismatch.status, 403);
    assert.equal(mismatch.body.code, "ERR_TOKEN_SUBJECT_MISMATCH");
  });

  it("answers like the edge middleware for a missing, malformed or unacceptable token", async () => {
    const missing = await get(bound.url, certificateOf("edge-api"));
    assert.equal(missing.status, 401);
    assert.equal(missing.body.code, "ERR_NO_TOKEN");
    assert.equal(missing.headers["www-authenticate"], 'Bearer realm="worker-identity"');
    const malformed = await get(bound.url, certificateOf("edge-api"), { authorization: "Bearer  two spaces" });
    assert.equal(malformed.body.code, "ERR_AUTHORIZATION_HEADER");
    const otherAudience = (await issuer.token("billing", AWS_AUDIENCE)).token;
    const wrong = await get(bound.url, certificateOf("billing"), bearer(otherAudience));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, "ERR_TOKEN_AUDIENCE");
    // The certificate is judged first: a valid token does not stand in for it.
    const noCertificate = await get(bound.url, undefined, bearer((await issuer.token("edge-api", API_AUDIENCE)).token));
    assert.equal(noCertificate.body.code, "ERR_NO_CLIENT_CERTIFICATE");
  });

  describe("a token of the same workload before it had a certificate", () => {
    let unboundIssuer: IssuerHarness;
    let boundRoute: RunningOrigin;
    let lenientRoute: RunningOrigin;
    before(async () => {
      unboundIssuer = await IssuerHarness.start({ config: rawConfig(false) });
      boundRoute = await originFor(unboundIssuer.url, {});
      lenientRoute = await originFor(unboundIssuer.url, { certificateBound: false });
    });
    after(async () => {
      await boundRoute?.close();
      await lenientRoute?.close();
      await unboundIssuer?.dispose();
    });

    it("fails on a route that demands binding, passes on one that does not", async () => {
      const { token } = await unboundIssuer.token("edge-api", API_AUDIENCE);
      assert.equal(decodeJwt(token).cnf, undefined);
      const refused = await get(boundRoute.url, certificateOf("edge-api"), bearer(token));
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, "ERR_TOKEN_NOT_CERTIFICATE_BOUND");
      assert.equal((await get(lenientRoute.url, certificateOf("edge-api"), bearer(token))).status, 200);
    });

    it("the local stack binds to its own certificates when given no thumbprints", async () => {
      const local = localWorkloadCertificates(
        unboundIssuer.config,
        localMtlsSeed(unboundIssuer.keyEncryptionKey),
        Date.now(),
      );
      const claims = decodeJwt((await unboundIssuer.token("billing", API_AUDIENCE)).token);
      assert.deepEqual(claims.cnf, { "x5t#S256": local?.thumbprints.billing });
    });

    it("the local stack refuses to build an issuer for a workload with mtls whose thumbprint it was not given", async () => {
      await assert.rejects(
        unboundIssuer.restart({ mtlsThumbprints: {} }),
        /\[ERR_ISSUER_CONFIG\] workload 'billing' has mtls enabled, but no certificate thumbprint was given for it/,
      );
      // The running issuer is untouched: it still binds billing's tokens to the certificate it was built with.
      const claims = decodeJwt((await unboundIssuer.token("billing", API_AUDIENCE)).token);
      assert.ok(typeof (claims.cnf as Record<string, unknown> | undefined)?.["x5t#S256"] === "string");
    });
  });
});
