// The trust matrix of end-to-end-trust.test.ts across both issuers: the program (under mocks)
// federates the dev stack with billing (aws and gcp) and ledger-sync (aws) also holding
// Cloudflare-native tokens; the issuer in workerd mints the worker-identity tokens, and native
// tokens are their standard claims alone (iss, sub, aud: nothing else of them is public). The
// IAM engine and the CEL engine decide: a native token of a workload reaches its role and service
// account and nothing else; a worker-identity token carrying a native subject, a native token
// with the right sub but another issuer or audience, and look-alike subjects reach nothing.

import assert from "node:assert/strict";
import { EvaluationError, evaluate } from "@marcbachmann/cel-js";
import { decodeJwt } from "jose";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { simulateTrust } from "../support/iam-simulator.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ofType, type RecordedResource } from "../support/pulumi-mocks.js";
import { forgedNativeSubjectTokens, nativeTokenCorpus } from "../trust/look-alikes.js";

const ACCOUNT = String(dev.config["worker-identity:accountId"]);
const ISSUER_URL = `https://${String(dev.config["worker-identity:issuerHostname"])}`;
const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/7f3a";
const OTHER_NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/9e9e";
const AWS_AUDIENCE = "sts.amazonaws.com";
const GCP_AUDIENCE =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/worker-identity/providers/worker-identity";
const NATIVE: Record<string, { subject: string; audiences: string[] }> = {
  billing: { subject: "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f", audiences: [AWS_AUDIENCE, GCP_AUDIENCE] },
  "ledger-sync": { subject: "cf:worker:11111111-2222-4333-8444-555555555555", audiences: [AWS_AUDIENCE] },
};
const WORKLOAD_USER = "roles/iam.workloadIdentityUser";
const AWS_ACCOUNT = "111122223333";

/** A token as a relying party sees it: who signed it, and its standard claims. */
interface Token {
  readonly label: string;
  readonly claims: Record<string, unknown> & { iss: string; sub: string; aud: string };
  /** The workload whose role and account it must open, or undefined: nothing. */
  readonly owner: string | undefined;
}

const prefixOf = (issuer: string) => issuer.slice("https://".length);

