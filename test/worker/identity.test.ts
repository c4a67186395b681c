import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { IssuerHarness, type RpcOutcome } from "../support/issuer-harness.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE } from "../support/stack-fixture.js";

function refusal(outcome: RpcOutcome, code: string): string {
  assert.equal(outcome.result, undefined, `expected ${code}, got a token`);
  assert.ok(outcome.error, "expected an error");
  assert.ok(outcome.error.message.includes(`[${code}]`), `expected ${code} in: ${outcome.error.message}`);
  return outcome.error.message;
}

describe("issuer in workerd: identity comes only from the binding", () => {
  let issuer: IssuerHarness;

  before(async () => {
    issuer = await IssuerHarness.start();
  });
  after(async () => {
    await issuer?.dispose();
  });

  it("refuses a binding with no identity, naming both ways to give one", async () => {
    const message = refusal(await issuer.call("NO_IDENTITY", "token", AWS_AUDIENCE), "ERR_NO_IDENTITY");
    assert.match(message, /entrypoint/);
    assert.match(message, /props/);
  });

  it("refuses a workload that is not registered, naming the stack config key", async () => {
    const message = refusal(await issuer.call("UNKNOWN", "token", AWS_AUDIENCE), "ERR_UNKNOWN_WORKLOAD");
    assert.match(message, /"ghost"/);
    assert.match(message, /worker-identity:workloads/);
  });

  it("exposes no token method on the default export", async () => {
    const outcome = await issuer.call("DEFAULT_EXPORT", "token", AWS_AUDIENCE);
    // workerd's own refusal of an RPC method the entrypoint does not have: no issuer code ran, so
    // the error carries no ERR_ code (any other error, a refusal of ours included, fails here).
    assert.deepEqual(outcome, {
      error: { name: "TypeError", message: 'The RPC receiver does not implement the method "token".' },
    });
  });

  it("refuses an audience outside the workload's allow-list, listing the allowed ones", async () => {
    const message = refusal(await issuer.call("ENTRY_ledger-sync", "token", GCP_AUDIENCE), "ERR_AUDIENCE_NOT_ALLOWED");
    assert.match(message, /sts\.amazonaws\.com/);
    assert.match(message, /workloads\.ledger-sync\.audiences/);
  });

  it("refuses another workload's audience even through props", async () => {
    refusal(await issuer.call("PROPS_reports-exporter", "token", API_AUDIENCE), "ERR_AUDIENCE_NOT_ALLOWED");
  });

  it("refuses a lifetime above the workload's cap, and above the issuer's cap", async () => {
    const workloadCap = refusal(
      await issuer.call("ENTRY_reports-exporter", "token", GCP_AUDIENCE, { lifetimeSeconds: 901 }),
      "ERR_LIFETIME_TOO_LONG",
    );
    assert.match(workloadCap, /900/);
    refusal(
      await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, { lifetimeSeconds: 3601 }),
      "ERR_LIFETIME_TOO_LONG",
    );
  });

  const malformed: [string, unknown[]][] = [
    ["no audience", []],
    ["a numeric audience", [42]],
    ["an empty audience", [""]],
    ["an array of audiences", [[AWS_AUDIENCE]]],
    ["options that are not an object", [AWS_AUDIENCE, "600"]],
    ["a fractional lifetime", [AWS_AUDIENCE, { lifetimeSeconds: 90.5 }]],
    ["a lifetime below the minimum", [AWS_AUDIENCE, { lifetimeSeconds: 5 }]],
    ["a negative lifetime", [AWS_AUDIENCE, { lifetimeSeconds: -300 }]],
    ["a string lifetime", [AWS_AUDIENCE, { lifetimeSeconds: "300" }]],
  ];
  for (const [name, args] of malformed) {
    it(`refuses malformed arguments: ${name}`, async () => {
      refusal(await issuer.call("ENTRY_billing", "token", ...args), "ERR_INVALID_REQUEST");
    });
  }

  const identityOverrides: [string, Record<string, unknown>][] = [
    ["workload", { workload: "edge-api" }],
    ["sub", { sub: `worker/${ACCOUNT_ID}/edge-api` }],
    ["claims", { claims: { worker: "edge-api" } }],
    ["props", { props: { workload: "edge-api" } }],
  ];
  for (const [option, options] of identityOverrides) {
    it(`ignores no identity-bearing option: refuses '${option}' in the arguments`, async () => {
      const message = refusal(
        await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, options),
        "ERR_INVALID_REQUEST",
      );
      assert.match(message, /identity comes from the service binding/);
    });
  }

  it("signs nothing for any refused request, and logs each refusal with its code", async () => {
    await issuer.settleLogs();
    const issuedBefore = issuer.events("token.issued").length;
    const refusedBefore = issuer.events("token.refused").length;
    await issuer.call("UNKNOWN", "token", AWS_AUDIENCE);
    await issuer.call("ENTRY_ledger-sync", "token", GCP_AUDIENCE);
    await issuer.call("ENTRY_billing", "token", AWS_AUDIENCE, { workload: "edge-api" });
    await issuer.settleLogs();
    assert.equal(issuer.events("token.issued").length, issuedBefore);
    const refused = issuer.events("token.refused").slice(refusedBefore);
    assert.deepEqual(
      refused.map((e) => [e.workload, e.code]),
      [
        [null, "ERR_UNKNOWN_WORKLOAD"],
        ["ledger-sync", "ERR_AUDIENCE_NOT_ALLOWED"],
        ["billing", "ERR_INVALID_REQUEST"],
      ],
    );
  });

  it("logs one line per issued token with workload, aud, kid, jti and exp, never the token", async () => {
    const before = issuer.events("token.issued").length;
    const { token } = await issuer.token("billing", GCP_AUDIENCE, { lifetimeSeconds: 120 });
    await issuer.settleLogs();
    const issued = issuer.events("token.issued").slice(before);
    assert.equal(issued.length, 1);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(issued[0]!).sort(), ["aud", "event", "exp", "jti", "kid", "workload"]);
    assert.equal(issued[0]!.jti, claims.jti);
    assert.equal(issued[0]!.exp, claims.exp);
    const signature = token.split(".")[2]!;
    assert.ok(!issuer.logs.some((line) => line.includes(signature)), "a token's signature appeared in the logs");
  });

  it("still issues a valid token to a correctly bound workload after all those refusals", async () => {
    const { token } = await issuer.token("edge-api", API_AUDIENCE);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`)), {
      issuer: issuer.url,
      audience: API_AUDIENCE,
    });
    assert.equal(payload.sub, `worker/${ACCOUNT_ID}/edge-api`);
  });
});
