// wid explain's evaluators agree with the independent engines the trust tests use, case by case:
// the IAM simulator (@cloud-copilot/iam-simulate) on every AWS role's trust policy and the CEL
// engine (@marcbachmann/cel-js) on every GCP provider's mapping and condition, over the same
// look-alike subjects, audiences, issuers and account ids those tests generate (test/trust/
// look-alikes.ts), on the dev stack and on it with native tokens registered. Each case's answer
// comes from the engine; the evaluator must give the same one.

import assert from "node:assert/strict";
import { EvaluationError, evaluate } from "@marcbachmann/cel-js";
import type { JWTPayload } from "jose";
import type { StackConfig } from "../../worker/config/types.js";
import { explainAwsTrust } from "../../worker/explain/aws.js";
import { CelEvaluationError, compileCel } from "../../worker/explain/cel.js";
import { awsTrustPolicy, gcpTrustDocument, type Owner } from "../../worker/explain/documents.js";
import { explainGcpTrust, type GcpTrustDocument } from "../../worker/explain/gcp.js";
import { mintedClaims } from "../../worker/explain/stack.js";
import { simulateTrust } from "../support/iam-simulator.js";
import { claimLookAlikes, forgedNativeSubjectTokens, nativeTokenCorpus } from "../trust/look-alikes.js";
import {
  ACCOUNT,
  AWS_ACCOUNT,
  AWS_AUDIENCE,
  devStack,
  GCP_AUDIENCE,
  ISSUER_URL,
  NATIVE,
  NATIVE_ISSUER,
  nativeStack,
  OTHER_NATIVE_ISSUER,
} from "./stacks.js";

interface Case {
  readonly label: string;
  readonly claims: JWTPayload;
}

const NOW = 1_800_000_000;

function owners(config: StackConfig): Owner[] {
  return [
    ...config.workloads.map((entry): Owner => ({ kind: "workload", entry })),
    ...config.workflows.map((entry): Owner => ({ kind: "workflow", entry })),
  ];
}

/** Every identity's genuine claims for each of its audiences, and every look-alike of each. */
function corpus(config: StackConfig): Case[] {
  const cases: Case[] = [];
  for (const owner of owners(config)) {
    for (const audience of owner.entry.audiences) {
      const claims = mintedClaims(config, owner, audience, NOW) as JWTPayload;
      cases.push({ label: `${owner.entry.name}'s token for ${audience}`, claims });
      const other = audience === AWS_AUDIENCE ? GCP_AUDIENCE : AWS_AUDIENCE;
      for (const lookAlike of claimLookAlikes(claims, other)) {
        cases.push({ label: `${owner.entry.name} (${audience}), ${lookAlike.label}`, claims: lookAlike.claims });
      }
    }
  }
  return cases;
}

/** The native stack's corpus: the above, the forged native subjects, and the native tokens and their look-alikes. */
function nativeCorpus(config: StackConfig): Case[] {
  const edge = mintedClaims(
    config,
    owners(config).find((o) => o.entry.name === "edge-api")!,
    "https://api.internal.example.dev",
    NOW,
  );
  return [
    ...corpus(config),
    ...forgedNativeSubjectTokens(edge as Parameters<typeof forgedNativeSubjectTokens>[0], NATIVE.billing!.subject, {
      aws: AWS_AUDIENCE,
      gcp: GCP_AUDIENCE,
    }),
    ...nativeTokenCorpus(NATIVE, {
      native: NATIVE_ISSUER,
      otherNative: OTHER_NATIVE_ISSUER,
      own: ISSUER_URL,
      account: ACCOUNT,
    }),
  ];
}

