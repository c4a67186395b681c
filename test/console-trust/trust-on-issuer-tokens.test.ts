// Trust proven on real tokens: the issuer in workerd, run from Pulumi.dev.yaml, mints a token for
// every workload and audience; the printed Claude API rule and OpenAI mapping are evaluated by
// the documented matching (evaluators.ts), with keys found by OIDC discovery as both services
// find them. support-agent's token opens its own Anthropic rule, search-indexer's its own OpenAI
// mapping, and nothing else does: no other workload, audience, or look-alike subject.

import assert from "node:assert/strict";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { validateStackConfig } from "../../worker/config/validate.js";
import { type AnthropicConsoleTrust, anthropicConsoleTrust } from "../../worker/console-trust/anthropic.js";
import { type OpenAiConsoleTrust, openaiConsoleTrust } from "../../worker/console-trust/openai.js";
import { dev } from "../support/dev-stack.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { subjectLookAlikes } from "../trust/look-alikes.js";
import { anthropicDecision, openaiDecision } from "./evaluators.js";

interface Minted {
  readonly workload: string;
  readonly audience: string;
  readonly token: string;
  readonly claims: JWTPayload;
}

/** The dev stack as validated; the running issuer's config differs only in its (loopback) issuer URL. */
let config = validateStackConfig(dev.config, { project: "worker-identity", stack: "dev" });
let anthropicRules: AnthropicConsoleTrust[] = [];
let openaiRules: OpenAiConsoleTrust[] = [];

