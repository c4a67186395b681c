// The pure pieces of certificate-bound identity: SPIFFE IDs, the issuer's MTLS_THUMBPRINTS
// binding, and the `cnf` claim of a workload token.

import assert from "node:assert/strict";
import type { WorkloadConfig } from "../../worker/config/types.js";
import { parseWorkloadSpiffeId, workloadSpiffeId } from "../../worker/mtls/spiffe.js";
import { certificateThumbprints, thumbprintFor } from "../../worker/mtls/thumbprints.js";
import { workloadTokenClaims } from "../../worker/tokens/claims.js";
import { issuerSettings } from "../support/issuer-settings.js";

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
      spiffeId: id, trustDomain: "id.example.dev", subject: WORKLOAD.subject, accountId: ACCOUNT, workload: "edge-api",
    });
  });

  it("parse nothing but an exact Worker SPIFFE ID", () => {
    const base = `spiffe://id.example.dev/worker/${ACCOUNT}`;
    for (const uri of [
      `${base}/edge-api/`, `${base}/edge-api?x=1`, `${base}/edge%2Dapi`, `${base}/../edge-api`, `${base}/Edge-Api`,
      `spiffe://ID.example.dev/worker/${ACCOUNT}/edge-api`, `spiffe://id.example.dev:443/worker/${ACCOUNT}/edge-api`,
      `https://id.example.dev/worker/${ACCOUNT}/edge-api`, `spiffe://id.example.dev/workflow/${ACCOUNT}/edge-api`,
      `spiffe://id.example.dev/worker/${ACCOUNT.slice(1)}/edge-api`, `${base}/edge-api#x`, `${base}/a/b`,
    ]) {
      assert.equal(parseWorkloadSpiffeId(uri), undefined, uri);
    }
  });
});

describe("the MTLS_THUMBPRINTS binding", () => {
  it("binds a workload with mtls to its thumbprint, and leaves the others unbound", () => {
    const binding = JSON.stringify({ "edge-api": THUMBPRINT, "ledger-sync": THUMBPRINT });
    assert.equal(thumbprintFor(WORKLOAD, binding), THUMBPRINT);
    const { mtls: _, ...withoutMtls } = WORKLOAD;
    assert.equal(thumbprintFor({ ...withoutMtls, name: "ledger-sync" }, binding), undefined, "the config decides, not the binding");
  });

  it("refuses to issue for a workload with mtls but no thumbprint", () => {
    assert.throws(() => thumbprintFor(WORKLOAD, undefined), /\[ERR_ISSUER_CONFIG\] workload 'edge-api' has mtls enabled/);
    assert.throws(() => thumbprintFor(WORKLOAD, "{}"), /no certificate thumbprint for it; redeploy the issuer/);
  });

  for (const [what, source, message] of [
    ["not JSON", "{", /is not JSON/],
    ["not an object", "[]", /must be a JSON object/],
    ["a malformed thumbprint", JSON.stringify({ "edge-api": "abc" }), /entry for 'edge-api' is not a base64url SHA-256 thumbprint/],
  ] as const) {
    it(`refuses a binding that is ${what}`, () => {
      assert.throws(() => certificateThumbprints(source), message);
    });
  }
});

describe("workloadTokenClaims: cnf", () => {
  const input = { issuer: issuerSettings(), workload: WORKLOAD, audience: "https://api.example.dev", issuedAt: 1_700_000_000, lifetimeSeconds: 300, jti: "j" };

  it("carries cnf x5t#S256 (RFC 8705) when the workload has a certificate thumbprint", () => {
    assert.deepEqual(workloadTokenClaims({ ...input, certificateThumbprint: THUMBPRINT }).cnf, { "x5t#S256": THUMBPRINT });
  });

  it("carries no cnf otherwise, and a static claim can never set one", () => {
    assert.equal(workloadTokenClaims(input).cnf, undefined);
    const claims = workloadTokenClaims({ ...input, workload: { ...WORKLOAD, claims: { cnf: "x" } }, certificateThumbprint: THUMBPRINT });
    assert.deepEqual(claims.cnf, { "x5t#S256": THUMBPRINT });
  });
});
