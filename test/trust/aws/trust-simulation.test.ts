// The security proof of the AWS federation: real tokens minted by the issuer in workerd, judged by
// an independent IAM policy engine (@cloud-copilot/iam-simulate) against the trust policies
// trust-policy.ts builds. Each workload's token opens its own role and no other.

import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { type TrustPolicyDocument, webIdentityTrustPolicy } from "../../../worker/trust/aws/trust-policy.js";
import { type Decision, simulateTrust } from "../../support/iam-simulator.js";
import { IssuerHarness } from "../../support/issuer-harness.js";
import { ACCOUNT_ID, AWS_AUDIENCE } from "../../support/stack-fixture.js";
import { OTHER_ISSUER_HOST } from "../look-alikes.js";

// The harness serves the issuer at http://127.0.0.1:<port>, so its tokens' iss differs from a
// deployed one in scheme and port only. AWS names the condition keys after the host of the https
// provider URL, so the policies use the production-style URL and the requests carry the token's
// sub and aud under that host's keys, as STS would put them after checking iss and signature.
const ISSUER_URL = "https://id.example.dev";
const HOST = "id.example.dev";
const ROLE_ACCOUNT = "111122223333";
const PROVIDER_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:oidc-provider/${HOST}`;
const OTHER_HOST = OTHER_ISSUER_HOST;
const OTHER_PROVIDER_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:oidc-provider/${OTHER_HOST}`;

/** The fixture's workloads that list sts.amazonaws.com; billing's tokens carry session tags. */
const AWS_ROLES = [
  { workload: "billing", tagSession: true },
  { workload: "ledger-sync", tagSession: false },
] as const;

interface MintedToken {
  readonly workload: string;
  readonly audience: string;
  readonly sub: string;
  readonly aud: string;
}

function roleArn(workload: string): string {
  return `arn:aws:iam::${ROLE_ACCOUNT}:role/wid-${workload}`;
}

function trustPolicyFor(workload: string, tagSession: boolean): TrustPolicyDocument {
  return webIdentityTrustPolicy({
    providerArn: PROVIDER_ARN,
    issuerUrl: ISSUER_URL,
    subject: `worker/${ACCOUNT_ID}/${workload}`,
    audience: AWS_AUDIENCE,
    tagSession,
  });
}

function tokenContext(token: Pick<MintedToken, "sub" | "aud">, host = HOST): Record<string, string> {
  return { [`${host}:sub`]: token.sub, [`${host}:aud`]: token.aud };
}

function decide(
  policy: object,
  request: { principal: string; action: string; role: string; context: Record<string, string> },
): Promise<Decision> {
  return simulateTrust(policy, { ...request, roleArn: roleArn(request.role), account: ROLE_ACCOUNT });
}

