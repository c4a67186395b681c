// Introspection's pure parts: the request form, HTTP Basic client credentials and secrets, and
// the active/inactive decision over signed tokens, with every input injected.

import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from "jose";
import { validateStackConfig } from "../../worker/config/validate.js";
import { UnknownInstanceError, WorkflowUnavailableError } from "../../worker/errors.js";
import { authenticateClient, basicCredentials, parseClientSecrets } from "../../worker/introspection/client-auth.js";
import {
  type IntrospectionDeps,
  introspect,
  introspectionResponseBody,
} from "../../worker/introspection/introspect.js";
import { IntrospectionRequestError, parseIntrospectionRequest } from "../../worker/introspection/request.js";
import type { RevocationEntry } from "../../worker/revocation/list.js";
import { workloadTokenClaims } from "../../worker/tokens/claims.js";
import { workflowTokenClaims } from "../../worker/workflows/claims.js";
import { PROJECT, STACK } from "../support/stack-fixture.js";
import { basicAuthorization, INTROSPECTION_SECRETS, workflowStackConfig } from "../support/workflow-fixture.js";

const FORM = "application/x-www-form-urlencoded";

describe("introspection request form", () => {
  const refusal = (contentType: string | null, body: string): string => {
    try {
      parseIntrospectionRequest(contentType, body);
    } catch (error) {
      assert.ok(error instanceof IntrospectionRequestError);
      return error.detail;
    }
    assert.fail("accepted");
  };

  it("reads token and token_type_hint, ignoring other parameters", () => {
    assert.deepEqual(parseIntrospectionRequest(FORM, "token=a.b.c"), { token: "a.b.c" });
    assert.deepEqual(
      parseIntrospectionRequest(`${FORM}; charset=UTF-8`, "token=a.b.c&token_type_hint=access_token&x=1"),
      { token: "a.b.c", tokenTypeHint: "access_token" },
    );
  });

  it("refuses other media types, charsets, repeats, a missing token and credentials in the form", () => {
    assert.match(refusal("application/json", '{"token":"x"}'), /application\/x-www-form-urlencoded/);
    assert.match(refusal(null, "token=x"), /application\/x-www-form-urlencoded/);
    assert.match(refusal(`${FORM}; charset=latin1`, "token=x"), /must be UTF-8/);
    assert.match(refusal(FORM, "token=x&token=y"), /repeats token/);
    assert.match(refusal(FORM, ""), /has no token/);
    assert.match(refusal(FORM, "token="), /has no token/);
    assert.match(refusal(FORM, "token=x&client_secret=s"), /HTTP Basic/);
    assert.match(refusal(FORM, "token=x&token_type_hint=%20bad"), /token_type_hint/);
    assert.match(refusal(FORM, `token=${"x".repeat(20_000)}`), /larger than 16384 bytes/);
  });

  it("never quotes the token in a refusal", () => {
    assert.doesNotMatch(refusal(FORM, "token=secret-token&token=secret-token"), /secret-token/);
  });
});

describe("introspection client authentication", () => {
  const secrets = parseClientSecrets(JSON.stringify(INTROSPECTION_SECRETS));
  const clients = Object.keys(INTROSPECTION_SECRETS);

  it("parses Basic credentials, form-decoding id and secret (RFC 6749 §2.3.1)", () => {
    assert.deepEqual(basicCredentials(basicAuthorization("a b", "s:e+c")), {
      kind: "present",
      clientId: "a b",
      clientSecret: "s:e+c",
    });
    assert.deepEqual(basicCredentials(null), { kind: "absent" });
    assert.deepEqual(basicCredentials("Bearer x"), { kind: "absent" });
    for (const bad of [
      "Basic",
      "Basic !!!",
      `Basic ${btoa("no-colon")}`,
      `Basic ${btoa(":secret")}`,
      `Basic ${btoa("id:")}`,
    ]) {
      assert.deepEqual(basicCredentials(bad), { kind: "malformed" }, bad);
    }
  });

  it("admits a registered client with its secret, and nothing else", async () => {
    const present = (id: string, secret: string) =>
      basicCredentials(basicAuthorization(id, secret)) as Extract<
        ReturnType<typeof basicCredentials>,
        { kind: "present" }
      >;
    assert.deepEqual(
      await authenticateClient(present("payments-api", INTROSPECTION_SECRETS["payments-api"]!), clients, secrets),
      { ok: true, clientId: "payments-api" },
    );
    assert.equal(
      (await authenticateClient(present("payments-api", INTROSPECTION_SECRETS["ledger-api"]!), clients, secrets)).ok,
      false,
    );
    assert.equal((await authenticateClient(present("stranger", "x".repeat(40)), clients, secrets)).ok, false);
    assert.equal(
      (
        await authenticateClient(
          present("payments-api", INTROSPECTION_SECRETS["payments-api"]!),
          ["ledger-api"],
          secrets,
        )
      ).ok,
      false,
    );
  });

  it("ignores secrets too short to be safe, and names a broken secrets binding as the issuer's problem", () => {
    assert.equal(parseClientSecrets(JSON.stringify({ short: "x".repeat(31), long: "x".repeat(32) })).size, 1);
    for (const broken of [undefined, "", "{", "[]"])
      assert.throws(() => parseClientSecrets(broken), /\[ERR_ISSUER_CONFIG\] .*INTROSPECTION_SECRETS/);
  });
});