describe("console trust on the issuer's own tokens (Pulumi.dev.yaml): Claude API rule and OpenAI mapping", function () {
  this.timeout(120_000);
  const minted: Minted[] = [];
  let keys: JWTVerifyGetKey;

  before(async () => {
    const issuer = await IssuerHarness.start({ config: { ...dev.config } });
    try {
      // Keys by discovery, as both services fetch them: the document at the issuer, then its jwks_uri.
      const discovery = (await (await issuer.fetch("/.well-known/openid-configuration")).json()) as {
        issuer: string;
        jwks_uri: string;
      };
      // The harness serves at a loopback address, its issuer URL: the trust is printed for that iss.
      assert.equal(issuer.config.issuer.issuerUrl, discovery.issuer);
      assert.deepEqual(
        issuer.config.workloads.map((w) => [w.name, w.anthropic, w.openai]),
        config.workloads.map((w) => [w.name, w.anthropic, w.openai]),
      );
      config = issuer.config;
      anthropicRules = config.workloads
        .map((w) => anthropicConsoleTrust(config.issuer, w, "dev"))
        .filter((t): t is AnthropicConsoleTrust => t !== undefined);
      openaiRules = config.workloads
        .map((w) => openaiConsoleTrust(config.issuer, w, "dev"))
        .filter((t): t is OpenAiConsoleTrust => t !== undefined);
      const jwks = await (await issuer.fetch(new URL(discovery.jwks_uri).pathname)).json();
      keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      for (const workload of issuer.config.workloads) {
        for (const audience of workload.audiences) {
          const { token } = await issuer.token(workload.name, audience);
          minted.push({ workload: workload.name, audience, token, claims: decodeJwt(token) });
        }
      }
    } finally {
      await issuer.dispose();
    }
  });

  it("the dev stack prints one rule per AI workload", () => {
    assert.deepEqual(
      anthropicRules.map((r) => r.subject),
      [`worker/${config.issuer.accountId}/support-agent`],
    );
    assert.deepEqual(
      openaiRules.map((r) => r.subject),
      [`worker/${config.issuer.accountId}/search-indexer`],
    );
    assert.ok(minted.length > config.workloads.length, `${minted.length} tokens minted`);
  });

  it("Claude API: each token opens the rule of its own workload and audience, and no other", async () => {
    let allowed = 0;
    for (const token of minted) {
      await jwtVerify(token.token, keys, { issuer: config.issuer.issuerUrl });
      for (const trust of anthropicRules) {
        const decision = anthropicDecision(trust.federationIssuer, trust.federationRule.match, token.claims);
        const own = token.claims.sub === trust.subject && token.audience === trust.audience;
        assert.equal(decision.allowed, own, `${token.workload} (${token.audience}) against ${trust.subject}`);
        if (decision.allowed) allowed += 1;
      }
    }
    assert.equal(allowed, 1, "support-agent's one token for https://api.anthropic.com");
  });

  it("OpenAI API: each token opens the mapping of its own workload and audience, and no other", async () => {
    let allowed = 0;
    for (const token of minted) {
      const header = decodeProtectedHeader(token.token);
      for (const trust of openaiRules) {
        const decision = openaiDecision(
          trust.workloadIdentityProvider,
          trust.federationRule.attribute_matchers,
          header,
          token.claims,
        );
        const own = token.claims.sub === trust.subject && token.audience === trust.audience;
        assert.equal(decision.allowed, own, `${token.workload} (${token.audience}) against ${trust.subject}`);
        if (decision.allowed) allowed += 1;
      }
    }
    assert.equal(allowed, 1, "search-indexer's one token for https://api.openai.com/v1");
  });

  it("look-alike subjects, another audience, another issuer: each denied by both", () => {
    for (const [workload, rules] of [
      ["support-agent", anthropicRules],
      ["search-indexer", openaiRules],
    ] as const) {
      const real = minted.find((m) => m.workload === workload);
      assert.ok(real);
      const header = decodeProtectedHeader(real.token);
      const variants: JWTPayload[] = [
        ...subjectLookAlikes(String(real.claims.sub)).map((sub) => ({ ...real.claims, sub })),
        { ...real.claims, aud: "https://api.example.dev" },
        { ...real.claims, iss: `${config.issuer.issuerUrl}/` },
        { ...real.claims, iss: "https://token.actions.githubusercontent.com" },
      ];
      for (const claims of variants) {
        for (const trust of rules) {
          const decision =
            "federationIssuer" in trust
              ? anthropicDecision(trust.federationIssuer, trust.federationRule.match, claims)
              : openaiDecision(trust.workloadIdentityProvider, trust.federationRule.attribute_matchers, header, claims);
          assert.equal(decision.allowed, false, `${JSON.stringify(claims.sub)} ${String(claims.aud)} ${claims.iss}`);
        }
      }
      // The unmodified claims are allowed: the variants fail for their edit, not for the evaluator.
      const own = rules[0]!;
      const decision =
        "federationIssuer" in own
          ? anthropicDecision(own.federationIssuer, own.federationRule.match, real.claims)
          : openaiDecision(own.workloadIdentityProvider, own.federationRule.attribute_matchers, header, real.claims);
      assert.equal(decision.allowed, true);
    }
  });

  it("the evaluators refuse what the documented matching refuses: a wildcard prefix, an audience-only rule", () => {
    const claims = minted.find((m) => m.workload === "support-agent")!.claims;
    const issuer = anthropicRules[0]!.federationIssuer;
    assert.equal(anthropicDecision(issuer, { audience: "https://api.anthropic.com" }, claims).allowed, false);
    assert.equal(anthropicDecision(issuer, { subject_prefix: "*" }, claims).allowed, false);
    // A prefix rule would also admit a sibling workload: why the printed rule never uses one.
    const prefix = { subject_prefix: `worker/${config.issuer.accountId}/*` };
    assert.equal(
      anthropicDecision(issuer, prefix, { ...claims, sub: `worker/${config.issuer.accountId}/x` }).allowed,
      true,
    );
    const cel = { condition: `claims.sub == "${String(claims.sub)}"` };
    assert.equal(anthropicDecision(issuer, cel, claims).allowed, true);
    assert.equal(anthropicDecision(issuer, cel, { ...claims, sub: `${String(claims.sub)}-2` }).allowed, false);
    assert.equal(
      anthropicDecision({ ...issuer, max_jwt_lifetime_seconds: 1 }, anthropicRules[0]!.federationRule.match, claims)
        .allowed,
      false,
    );
  });
});
