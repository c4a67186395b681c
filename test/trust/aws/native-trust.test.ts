// The AWS documents of a workload's native tokens as pure functions: the condition-key prefix
// (host and path), the one exact statement, and the labels IAM accepts.

import assert from "node:assert/strict";
import { nativeProviderTags } from "../../../infra/native-issuer.js";
import { nativeTrustPolicyCharacters } from "../../../worker/config/native.js";
import { validateStackConfig } from "../../../worker/config/validate.js";
import { stackWarnings } from "../../../worker/config/warnings.js";
import {
  NATIVE_TRUST_STATEMENT_SID,
  nativeIssuerKeyPrefix,
  nativeRoleTags,
  nativeTrustStatement,
} from "../../../worker/trust/aws/native-trust.js";
import { webIdentityTrustPolicy } from "../../../worker/trust/aws/trust-policy.js";
import { CLOUD_AWS_AUDIENCE, cloudRaw, cloudWithWorkload } from "../../config/cloud-fixtures.js";
import { OPTIONS } from "../../config/fixtures.js";

const ISSUER = "https://oidc.cloudflare.example/accounts/7f3a";
const ARN = "arn:aws:iam::111122223333:oidc-provider/oidc.cloudflare.example/accounts/7f3a";
const SUBJECT = "cf:worker:7d1f0c2e";

describe("native trust in AWS", () => {
  it("keys conditions by the issuer's host and path, as IAM names a provider with a path", () => {
    assert.equal(nativeIssuerKeyPrefix(ISSUER), "oidc.cloudflare.example/accounts/7f3a");
    for (const bad of [`${ISSUER}/`, "http://oidc.cloudflare.example", `${ISSUER}?x=1`, "https://a.example:8443/x"]) {
      assert.throws(() => nativeIssuerKeyPrefix(bad), /native issuer/);
    }
  });

  it("trusts exactly one subject and the audience, with StringEquals and no TagSession", () => {
    assert.deepEqual(
      nativeTrustStatement({
        providerArn: ARN,
        native: { issuer: ISSUER, subject: SUBJECT },
        audience: "sts.amazonaws.com",
      }),
      {
        Sid: NATIVE_TRUST_STATEMENT_SID,
        Effect: "Allow",
        Principal: { Federated: ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.cloudflare.example/accounts/7f3a:sub": SUBJECT,
            "oidc.cloudflare.example/accounts/7f3a:aud": "sts.amazonaws.com",
          },
        },
      },
    );
    for (const subject of ["", "cf:*", "cf:?", "cf: x"]) {
      assert.throws(
        () =>
          nativeTrustStatement({
            providerArn: ARN,
            native: { issuer: ISSUER, subject },
            audience: "sts.amazonaws.com",
          }),
        /not one exact subject/,
      );
    }
  });

  it("refuses a native statement through the issuer's own provider", () => {
    const own = "arn:aws:iam::111122223333:oidc-provider/id.example.dev";
    const native = nativeTrustStatement({
      providerArn: own,
      native: { issuer: ISSUER, subject: SUBJECT },
      audience: "a",
    });
    assert.throws(
      () =>
        webIdentityTrustPolicy({
          providerArn: own,
          issuerUrl: "https://id.example.dev",
          subject: "worker/0123456789abcdef0123456789abcdef/billing",
          audience: "a",
          tagSession: false,
          native,
        }),
      /names the issuer's own provider/,
    );
  });

  it("tags the subject only when IAM's tag characters hold it (the description always names it)", () => {
    assert.deepEqual(nativeRoleTags({ issuer: ISSUER, subject: SUBJECT }), {
      "worker-identity:native-subject": SUBJECT,
      "worker-identity:native-issuer": ISSUER,
    });
    assert.deepEqual(nativeRoleTags({ issuer: ISSUER, subject: "cf|worker|1" }), {
      "worker-identity:native-issuer": ISSUER,
    });
    assert.equal(
      nativeProviderTags(ISSUER, ["ledger", "billing"], "prod")["worker-identity:workloads"],
      "billing ledger",
    );
  });
});

describe("the validator's estimate of a native workload's trust policy", () => {
  it("is the size IAM counts of the document the program builds", () => {
    for (const [subject, tagSession] of [
      [SUBJECT, false],
      [`cf:${"x".repeat(900)}`, true],
    ] as const) {
      const own = "arn:aws:iam::111122223333:oidc-provider/id.example.dev";
      const document = webIdentityTrustPolicy({
        providerArn: own,
        issuerUrl: "https://id.example.dev",
        subject: "worker/0123456789abcdef0123456789abcdef/billing",
        audience: "sts.amazonaws.com",
        tagSession,
        native: nativeTrustStatement({
          providerArn: ARN,
          native: { issuer: ISSUER, subject },
          audience: "sts.amazonaws.com",
        }),
      });
      assert.equal(
        nativeTrustPolicyCharacters("https://id.example.dev", "sts.amazonaws.com", {
          subject: "worker/0123456789abcdef0123456789abcdef/billing",
          native: { issuer: ISSUER, subject, audiences: ["sts.amazonaws.com"] },
          tagSession,
        }),
        JSON.stringify(document).replace(/\s/g, "").length,
      );
    }
  });

  it("warns, naming the quota, when a long native subject passes 2,048 characters", () => {
    const raw = cloudWithWorkload("ledger-sync", (settings) => {
      settings.native = { issuer: ISSUER, subject: `cf:${"x".repeat(2_000)}`, audiences: [CLOUD_AWS_AUDIENCE] };
    });
    const warnings = stackWarnings(validateStackConfig(raw, OPTIONS));
    const trust = warnings.filter((w) => w.subject === "IAM role trust policy size");
    assert.equal(trust.length, 1);
    assert.match(trust[0]!.message, /workload 'ledger-sync''s role .* more than the default quota of 2,048/);
    assert.deepEqual(
      stackWarnings(validateStackConfig(cloudRaw(), OPTIONS)).filter((w) => w.subject === "IAM role trust policy size"),
      [],
    );
  });
});
