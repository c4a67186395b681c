// POST /token (RFC 8693) in workerd: a native token from the local stand-in issuer exchanged for
// a worker-identity token that carries what the workload's RPC token carries, and every refusal,
// each as problem+json with the OAuth `error` member and our `code`.

import assert from "node:assert/strict";
import { createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { sendRawHttp } from "../support/raw-http.js";
import { ACCOUNT_ID, API_AUDIENCE, AWS_AUDIENCE, GCP_AUDIENCE, rawStackConfig } from "../support/stack-fixture.js";
import { ExchangeStack, JWT_TYPE, TOKEN_EXCHANGE } from "./exchange-stack.js";

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

async function answer(response: Promise<Response>): Promise<Answer> {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

function assertRefused(got: Answer, status: number, error: string, code: string): void {
  assert.equal(got.status, status, JSON.stringify(got.body));
  assert.equal(got.headers.get("content-type"), "application/problem+json");
  assert.equal(got.headers.get("cache-control"), "no-store");
  assert.equal(got.body.error, error);
  assert.equal(got.body.code, code);
  assert.equal(typeof got.body.error_description, "string");
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The claims of two tokens for the same request that must agree (not their time or id). */
function lasting(token: string): Record<string, unknown> {
  const { iat: _iat, nbf: _nbf, exp: _exp, jti: _jti, ...rest } = decodeJwt(token);
  return rest;
}

describe("token exchange: POST /token (RFC 8693)", function () {
  this.timeout(60_000);
  let stack: ExchangeStack;

  before(async () => {
    const config = rawStackConfig({
      "worker-identity:workloads": {
        ...(rawStackConfig()["worker-identity:workloads"] as Record<string, unknown>),
        "edge-api": { audiences: [API_AUDIENCE], tokenLifetimeSeconds: 120, mtls: { enabled: true } },
      },
    });
    stack = await ExchangeStack.start({ config });
  });
  after(async () => stack?.dispose());

  describe("a native token from the workload's binding", () => {
    it("is exchanged for a token with the claims, session tags and lifetime of the workload's RPC token", async () => {
      const native = await stack.nativeToken("billing");
      const got = await answer(stack.exchangeToken(native, AWS_AUDIENCE));
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.headers.get("cache-control"), "no-store");
      assert.equal(got.body.issued_token_type, JWT_TYPE);
      assert.equal(got.body.token_type, "N_A");
      assert.ok(typeof got.body.expires_in === "number" && got.body.expires_in > 290 && got.body.expires_in <= 300);
      const token = got.body.access_token as string;
      const jwks = await (await fetch(`${stack.url}/.well-known/jwks.json`)).json();
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
        issuer: stack.url,
        audience: AWS_AUDIENCE,
      });
      assert.equal(payload.sub, `worker/${ACCOUNT_ID}/billing`);
      assert.equal(payload.team, "payments");
      assert.equal(payload.exp! - payload.iat!, 300);
      assert.deepEqual(Object.keys(payload["https://aws.amazon.com/tags"] as object).sort(), [
        "principal_tags",
        "transitive_tag_keys",
      ]);
      const rpc = (await (await fetch(`${stack.url}/workloads/billing/token?audience=${AWS_AUDIENCE}`)).json()) as {
        token: string;
      };
      assert.deepEqual(lasting(token), lasting(rpc.token));
    });

    it("gives an mTLS workload a token bound to its certificate (cnf), as its RPC token is", async () => {
      const got = await answer(stack.exchangeToken(await stack.nativeToken("edge-api"), API_AUDIENCE));
      assert.equal(got.status, 200, JSON.stringify(got.body));
      const cnf = decodeJwt(got.body.access_token as string).cnf as Record<string, string>;
      assert.match(cnf["x5t#S256"]!, /^[A-Za-z0-9_-]{43}$/);
      const rpc = (await (await fetch(`${stack.url}/workloads/edge-api/token?audience=${API_AUDIENCE}`)).json()) as {
        token: string;
      };
      assert.deepEqual(decodeJwt(rpc.token).cnf, cnf);
      assert.equal(
        decodeJwt(got.body.access_token as string).exp! - decodeJwt(got.body.access_token as string).iat!,
        120,
      );
    });

    it("works from inside the workload: getToken(), then POST /token through the issuer's HTTP binding", async () => {
      const got = await answer(fetch(`${stack.url}/workloads/ledger-sync/exchange?audience=${AWS_AUDIENCE}`));
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(decodeJwt(got.body.access_token as string).sub, `worker/${ACCOUNT_ID}/ledger-sync`);
    });

    it("is exchanged once: the same token again is a replay", async () => {
      const native = await stack.nativeToken("billing");
      assert.equal((await stack.exchangeToken(native, GCP_AUDIENCE)).status, 200);
      const again = await answer(stack.exchangeToken(native, GCP_AUDIENCE));
      assertRefused(again, 400, "invalid_request", "ERR_SUBJECT_TOKEN_REPLAYED");
    });

    it("is exchanged once even when presented ten times at once", async () => {
      const native = await stack.nativeToken("ledger-sync");
      const statuses = await Promise.all(
        Array.from({ length: 10 }, async () => (await stack.exchangeToken(native, AWS_AUDIENCE)).status),
      );
      assert.deepEqual(
        statuses.sort((a, b) => a - b),
        [200, 400, 400, 400, 400, 400, 400, 400, 400, 400],
      );
    });

    it("is refused for an audience the workload may not have (invalid_target), without being used up", async () => {
      const native = await stack.nativeToken("ledger-sync");
      assertRefused(
        await answer(stack.exchangeToken(native, GCP_AUDIENCE)),
        400,
        "invalid_target",
        "ERR_INVALID_TARGET",
      );
      assert.equal((await stack.exchangeToken(native, AWS_AUDIENCE)).status, 200);
    });
  });

  describe("the request", () => {
    it("refuses another grant type (unsupported_grant_type)", async () => {
      const got = await answer(stack.exchange({ grant_type: "client_credentials", audience: AWS_AUDIENCE }));
      assertRefused(got, 400, "unsupported_grant_type", "ERR_UNSUPPORTED_GRANT_TYPE");
    });

    it("refuses another content type", async () => {
      const form = { grant_type: TOKEN_EXCHANGE, subject_token: await stack.nativeToken("billing") };
      const got = await answer(stack.exchange(form, { contentType: "application/json" }));
      assertRefused(got, 400, "invalid_request", "ERR_INVALID_REQUEST");
      assert.match(got.body.detail as string, /application\/x-www-form-urlencoded/);
    });

    it("refuses a body over 16 KiB", async () => {
      // On a connection of its own: the issuer stops reading at 16 KiB, and workerd may then reset
      // the connection, which a pooled client would hand to the next test's request.
      const body = new URLSearchParams({
        grant_type: TOKEN_EXCHANGE,
        subject_token: await stack.nativeToken("billing"),
        subject_token_type: JWT_TYPE,
        audience: AWS_AUDIENCE,
        pad: "x".repeat(17_000),
      }).toString();
      const host = new URL(stack.url).host;
      const raw = await sendRawHttp(
        Number(new URL(stack.url).port),
        `POST /token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      const got: Answer = {
        status: raw.status,
        body: JSON.parse(raw.body) as Record<string, unknown>,
        headers: new Headers({
          "content-type": raw.header("content-type") ?? "",
          "cache-control": raw.header("cache-control") ?? "",
        }),
      };
      assertRefused(got, 400, "invalid_request", "ERR_INVALID_REQUEST");
      assert.match(got.body.detail as string, /larger than 16384 bytes/);
    });

    it("refuses a missing or other subject_token_type, a repeated parameter and an actor token", async () => {
      const native = await stack.nativeToken("billing");
      for (const form of [
        { grant_type: TOKEN_EXCHANGE, subject_token: native, audience: AWS_AUDIENCE },
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: native,
          subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
          audience: AWS_AUDIENCE,
        },
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: native,
          subject_token_type: JWT_TYPE,
          audience: AWS_AUDIENCE,
          actor_token: native,
        },
      ]) {
        assertRefused(await answer(stack.exchange(form)), 400, "invalid_request", "ERR_INVALID_REQUEST");
      }
      const repeated = await fetch(`${stack.url}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `${new URLSearchParams({ grant_type: TOKEN_EXCHANGE, subject_token: native, subject_token_type: JWT_TYPE, audience: AWS_AUDIENCE })}&audience=${GCP_AUDIENCE}`,
      });
      assertRefused(await answer(Promise.resolve(repeated)), 400, "invalid_request", "ERR_INVALID_REQUEST");
    });

    it("refuses resource (invalid_target) and scope (invalid_scope), and a missing audience", async () => {
      const native = await stack.nativeToken("billing");
      assertRefused(
        await answer(stack.exchangeToken(native, AWS_AUDIENCE, { resource: "https://api.example.com" })),
        400,
        "invalid_target",
        "ERR_INVALID_TARGET",
      );
      assertRefused(
        await answer(stack.exchangeToken(native, AWS_AUDIENCE, { scope: "read" })),
        400,
        "invalid_scope",
        "ERR_INVALID_REQUEST",
      );
      assertRefused(await answer(stack.exchangeToken(native, "")), 400, "invalid_target", "ERR_INVALID_TARGET");
      // None of these used the token up.
      assert.equal((await stack.exchangeToken(native, AWS_AUDIENCE)).status, 200);
    });

    it("answers only POST", async () => {
      const got = await fetch(`${stack.url}/token`);
      assert.equal(got.status, 405);
      assert.equal(got.headers.get("allow"), "POST");
    });
  });

  describe("the subject token", () => {
    it("refuses one for another audience than this issuer, or for several", async () => {
      for (const aud of ["https://someone-else.example", [stack.url, "https://someone-else.example"]]) {
        const got = await answer(stack.exchangeToken(await stack.signed("billing", { aud }), AWS_AUDIENCE));
        assertRefused(got, 400, "invalid_request", "ERR_SUBJECT_TOKEN_INVALID");
      }
      // The binding's own token for another audience is not one for the issuer either.
      const forApi = await stack.signed("billing", { aud: AWS_AUDIENCE });
      assertRefused(
        await answer(stack.exchangeToken(forApi, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
    });

    it("refuses expired, not yet valid and future-issued tokens", async () => {
      const now = Math.floor(Date.now() / 1_000);
      for (const claims of [
        { iat: now - 700, nbf: now - 700, exp: now - 400 },
        { nbf: now + 600 },
        { iat: now + 600, nbf: undefined },
      ]) {
        const got = await answer(stack.exchangeToken(await stack.signed("billing", claims), AWS_AUDIENCE));
        assertRefused(got, 400, "invalid_request", "ERR_SUBJECT_TOKEN_EXPIRED");
      }
    });

    it("without jti: accepted within 300 s of its iat and only once, refused older or without iat", async () => {
      const now = Math.floor(Date.now() / 1_000);
      const fresh = await stack.signed("billing", { jti: undefined });
      assert.equal((await stack.exchangeToken(fresh, AWS_AUDIENCE)).status, 200);
      assertRefused(
        await answer(stack.exchangeToken(fresh, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_REPLAYED",
      );
      const old = await stack.signed("billing", { jti: undefined, iat: now - 400, nbf: now - 400 });
      assertRefused(
        await answer(stack.exchangeToken(old, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_EXPIRED",
      );
      const noIat = await stack.signed("billing", { jti: undefined, iat: undefined });
      assertRefused(
        await answer(stack.exchangeToken(noIat, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
    });

    it("refuses one valid for more than a day ahead, and one without exp", async () => {
      const now = Math.floor(Date.now() / 1_000);
      for (const claims of [{ exp: now + 2 * 86_400 }, { exp: undefined }]) {
        const got = await answer(stack.exchangeToken(await stack.signed("billing", claims), AWS_AUDIENCE));
        assertRefused(got, 400, "invalid_request", "ERR_SUBJECT_TOKEN_INVALID");
      }
    });

    it("refuses an unknown subject and an unknown issuer", async () => {
      const ghost = await stack.signed("billing", { sub: `local-native/${ACCOUNT_ID}/ghost` });
      assertRefused(
        await answer(stack.exchangeToken(ghost, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_UNKNOWN_NATIVE_SUBJECT",
      );
      const elsewhere = await stack.signed("billing", { iss: "https://native.elsewhere.example" });
      assertRefused(
        await answer(stack.exchangeToken(elsewhere, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_UNKNOWN_NATIVE_ISSUER",
      );
    });

    it("refuses a bad signature: altered, or by another key under the stand-in's kid", async () => {
      const [header, payload, signature] = (await stack.nativeToken("billing")).split(".") as [string, string, string];
      const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11);
      assertRefused(
        await answer(stack.exchangeToken(`${header}.${payload}.${flipped}`, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
      const { privateKey } = await generateKeyPair("ES256", { extractable: true });
      const forged = await stack.signed("billing", {}, { key: await exportJWK(privateKey) });
      assertRefused(
        await answer(stack.exchangeToken(forged, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
    });

    it("refuses alg confusion: HS256 keyed with the public JWK, and alg none", async () => {
      const jwks = (await (await fetch(`${stack.native.issuer}/.well-known/jwks.json`)).json()) as { keys: object[] };
      const publicJwk = jwks.keys[0]!;
      const claims = decodeJwt(await stack.signed("billing"));
      const hs = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: stack.native.signingKey.kid! })
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      assertRefused(
        await answer(stack.exchangeToken(hs, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
      const none = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
      assertRefused(
        await answer(stack.exchangeToken(none, AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
      assertRefused(
        await answer(stack.exchangeToken("not-a-jwt", AWS_AUDIENCE)),
        400,
        "invalid_request",
        "ERR_SUBJECT_TOKEN_INVALID",
      );
    });
  });

  it("logs each exchange and refusal with its code, never a token", async () => {
    const native = await stack.nativeToken("reports-exporter");
    assert.equal((await stack.exchangeToken(native, GCP_AUDIENCE)).status, 200);
    await stack.exchangeToken(native, GCP_AUDIENCE);
    const exchanged = await stack.events("token.exchanged");
    const jti = decodeJwt(native).jti;
    assert.ok(exchanged.some((e) => e.workload === "reports-exporter" && e.jti === jti && e.aud === GCP_AUDIENCE));
    const refused = await stack.events("token.refused");
    assert.ok(
      refused.some(
        (e) => e.via === "exchange" && e.workload === "reports-exporter" && e.code === "ERR_SUBJECT_TOKEN_REPLAYED",
      ),
    );
    const signature = native.split(".")[2]!;
    assert.ok(!stack.logs.some((line) => line.includes(signature)), "a log line holds the native token");
  });
});
