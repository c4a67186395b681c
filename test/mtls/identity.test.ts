// The pure pieces of certificate-bound identity: SPIFFE IDs, the thumbprints in the issuer's
// runtime config, and the `cnf` claim of a workload token.

import assert from "node:assert/strict";
import { parseWorkloadSpiffeId, workloadSpiffeId } from "../../worker/config/spiffe.js";
import type { WorkloadConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { checkRuntimeConfig } from "../../worker/runtime-config/check.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { workloadTokenClaims } from "../../worker/tokens/claims.js";
import { issuerSettings } from "../support/issuer-settings.js";
import { PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const THUMBPRINT = "q3dB1KYwXh0mV7cF5P8s0lq9Yk2b3nNq2V6xT1rU4eM";
const WORKLOAD: WorkloadConfig = {
  name: "edge-api",
  subject: `worker/${ACCOUNT}/edge-api`,
  entrypoint: "Workload_edge_api",
  audiences: ["https://api.example.dev"],
  tokenLifetimeSeconds: 300,
  maxTokenLifetimeSeconds: 900,
  claims: {},
  mtls: { spiffeId: `spiffe://id.example.dev/worker/${ACCOUNT}/edge-api`, validityDays: 30 },
};

describe("SPIFFE IDs of workloads", () => {
  it("name the token subject in the trust domain, and parse back", () => {
    const id = workloadSpiffeId("id.example.dev", WORKLOAD.subject);
    assert.equal(id, WORKLOAD.mtls?.spiffeId);
    assert.deepEqual(parseWorkloadSpiffeId(id), {
      spiffeId: id,
      trustDomain: "id.example.dev",
      subject: WORKLOAD.subject,
      accountId: ACCOUNT,
      workload: "edge-api",
    });
  });

  it("parse nothing but an exact Worker SPIFFE ID", () => {
    const base = `spiffe://id.example.dev/worker/${ACCOUNT}`;
    for (const uri of [
      `${base}/edge-api/`,
      `${base}/edge-api?x=1`,
      `${base}/edge%2Dapi`,
      `${base}/../edge-api`,
      `${base}/Edge-Api`,
      `spiffe://ID.example.dev/worker/${ACCOUNT}/edge-api`,
      `spiffe://id.example.dev:443/worker/${ACCOUNT}/edge-api`,
      `https://id.example.dev/worker/${ACCOUNT}/edge-api`,
      `spiffe://id.example.dev/workflow/${ACCOUNT}/edge-api`,
      `spiffe://id.example.dev/worker/${ACCOUNT.slice(1)}/edge-api`,
      `${base}/edge-api#x`,
      `${base}/a/b`,
    ]) {
      assert.equal(parseWorkloadSpiffeId(uri), undefined, uri);
    }
  });
});

describe("certificate thumbprints in the issuer's runtime config", () => {
  const config = validateStackConfig(
    rawStackConfig({
      "worker-identity:mtls": {},
      "worker-identity:workloads": {
        "edge-api": { audiences: ["https://api.example.dev"], mtls: { enabled: true } },
        "ledger-sync": { audiences: ["sts.amazonaws.com"] },
      },
    }),
    { project: PROJECT, stack: STACK },
  );
  const entry = (name: string, thumbprints: Record<string, string>) =>
    runtimeConfigOf(config, thumbprints).workloads.find((w) => w.name === name);

  it("binds a workload with mtls to its thumbprint, and leaves the others unbound", () => {
    assert.equal(entry("edge-api", { "edge-api": THUMBPRINT })?.certificateThumbprint, THUMBPRINT);
    assert.equal(entry("ledger-sync", { "edge-api": THUMBPRINT })?.certificateThumbprint, undefined);
  });

  it("refuses to build for a workload with mtls but no thumbprint", () => {
    assert.throws(
      () => runtimeConfigOf(config, {}),
      /\[ERR_ISSUER_CONFIG\] workload 'edge-api' has mtls enabled, but no certificate thumbprint was given/,
    );
  });

  it("refuses a thumbprint for a workload without mtls, or for no workload", () => {
    for (const name of ["ledger-sync", "ghost"]) {
      assert.throws(
        () => runtimeConfigOf(config, { "edge-api": THUMBPRINT, [name]: THUMBPRINT }),
        new RegExp(`thumbprint was given for '${name}', which is not a registered workload with mtls enabled`),
      );
    }
  });

  it("is refused by the Worker's check when malformed", () => {
    const document = { ...runtimeConfigOf(config, { "edge-api": THUMBPRINT }) };
    const broken = {
      ...document,
      workloads: document.workloads.map((w) => (w.name === "edge-api" ? { ...w, certificateThumbprint: "abc" } : w)),
    };
    assert.throws(
      () => checkRuntimeConfig(broken),
      /workloads\[0\]\.certificateThumbprint must be a base64url SHA-256 thumbprint \(43 characters\)/,
    );
  });
});

describe("workloadTokenClaims: cnf", () => {
  const input = {
    issuer: issuerSettings(),
    workload: WORKLOAD,
    audience: "https://api.example.dev",
    issuedAt: 1_700_000_000,
    lifetimeSeconds: 300,
    jti: "j",
  };

  it("carries cnf x5t#S256 (RFC 8705) when the workload has a certificate thumbprint", () => {
    assert.deepEqual(workloadTokenClaims({ ...input, certificateThumbprint: THUMBPRINT }).cnf, {
      "x5t#S256": THUMBPRINT,
    });
  });

  it("carries no cnf otherwise, and a static claim can never set one", () => {
    assert.equal(workloadTokenClaims(input).cnf, undefined);
    const claims = workloadTokenClaims({
      ...input,
      workload: { ...WORKLOAD, claims: { cnf: "x" } },
      certificateThumbprint: THUMBPRINT,
    });
    assert.deepEqual(claims.cnf, { "x5t#S256": THUMBPRINT });
  });
});