describe("introspect: is this token active?", () => {
  const config = validateStackConfig(workflowStackConfig(), { project: PROJECT, stack: STACK });
  const workflow = config.workflows.find((w) => w.name === "nightly-export")!;
  const now = 1_800_000_000_000;
  const iat = now / 1_000 - 10;
  let jwks: JSONWebKeySet;
  let sign: (claims: JWTPayload) => Promise<string>;

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    jwks = { keys: [jwk] };
    sign = (claims) => new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1", typ: "JWT" }).sign(privateKey);
  });

  const base = { issuer: config.issuer, issuedAt: iat, lifetimeSeconds: 300, audience: "sts.amazonaws.com" };
  const workloadToken = () => sign(workloadTokenClaims({ ...base, workload: config.workloads[0]!, jti: "w-1" }));
  const workflowToken = () => sign(workflowTokenClaims({ ...base, workflow, instanceId: "i-1", jti: "f-1" }));

  function deps(overrides: Partial<IntrospectionDeps> = {}): IntrospectionDeps {
    return {
      config,
      nowMs: now,
      jwks: async () => jwks,
      revocations: async () => [],
      instanceStatus: async () => "running",
      ...overrides,
    };
  }

  it("answers active with the claims for a valid workload token and a running instance's token", async () => {
    const outcome = await introspect(await workloadToken(), deps());
    assert.equal(outcome.active, true);
    assert.deepEqual(introspectionResponseBody(outcome), {
      ...(outcome.active ? outcome.claims : {}),
      active: true,
      token_type: "Bearer",
    });
    const workflowOutcome = await introspect(await workflowToken(), deps({ instanceStatus: async () => "paused" }));
    assert.equal(workflowOutcome.active, true, "a paused instance has not ended");
  });

  it("rejects, never answers inactive, when the JWKS cannot be read (the route answers 503 ERR_JWKS_UNAVAILABLE)", async () => {
    const outage = new Error("neither KV nor the key store could provide the JWKS");
    await assert.rejects(
      introspect(await workloadToken(), deps({ jwks: () => Promise.reject(outage) })),
      (error) => error === outage,
    );
  });

  it("answers inactive once the instance has ended, or when it does not exist", async () => {
    for (const status of ["complete", "errored", "terminated", "unknown"]) {
      const outcome = await introspect(await workflowToken(), deps({ instanceStatus: async () => status }));
      assert.deepEqual(outcome, { active: false, reason: `its instance is ${status}` });
    }
    const unknown = await introspect(
      await workflowToken(),
      deps({
        instanceStatus: async () => {
          throw new UnknownInstanceError("x");
        },
      }),
    );
    assert.equal(unknown.active, false);
    assert.deepEqual(introspectionResponseBody(unknown), { active: false });
  });

  it("gives no answer when the instance's status cannot be read", async () => {
    await assert.rejects(
      introspect(
        await workflowToken(),
        deps({
          instanceStatus: async () => {
            throw new WorkflowUnavailableError("x");
          },
        }),
      ),
      /ERR_WORKFLOW_UNAVAILABLE/,
    );
  });

  it("answers inactive for revoked, expired, foreign, tampered or unregistered tokens", async () => {
    const revoked: RevocationEntry[] = [
      { kind: "workflow", name: workflow.name, revokedAt: iat, expiresAt: iat + 4_000 },
    ];
    const inactive = async (token: string | Promise<string>, d = deps()) => (await introspect(await token, d)).active;
    assert.equal(await inactive(workflowToken(), deps({ revocations: async () => revoked })), false);
    assert.equal(await inactive(workloadToken(), deps({ nowMs: (iat + 300) * 1_000 })), false, "expired");
    assert.equal(
      await inactive(
        sign({ ...workloadTokenClaims({ ...base, workload: config.workloads[0]!, jti: "x" }), iss: "https://evil" }),
      ),
      false,
    );
    const token = await workloadToken();
    assert.equal(await inactive(`${token.slice(0, -4)}AAAA`), false, "tampered signature");
    assert.equal(await inactive("not.a.token"), false);
    assert.equal(
      await inactive(workloadToken(), deps({ config: { ...config, workloads: config.workloads.slice(1) } })),
      false,
    );
    assert.equal(await inactive(workflowToken(), deps({ config: { ...config, workflows: [] } })), false);
    const otherSub = sign({
      ...workflowTokenClaims({ ...base, workflow, instanceId: "i-1", jti: "z" }),
      sub: "workflow/x/y/z",
    });
    assert.equal(await inactive(otherSub), false, "a subject that is not the instance's");
  });
});