describe("AWS trust policies judged by an independent IAM engine, with tokens from the issuer in workerd", () => {
  let issuer: IssuerHarness;
  const tokens: MintedToken[] = [];

  before(async () => {
    issuer = await IssuerHarness.start();
    for (const workload of issuer.config.workloads) {
      for (const audience of workload.audiences) {
        const { token } = await issuer.token(workload.name, audience);
        const claims = decodeJwt(token);
        assert.equal(claims.iss, issuer.url);
        assert.equal(typeof claims.sub, "string");
        assert.equal(typeof claims.aud, "string");
        tokens.push({ workload: workload.name, audience, sub: claims.sub as string, aud: claims.aud as string });
      }
    }
  });
  after(async () => {
    await issuer?.dispose();
  });

  function tokenOf(workload: string, audience: string): MintedToken {
    const found = tokens.find((t) => t.workload === workload && t.audience === audience);
    assert.ok(found, `no ${audience} token for ${workload}`);
    return found;
  }

  it("minted tokens for every workload and audience, AWS ones included", () => {
    assert.ok(tokens.length >= 5, JSON.stringify(tokens));
    for (const { workload } of AWS_ROLES) assert.ok(tokenOf(workload, AWS_AUDIENCE));
  });

  it("lets each token assume a role iff the role is its own workload's and the audience is STS's", async () => {
    const outcomes: string[] = [];
    let allowed = 0;
    for (const role of AWS_ROLES) {
      const policy = trustPolicyFor(role.workload, role.tagSession);
      for (const token of tokens) {
        const decision = await decide(policy, {
          principal: PROVIDER_ARN,
          action: "sts:AssumeRoleWithWebIdentity",
          role: role.workload,
          context: tokenContext(token),
        });
        const expected = token.workload === role.workload && token.audience === AWS_AUDIENCE;
        if (decision === "Allowed") allowed += 1;
        outcomes.push(`${token.workload}(${token.audience}) -> ${role.workload}: ${decision}`);
        assert.equal(decision === "Allowed", expected, outcomes.join("\n"));
      }
    }
    assert.equal(allowed, AWS_ROLES.length, outcomes.join("\n"));
  });

  it("refuses billing's own role to billing's token for another audience", async () => {
    const gcpToken = tokens.find((t) => t.workload === "billing" && t.audience !== AWS_AUDIENCE);
    assert.ok(gcpToken);
    const decision = await decide(trustPolicyFor("billing", true), {
      principal: PROVIDER_ARN,
      action: "sts:AssumeRoleWithWebIdentity",
      role: "billing",
      context: tokenContext(gcpToken),
    });
    assert.equal(decision, "ImplicitlyDenied");
  });

  it("refuses a request through another OIDC provider, whatever its token says", async () => {
    const billing = tokenOf("billing", AWS_AUDIENCE);
    for (const context of [tokenContext(billing, OTHER_HOST), tokenContext(billing)]) {
      const decision = await decide(trustPolicyFor("billing", true), {
        principal: OTHER_PROVIDER_ARN,
        action: "sts:AssumeRoleWithWebIdentity",
        role: "billing",
        context,
      });
      assert.equal(decision, "ImplicitlyDenied", JSON.stringify(context));
    }
  });

  it("refuses sts:AssumeRole, from the provider or from an IAM role of the account", async () => {
    const billing = tokenOf("billing", AWS_AUDIENCE);
    for (const principal of [PROVIDER_ARN, `arn:aws:iam::${ROLE_ACCOUNT}:role/admin`]) {
      const decision = await decide(trustPolicyFor("billing", true), {
        principal,
        action: "sts:AssumeRole",
        role: "billing",
        context: tokenContext(billing),
      });
      assert.equal(decision, "ImplicitlyDenied", principal);
    }
  });

  it("refuses a request missing the sub or the aud key", async () => {
    const billing = tokenContext(tokenOf("billing", AWS_AUDIENCE));
    for (const missing of [`${HOST}:sub`, `${HOST}:aud`]) {
      const context = { ...billing };
      delete context[missing];
      const decision = await decide(trustPolicyFor("billing", true), {
        principal: PROVIDER_ARN,
        action: "sts:AssumeRoleWithWebIdentity",
        role: "billing",
        context,
      });
      assert.equal(decision, "ImplicitlyDenied", missing);
    }
  });

  it("allows sts:TagSession only on the role built for session tags", async () => {
    const outcomes: Record<string, Decision> = {};
    for (const role of AWS_ROLES) {
      outcomes[role.workload] = await decide(trustPolicyFor(role.workload, role.tagSession), {
        principal: PROVIDER_ARN,
        action: "sts:TagSession",
        role: role.workload,
        context: tokenContext(tokenOf(role.workload, AWS_AUDIENCE)),
      });
    }
    assert.deepEqual(outcomes, { billing: "Allowed", "ledger-sync": "ImplicitlyDenied" });
  });

  // Controls: the engine really evaluates the conditions, so the refusals above are not vacuous.
  it("control: a StringLike subject wildcard would let ledger-sync into billing's role", async () => {
    const loose = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${HOST}:aud`]: AWS_AUDIENCE },
            StringLike: { [`${HOST}:sub`]: `worker/${ACCOUNT_ID}/*` },
          },
        },
      ],
    };
    const decision = await decide(loose, {
      principal: PROVIDER_ARN,
      action: "sts:AssumeRoleWithWebIdentity",
      role: "billing",
      context: tokenContext(tokenOf("ledger-sync", AWS_AUDIENCE)),
    });
    assert.equal(decision, "Allowed");
  });

  it("control: without the aud condition billing's GCP-audience token would open its role", async () => {
    const policy = trustPolicyFor("billing", false);
    const statement = policy.Statement[0];
    assert.ok(statement);
    const withoutAud: TrustPolicyDocument = {
      ...policy,
      Statement: [{ ...statement, Condition: { StringEquals: { [`${HOST}:sub`]: `worker/${ACCOUNT_ID}/billing` } } }],
    };
    const gcpToken = tokens.find((t) => t.workload === "billing" && t.audience !== AWS_AUDIENCE);
    assert.ok(gcpToken);
    const decision = await decide(withoutAud, {
      principal: PROVIDER_ARN,
      action: "sts:AssumeRoleWithWebIdentity",
      role: "billing",
      context: tokenContext(gcpToken),
    });
    assert.equal(decision, "Allowed");
  });
});