describe("end to end across both issuers: native-token workloads beside worker-identity ones", function () {
  this.timeout(120_000);
  const tokens: Token[] = [];
  let roles: RecordedResource[];
  let providers: RecordedResource[];
  let pools: RecordedResource[];
  let poolProviders: RecordedResource[];
  let grants: RecordedResource[];

  before(async () => {
    const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<
      string,
      Record<string, unknown>
    >;
    for (const [name, native] of Object.entries(NATIVE)) workloads[name]!.native = { issuer: NATIVE_ISSUER, ...native };
    await runProgram(engineConfig({ "worker-identity:workloads": workloads }));
    roles = ofType("aws:iam/role:Role");
    providers = ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    pools = ofType("gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
    poolProviders = ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    grants = ofType("gcp:serviceaccount/iAMMember:IAMMember").filter((g) => g.inputs.role === WORKLOAD_USER);

    const issuer = await IssuerHarness.start({ config: { ...dev.config } });
    try {
      for (const workload of issuer.config.workloads) {
        for (const audience of workload.audiences) {
          const { token } = await issuer.token(workload.name, audience);
          // The harness serves locally; deployed, the same token's iss is the stack's issuer URL.
          const claims = { ...(decodeJwt(token) as Token["claims"]), iss: ISSUER_URL };
          tokens.push({ label: `${workload.name}'s token for ${audience}`, claims, owner: workload.name });
          if (workload.name === "edge-api") {
            tokens.push(
              ...forgedNativeSubjectTokens(claims, NATIVE.billing!.subject, { aws: AWS_AUDIENCE, gcp: GCP_AUDIENCE }),
            );
          }
        }
      }
    } finally {
      await issuer.dispose();
    }
    tokens.push(
      ...nativeTokenCorpus(NATIVE, {
        native: NATIVE_ISSUER,
        otherNative: OTHER_NATIVE_ISSUER,
        own: ISSUER_URL,
        account: ACCOUNT,
      }),
    );
  });

  it("AWS: each token assumes its own workload's role through its issuer's provider, and nothing else", async () => {
    // STS takes a token through the provider named after its iss (a missing one: refused before any policy).
    const arnOf = (issuer: string) => `arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/${prefixOf(issuer)}`;
    assert.deepEqual(providers.map((p) => p.inputs.url).sort(), [ISSUER_URL, NATIVE_ISSUER].sort());
    const workloadRoles = roles.filter((r) => (r.inputs.tags as Record<string, string>)["worker-identity:workload"]);
    assert.ok(workloadRoles.length >= 2);
    let allowed = 0;
    for (const role of workloadRoles) {
      const policy = JSON.parse(String(role.inputs.assumeRolePolicy)) as object;
      const owner = (role.inputs.tags as Record<string, string>)["worker-identity:workload"];
      for (const token of tokens) {
        const prefix = prefixOf(token.claims.iss);
        const decision = await simulateTrust(policy, {
          principal: arnOf(token.claims.iss),
          action: "sts:AssumeRoleWithWebIdentity",
          roleArn: `arn:aws:iam::${AWS_ACCOUNT}:role/${String(role.inputs.name)}`,
          account: AWS_ACCOUNT,
          context: { [`${prefix}:sub`]: token.claims.sub, [`${prefix}:aud`]: token.claims.aud },
        });
        const expected = token.owner === owner && token.claims.aud === AWS_AUDIENCE;
        assert.equal(decision === "Allowed", expected, `${token.label} on ${owner}'s role: ${decision}`);
        if (expected) allowed++;
      }
    }
    // Each AWS workload's worker-identity token, plus billing's and ledger-sync's native ones.
    assert.equal(allowed, workloadRoles.length + Object.keys(NATIVE).length);
  });

  it("GCP: a token admitted by its issuer's provider becomes only its own workload's principal", () => {
    const pool = pools[0]!;
    const poolName = `projects/123456789012/locations/global/workloadIdentityPools/${String(pool.inputs.workloadIdentityPoolId)}`;
    assert.equal(poolProviders.length, 2, "the issuer's provider and the native issuer's");
    let reached = 0;
    for (const token of tokens) {
      // GCP STS takes a token at the provider whose issuerUri is its iss (the request names the provider).
      const reachable: string[] = [];
      for (const provider of poolProviders) {
        const oidc = provider.inputs.oidc as { issuerUri: string; allowedAudiences: string[] };
        if (oidc.issuerUri !== token.claims.iss || !oidc.allowedAudiences.includes(token.claims.aud)) continue;
        const mapping = provider.inputs.attributeMapping as Record<string, string>;
        let admitted: boolean;
        try {
          admitted = evaluate(String(provider.inputs.attributeCondition), { assertion: token.claims }) === true;
        } catch (error) {
          if (!(error instanceof EvaluationError)) throw error;
          admitted = false;
        }
        if (!admitted) continue;
        const subject = evaluate(mapping["google.subject"]!, { assertion: token.claims });
        const principal = `principal://iam.googleapis.com/${poolName}/subject/${String(subject)}`;
        reachable.push(...grants.filter((g) => g.inputs.member === principal).map((g) => String(g.name)));
      }
      const expected = token.owner !== undefined && token.claims.aud === GCP_AUDIENCE;
      if (!expected) {
        assert.deepEqual(reachable, [], `${token.label} reaches ${reachable.join(", ")}`);
        continue;
      }
      assert.equal(reachable.length, 1, `${token.label} reaches ${reachable.join(", ") || "nothing"}`);
      assert.match(reachable[0]!, new RegExp(`^gcp-${token.owner}-`), `${token.label} reaches another account`);
      reached++;
    }
    // billing's and reports-exporter's worker-identity tokens, and billing's native one.
    assert.equal(reached, 3);
  });
});
