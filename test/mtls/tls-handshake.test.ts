// Real TLS handshakes on 127.0.0.1: Node origins that request a client certificate accept the
// workload certificates the stack issues and refuse one of another CA, an expired one, and none,
// both at the TLS layer (rejectUnauthorized) and, through the middleware, with problem+json.

import assert from "node:assert/strict";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import { createOriginAuthenticator } from "../../worker/mtls/node-origin.js";
import { certificateAuthority, workloadCertificate } from "../../worker/mtls-ca/authority.js";
import { currentWindow } from "../../worker/mtls-ca/renewal.js";
import {
  DAY_MS,
  get,
  getHttp2,
  HOST,
  type RunningOrigin,
  serverCredentials,
  stackCertificates,
  startOrigin,
  testSeed,
  validated,
} from "../support/mtls-origin.js";
import { ACCOUNT_ID, rawStackConfig } from "../support/stack-fixture.js";

const config = validated(
  rawStackConfig({
    "worker-identity:mtls": { trustDomain: "id.example.dev" },
    "worker-identity:workloads": {
      billing: { audiences: ["sts.amazonaws.com"], mtls: { enabled: true } },
      "edge-api": { audiences: ["https://api.internal.example.dev"], mtls: { enabled: true, validityDays: 7 } },
    },
  }),
);
const stack = stackCertificates(config);
const credentials = (workload: string) => ({
  cert: stack.workloads[workload]!.pem,
  key: stack.workloads[workload]!.privateKeyPem,
});
const foreign = stackCertificates(config, "another stack");

/** edge-api's certificate from the stack's own current CA, but its validity ended yesterday. */
function expiredCredentials() {
  const edge = config.workloads.find((w) => w.name === "edge-api")!;
  const now = Date.now();
  const ca = certificateAuthority(
    testSeed("stack"),
    ACCOUNT_ID,
    config.mtls!,
    currentWindow(config.mtls!.caValidityDays, now),
  );
  assert.ok(stack.authorities.some((trusted) => trusted.pem === ca.pem));
  const window = currentWindow(7, now);
  const expired = workloadCertificate(
    testSeed("stack"),
    ACCOUNT_ID,
    ca,
    { name: edge.name, mtls: edge.mtls! },
    window,
    {
      notBefore: new Date(now - 8 * DAY_MS),
      notAfter: new Date(now - DAY_MS),
    },
  );
  return { cert: expired.pem, key: expired.privateKeyPem };
}

