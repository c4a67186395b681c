import assert from "node:assert/strict";
import type { IssuerSettings, WorkloadConfig } from "../../worker/config/types.js";
import {
  AWS_SESSION_TAGS_CLAIM,
  awsSessionTagsClaim,
  type WorkloadTokenInput,
  workloadTokenClaims,
} from "../../worker/tokens/claims.js";
import { issuerSettings } from "../support/issuer-settings.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

const ISSUER: IssuerSettings = issuerSettings({ accountId: ACCOUNT, environment: "stage" });

const BILLING: WorkloadConfig = {
  name: "billing",
  subject: `worker/${ACCOUNT}/billing`,
  entrypoint: "Workload_billing",
  audiences: ["sts.amazonaws.com"],
  tokenLifetimeSeconds: 300,
  maxTokenLifetimeSeconds: 900,
  claims: {},
};

function input(overrides: Partial<WorkloadTokenInput> = {}): WorkloadTokenInput {
  return {
    issuer: ISSUER,
    workload: BILLING,
    audience: "sts.amazonaws.com",
    issuedAt: 1_700_000_000,
    lifetimeSeconds: 300,
    jti: "jti-0001",
    ...overrides,
  };
}

describe("workloadTokenClaims", () => {
  it("derives every identity and time claim from the inputs", () => {
    assert.deepEqual(workloadTokenClaims(input()), {
      iss: "https://id.example.dev",
      sub: `worker/${ACCOUNT}/billing`,
      aud: "sts.amazonaws.com",
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      exp: 1_700_000_300,
      jti: "jti-0001",
      account_id: ACCOUNT,
      worker: "billing",
      environment: "stage",
    });
  });

  it("sets exp = iat + lifetime and nbf = iat for the given lifetime and time", () => {
    const claims = workloadTokenClaims(input({ issuedAt: 1_234_567_890, lifetimeSeconds: 45 }));
    assert.equal(claims.iat, 1_234_567_890);
    assert.equal(claims.nbf, 1_234_567_890);
    assert.equal(claims.exp, 1_234_567_935);
  });

  it("carries the requested audience and the given jti", () => {
    const claims = workloadTokenClaims(input({ audience: "https://api.internal.example.dev", jti: "another-jti" }));
    assert.equal(claims.aud, "https://api.internal.example.dev");
    assert.equal(claims.jti, "another-jti");
  });

  it("adds the workload's static claims next to the identity claims", () => {
    const workload: WorkloadConfig = {
      ...BILLING,
      claims: { team: "payments", tier: 1, flags: ["a", "b"], meta: { x: null } },
    };
    const claims = workloadTokenClaims(input({ workload }));
    assert.equal(claims.team, "payments");
    assert.equal(claims.tier, 1);
    assert.deepEqual(claims.flags, ["a", "b"]);
    assert.deepEqual(claims.meta, { x: null });
    assert.equal(claims.sub, `worker/${ACCOUNT}/billing`);
  });

  it("never lets static claims shadow identity claims, even when the validator is bypassed", () => {
    const workload: WorkloadConfig = {
      ...BILLING,
      claims: {
        sub: "worker/attacker/admin",
        iss: "https://evil.example",
        worker: "admin",
        aud: "everything",
        exp: 9_999_999_999,
        account_id: "ffffffffffffffffffffffffffffffff",
        environment: "prod",
        jti: "fixed",
      },
    };
    const claims = workloadTokenClaims(input({ workload }));
    assert.equal(claims.sub, `worker/${ACCOUNT}/billing`);
    assert.equal(claims.iss, "https://id.example.dev");
    assert.equal(claims.worker, "billing");
    assert.equal(claims.aud, "sts.amazonaws.com");
    assert.equal(claims.exp, 1_700_000_300);
    assert.equal(claims.account_id, ACCOUNT);
    assert.equal(claims.environment, "stage");
    assert.equal(claims.jti, "jti-0001");
  });

  it("omits the AWS tags claim when the workload has no session tags", () => {
    const claims = workloadTokenClaims(input());
    assert.equal(AWS_SESSION_TAGS_CLAIM in claims, false);
  });

  it("adds AWS session tags under https://aws.amazon.com/tags", () => {
    const workload: WorkloadConfig = {
      ...BILLING,
      awsSessionTags: { principalTags: { team: "payments", "cost-center": "cc-1234" }, transitiveTagKeys: ["team"] },
    };
    const claims = workloadTokenClaims(input({ workload }));
    assert.deepEqual(claims["https://aws.amazon.com/tags"], {
      principal_tags: { team: ["payments"], "cost-center": ["cc-1234"] },
      transitive_tag_keys: ["team"],
    });
  });

  it("does not let a static claim named like the AWS tags claim replace configured session tags", () => {
    const workload: WorkloadConfig = {
      ...BILLING,
      claims: { "https://aws.amazon.com/tags": { principal_tags: { role: ["admin"] } } },
      awsSessionTags: { principalTags: { team: "payments" }, transitiveTagKeys: [] },
    };
    const claims = workloadTokenClaims(input({ workload }));
    assert.deepEqual(claims["https://aws.amazon.com/tags"], { principal_tags: { team: ["payments"] } });
  });

  it("does not mutate the workload's claims", () => {
    const staticClaims = { team: "payments" };
    const workload: WorkloadConfig = {
      ...BILLING,
      claims: staticClaims,
      awsSessionTags: { principalTags: { team: "payments" }, transitiveTagKeys: [] },
    };
    workloadTokenClaims(input({ workload }));
    assert.deepEqual(staticClaims, { team: "payments" });
  });
});

describe("awsSessionTagsClaim", () => {
  it("wraps each tag value in a one-element array and keeps transitive keys", () => {
    assert.deepEqual(
      awsSessionTagsClaim({ principalTags: { team: "payments", env: "stage" }, transitiveTagKeys: ["team", "env"] }),
      { principal_tags: { team: ["payments"], env: ["stage"] }, transitive_tag_keys: ["team", "env"] },
    );
  });

  it("omits transitive_tag_keys entirely when there are none", () => {
    const claim = awsSessionTagsClaim({ principalTags: { team: "payments" }, transitiveTagKeys: [] });
    assert.deepEqual(claim, { principal_tags: { team: ["payments"] } });
    assert.equal("transitive_tag_keys" in claim, false);
  });

  it("gives an empty principal_tags object for no tags", () => {
    assert.deepEqual(awsSessionTagsClaim({ principalTags: {}, transitiveTagKeys: [] }), { principal_tags: {} });
  });

  it("copies the transitive keys rather than sharing the config's array", () => {
    const keys = ["team"];
    const claim = awsSessionTagsClaim({ principalTags: { team: "payments" }, transitiveTagKeys: keys });
    claim.transitive_tag_keys?.push("injected");
    assert.deepEqual(keys, ["team"]);
  });
});
