// `wid verify` on a certificate-bound token: it verifies only with the certificate the token is
// bound to (--certificate), as every relying party of ours requires (RFC 8705 §3).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IssuerHarness } from "../support/issuer-harness.js";
import { stackCertificates, validated } from "../support/mtls-origin.js";
import { runTsx } from "../support/run-tsx.js";
import { API_AUDIENCE, rawStackConfig } from "../support/stack-fixture.js";

const CLI = "worker/cli/main.ts";

describe("wid verify --certificate: certificate-bound tokens", function () {
  this.timeout(60_000);
  const raw = rawStackConfig({
    "worker-identity:mtls": {},
    "worker-identity:workloads": {
      "edge-api": { audiences: [API_AUDIENCE], mtls: { enabled: true } },
      billing: { audiences: [API_AUDIENCE], mtls: { enabled: true } },
    },
  });
  const certificates = stackCertificates(validated(raw));
  const dir = mkdtempSync(join(tmpdir(), "wid-verify-"));
  const pemFile = (workload: string) => {
    const path = join(dir, `${workload}.pem`);
    writeFileSync(path, certificates.workloads[workload]!.pem);
    return path;
  };
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start({ config: raw, mtlsThumbprints: certificates.thumbprints });
  });
  after(async () => {
    await issuer?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = (token: string, ...flags: string[]) =>
    runTsx(CLI, ["verify", token, "--audience", API_AUDIENCE, "--issuer", issuer.url, ...flags]);

  it("fails on a bound token without --certificate, naming ERR_TOKEN_CERTIFICATE_REQUIRED", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const result = await verify(token);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /ERR_TOKEN_CERTIFICATE_REQUIRED/);
  });

  it("verifies a bound token with its own certificate, and fails with another workload's", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const own = await verify(token, "--certificate", pemFile("edge-api"));
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stdout, /"x5t#S256"/);
    const other = await verify(token, "--certificate", pemFile("billing"));
    assert.equal(other.code, 1);
    assert.match(other.stderr, /ERR_TOKEN_CERTIFICATE_MISMATCH/);
  });

  it("takes the certificate's thumbprint instead of its PEM, and refuses one that is not an x5t#S256", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const own = await verify(token, "--certificate-thumbprint", certificates.thumbprints["edge-api"]!);
    assert.equal(own.code, 0, own.stderr);
    const other = await verify(token, "--certificate-thumbprint", certificates.thumbprints.billing!);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /ERR_TOKEN_CERTIFICATE_MISMATCH/);
    const malformed = await verify(token, "--certificate-thumbprint", "not-a-thumbprint");
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--certificate-thumbprint must be an x5t#S256/);
    const both = await verify(
      token,
      "--certificate-thumbprint",
      certificates.thumbprints["edge-api"]!,
      "--certificate",
      pemFile("edge-api"),
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
  });

  it("refuses a --certificate that is not a PEM certificate as a usage error", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const notPem = join(dir, "not.pem");
    writeFileSync(notPem, "hello");
    for (const path of [notPem, join(dir, "missing.pem")]) {
      const result = await verify(token, "--certificate", path);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--certificate .* must be a readable PEM certificate/);
    }
  });
});