describe("mTLS on loopback: a Node https origin with requestCert", function () {
  this.timeout(30_000);

  describe("at the TLS layer (rejectUnauthorized: true)", () => {
    let port: number;
    let server: ReturnType<typeof createServer>;
    before(async () => {
      server = createServer(
        { ...serverCredentials, ca: stack.caBundlePem, requestCert: true, rejectUnauthorized: true },
        (_req, res) => {
          res.end("ok");
        },
      );
      await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    type Version = "TLSv1.2" | "TLSv1.3";
    /** One request after the handshake; resolves with the answer, rejects with the TLS failure or "not served". */
    const exchange = (client: { cert?: string; key?: string }, version: Version) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(
          { host: HOST, port, ca: serverCredentials.cert, minVersion: version, maxVersion: version, ...client },
          () => {
            socket.write(`GET / HTTP/1.1\r\nhost: ${HOST}\r\nconnection: close\r\n\r\n`);
          },
        );
        let text = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => (text += chunk));
        socket.on("end", () => (text.startsWith("HTTP/1.1 200") ? resolve(text) : reject(new Error("not served"))));
        socket.on("error", reject);
      });

    it("accepts the workload's certificate (TLS 1.2 and 1.3)", async () => {
      for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
        assert.match(await exchange(credentials("edge-api"), version), /\r\n\r\nok$/);
      }
    });

    // Node accepts any certificate inside the handshake and, with rejectUnauthorized, drops the
    // connection right after it when the chain does not verify: the client learns nothing but a
    // close (the reason to judge certificates in the middleware instead). Only a missing
    // certificate fails the handshake itself, with an alert.
    const refused: [string, () => { cert?: string; key?: string }, RegExp, RegExp][] = [
      [
        "a certificate from another CA",
        () => ({ cert: foreign.workloads["edge-api"]!.pem, key: foreign.workloads["edge-api"]!.privateKeyPem }),
        /not served|ECONNRESET/,
        /not served|ECONNRESET/,
      ],
      ["an expired certificate", expiredCredentials, /not served|ECONNRESET/, /not served|ECONNRESET/],
      ["a connection without a certificate", () => ({}), /alert handshake failure/, /alert certificate required/],
    ];
    for (const [what, client, tls12, tls13] of refused) {
      it(`refuses ${what}`, async () => {
        await assert.rejects(exchange(client(), "TLSv1.2"), tls12);
        await assert.rejects(exchange(client(), "TLSv1.3"), tls13);
      });
    }
  });

  describe("through the origin middleware (rejectUnauthorized: false, problem+json answers)", () => {
    let origin: RunningOrigin;
    before(async () => {
      origin = await startOrigin({ caBundle: stack.caBundlePem, trustDomain: "id.example.dev", accountId: ACCOUNT_ID });
    });
    after(() => origin.close());

    it("admits the workload's certificate and maps its URI SAN to the workload identity", async () => {
      const answer = await get(origin.url, credentials("edge-api"));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        subject: `worker/${ACCOUNT_ID}/edge-api`,
        workload: "edge-api",
        accountId: ACCOUNT_ID,
        spiffeId: `spiffe://id.example.dev/worker/${ACCOUNT_ID}/edge-api`,
        certificateThumbprint: stack.thumbprints["edge-api"],
      });
    });

    const refusals: [string, () => { cert?: string; key?: string } | undefined, string][] = [
      [
        "a certificate from another CA",
        () => ({ cert: foreign.workloads.billing!.pem, key: foreign.workloads.billing!.privateKeyPem }),
        "ERR_CLIENT_CERTIFICATE_UNTRUSTED",
      ],
      ["an expired certificate", expiredCredentials, "ERR_CLIENT_CERTIFICATE_EXPIRED"],
      ["no certificate", () => undefined, "ERR_NO_CLIENT_CERTIFICATE"],
    ];
    for (const [what, client, code] of refusals) {
      it(`refuses ${what}: 401 ${code}, problem+json, WWW-Authenticate`, async () => {
        const presented = client();
        const answer = await get(
          origin.url,
          presented?.cert ? { cert: presented.cert, key: presented.key! } : undefined,
        );
        assert.equal(answer.status, 401);
        assert.equal(answer.headers["content-type"], "application/problem+json");
        assert.equal(answer.headers["www-authenticate"], 'mTLS realm="worker-identity"');
        assert.equal(answer.body.code, code);
        assert.equal(answer.body.status, 401);
        assert.equal(answer.body.type, `urn:worker-identity:problem:${code}`);
      });
    }

    it("refuses a certificate of this CA whose workload the route does not admit (403)", async () => {
      const narrow = await startOrigin({
        caBundle: stack.caBundlePem,
        trustDomain: "id.example.dev",
        workloads: ["billing"],
      });
      try {
        const answer = await get(narrow.url, credentials("edge-api"));
        assert.equal(answer.status, 403);
        assert.equal(answer.body.code, "ERR_WORKLOAD_NOT_ADMITTED");
        assert.equal((await get(narrow.url, credentials("billing"))).status, 200);
      } finally {
        await narrow.close();
      }
    });

    it("refuses a certificate naming another trust domain or account (403)", async () => {
      for (const options of [
        { trustDomain: "api.example.org" },
        { trustDomain: "id.example.dev", accountId: "f".repeat(32) },
      ]) {
        const other = await startOrigin({ caBundle: stack.caBundlePem, ...options });
        try {
          const answer = await get(other.url, credentials("billing"));
          assert.equal(answer.status, 403);
          assert.equal(answer.body.code, "ERR_CLIENT_CERTIFICATE_IDENTITY");
        } finally {
          await other.close();
        }
      }
    });

    it("works the same over HTTP/2 behind http2.createSecureServer (compatibility API)", async () => {
      const h2 = await startOrigin({ caBundle: stack.caBundlePem, trustDomain: "id.example.dev" }, "http2");
      try {
        const admitted = await getHttp2(h2.url, credentials("billing"));
        assert.equal(admitted.status, 200);
        assert.equal(admitted.body.workload, "billing");
        const refused = await getHttp2(h2.url);
        assert.equal(refused.status, 401);
        assert.equal(refused.body.code, "ERR_NO_CLIENT_CERTIFICATE");
        assert.equal(refused.headers["content-type"], "application/problem+json");
      } finally {
        await h2.close();
      }
    });
  });

  it("refuses a caBundle that is not CA certificates when the middleware is built", () => {
    assert.throws(() => createOriginAuthenticator({ caBundle: "", trustDomain: "id.example.dev" }), TypeError);
    assert.throws(
      () => createOriginAuthenticator({ caBundle: stack.workloads.billing!.pem, trustDomain: "id.example.dev" }),
      TypeError,
    );
  });
});