/** The IAM engine's answer for the token, as STS would ask it (end-to-end-native-trust.test.ts's request). */
async function engineAllowsAws(policy: object, roleArn: string, claims: JWTPayload): Promise<boolean> {
  const iss = String(claims.iss);
  const prefix = iss.replace(/^https:\/\//, "");
  const context: Record<string, string> = {};
  if (typeof claims.sub === "string") context[`${prefix}:sub`] = claims.sub;
  if (typeof claims.aud === "string") context[`${prefix}:aud`] = claims.aud;
  const decision = await simulateTrust(policy, {
    principal: `arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/${prefix}`,
    action: "sts:AssumeRoleWithWebIdentity",
    roleArn,
    account: AWS_ACCOUNT,
    context,
  });
  return decision === "Allowed";
}

/** cel-js's outcome: the value, or "error" (GCP refuses on an evaluation error). */
function celJs(expression: string, claims: JWTPayload): { value: unknown } | "error" {
  try {
    return { value: evaluate(expression, { assertion: claims }) };
  } catch (error) {
    if (error instanceof EvaluationError) return "error";
    throw error;
  }
}

function ours(expression: string, claims: JWTPayload): { value: unknown } | "error" {
  try {
    return { value: compileCel(expression).evaluate(claims) };
  } catch (error) {
    if (error instanceof CelEvaluationError) return "error";
    throw error;
  }
}

/** GCP's answer with cel-js deciding the mapping and condition (end-to-end-native-trust.test.ts's matching). */
function engineAllowsGcp(document: GcpTrustDocument, claims: JWTPayload): boolean {
  for (const provider of document.providers) {
    if (provider.issuerUri !== claims.iss || typeof claims.aud !== "string") continue;
    if (!provider.allowedAudiences.includes(claims.aud)) continue;
    const condition = celJs(provider.attributeCondition, claims);
    if (condition === "error" || condition.value !== true) continue;
    const principals: string[] = [];
    for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
      const mapped = celJs(expression, claims);
      if (mapped === "error") return false;
      if (attribute === "google.subject") {
        principals.push(`principal://iam.googleapis.com/${document.poolName}/subject/${String(mapped.value)}`);
      } else {
        principals.push(`principalSet://iam.googleapis.com/${document.poolName}/${attribute}/${String(mapped.value)}`);
      }
    }
    if (document.members.some((m) => principals.includes(m))) return true;
  }
  return false;
}

for (const [name, stack, cases] of [
  ["the dev stack", devStack, corpus],
  ["the dev stack with native tokens", nativeStack, nativeCorpus],
] as const) {
  describe(`wid explain agrees with the independent engines on ${name}`, function () {
    this.timeout(120_000);
    const config = stack();
    const all = cases(config);

    it("generates look-alikes of every identity's tokens", () => {
      assert.ok(all.length > 200, `${all.length} cases`);
    });

    it("AWS: the IAM simulator and explainAwsTrust give the same answer on every role, for every case", async () => {
      const roles = owners(config).filter((o) => o.entry.aws !== undefined);
      assert.ok(roles.length >= 3, "billing, ledger-sync and a workflow have roles");
      let allowed = 0;
      let judged = 0;
      for (const owner of roles) {
        const roleArn = `arn:aws:iam::${AWS_ACCOUNT}:role/${owner.entry.aws!.roleName}`;
        const policy = awsTrustPolicy(config, owner, AWS_ACCOUNT);
        for (const { label, claims } of all) {
          if (claims.aud !== undefined && typeof claims.aud !== "string") continue;
          const engine = await engineAllowsAws(policy, roleArn, claims);
          const explained = explainAwsTrust(policy, { roleArn, claims });
          assert.equal(explained.allowed, engine, `${label} on ${owner.entry.name}'s role: engine ${engine}`);
          judged++;
          if (engine) allowed++;
        }
      }
      assert.ok(allowed >= roles.length, `${allowed} allowed of ${judged}: every role admits its own token`);
      assert.ok(judged - allowed > judged / 2, "most cases are refusals");
    });

    it("GCP: every mapping expression and condition evaluates as cel-js does, on every case", () => {
      const document = gcpTrustDocument(config, owners(config).find((o) => o.entry.gcp !== undefined)!);
      let compared = 0;
      for (const provider of document.providers) {
        const expressions = [...Object.values(provider.attributeMapping), provider.attributeCondition];
        for (const expression of expressions) {
          for (const { label, claims } of all) {
            assert.deepEqual(ours(expression, claims), celJs(expression, claims), `${expression} on ${label}`);
            compared++;
          }
        }
      }
      assert.ok(compared > 1_000, `${compared} comparisons`);
    });

    it("GCP: cel-js's matching and explainGcpTrust give the same answer on every service account, for every case", () => {
      const accounts = owners(config).filter((o) => o.entry.gcp !== undefined);
      assert.ok(accounts.length >= 2);
      let allowed = 0;
      for (const owner of accounts) {
        const document = gcpTrustDocument(config, owner);
        for (const { label, claims } of all) {
          if (claims.aud !== undefined && typeof claims.aud !== "string") continue;
          const engine = engineAllowsGcp(document, claims);
          assert.equal(explainGcpTrust(document, claims).allowed, engine, `${label} on ${document.serviceAccount}`);
          if (engine) allowed++;
        }
      }
      assert.ok(allowed >= accounts.length, "every service account admits its own token");
    });
  });
}
