// The native issuer's keys as the exchange fetches them (worker/exchange/native-keys.ts), against a
// loopback issuer: its JWKS from discovery or from a configured jwksUri, a discovery document that
// names another issuer or cannot be fetched (503, ERR_NATIVE_JWKS_UNAVAILABLE), and the bound on
// refetching a failed discovery.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { NativeTokenError, verifyNativeToken } from "../../worker/exchange/native-token.js";
import type { RuntimeSettings, RuntimeWorkload } from "../../worker/runtime-config/types.js";

const ISSUER_URL = "https://id.example.dev";
const SUBJECT = "workers/0123/billing/abcd";

interface Served {
  readonly url: string;
  /** Requests seen, by path. */
  readonly hits: Map<string, number>;
  readonly server: Server;
}

async function serve(publicJwk: JWK): Promise<Served> {
  const hits = new Map<string, number>();
  const served = { hits } as Served & { url: string; server: Server };
  const server = createServer((request, response) => {
    const path = request.url ?? "";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    response.setHeader("content-type", "application/json");
    if (path === "/native/.well-known/openid-configuration" || path === "/renamed/.well-known/openid-configuration") {
      const issuer = path.startsWith("/renamed") ? "https://someone-else.example" : `${served.url}/native`;
      response.end(JSON.stringify({ issuer, jwks_uri: `${served.url}/native/keys` }));
    } else if (path === "/native/keys" || path === "/elsewhere/keys") {
      response.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      response.statusCode = 404;
      response.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  served.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  served.server = server;
  return served;
}

function settings(native: RuntimeWorkload["native"]): RuntimeSettings {
  return {
    project: "worker-identity",
    stack: "test",
    introspectionClients: [],
    issuer: { issuerUrl: ISSUER_URL, clockSkewSeconds: 30 } as RuntimeSettings["issuer"],
    workloads: [
      {
        name: "billing",
        subject: "worker/0123/billing",
        audiences: ["sts.amazonaws.com"],
        tokenLifetimeSeconds: 300,
        maxTokenLifetimeSeconds: 3600,
        claims: {},
        ...(native === undefined ? {} : { native }),
      },
    ],
    workflows: [],
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NativeTokenError, String(error));
    return error.code;
  }
  return "accepted";
}

describe("token exchange: the native issuer's keys", () => {
  let served: Served;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  const now = Date.now();

  before(async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    privateKey = pair.privateKey;
    served = await serve({ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256" });
  });
  after(() => served.server.close());

  const token = (iss: string) =>
    new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(iss)
      .setSubject(SUBJECT)
      .setAudience(ISSUER_URL)
      .setIssuedAt(Math.floor(now / 1_000))
      .setExpirationTime(Math.floor(now / 1_000) + 300)
      .sign(privateKey);

  it("finds the JWKS through discovery, and reads discovery once for many tokens", async () => {
    const issuer = `${served.url}/native`;
    const config = settings({ issuer, subject: SUBJECT });
    for (let i = 0; i < 3; i++) {
      const verified = await verifyNativeToken(await token(issuer), config, now);
      assert.equal(verified.workload.name, "billing");
    }
    assert.equal(served.hits.get("/native/.well-known/openid-configuration"), 1);
    assert.equal(served.hits.get("/native/keys"), 1);
  });

  it("uses a configured jwksUri without discovery", async () => {
    const issuer = `${served.url}/direct`;
    const config = settings({ issuer, subject: SUBJECT, jwksUri: `${served.url}/elsewhere/keys` });
    assert.equal((await verifyNativeToken(await token(issuer), config, now)).subject, SUBJECT);
    assert.equal(served.hits.get("/direct/.well-known/openid-configuration"), undefined);
  });

  it("refuses (503) when discovery names another issuer, or cannot be fetched, and retries no sooner than 30 s", async () => {
    const issuer = `${served.url}/missing`;
    const config = settings({ issuer, subject: SUBJECT });
    assert.equal(await codeOf(verifyNativeToken(await token(issuer), config, now)), "ERR_NATIVE_JWKS_UNAVAILABLE");
    assert.equal(
      await codeOf(verifyNativeToken(await token(issuer), config, now + 10_000)),
      "ERR_NATIVE_JWKS_UNAVAILABLE",
    );
    assert.equal(served.hits.get("/missing/.well-known/openid-configuration"), 1);
    // Past the 30 s, discovery is asked again.
    assert.equal(
      await codeOf(verifyNativeToken(await token(issuer), config, now + 31_000)),
      "ERR_NATIVE_JWKS_UNAVAILABLE",
    );
    assert.equal(served.hits.get("/missing/.well-known/openid-configuration"), 2);

    const renamed = `${served.url}/renamed`;
    const config2 = settings({ issuer: renamed, subject: SUBJECT });
    assert.equal(await codeOf(verifyNativeToken(await token(renamed), config2, now)), "ERR_NATIVE_JWKS_UNAVAILABLE");
    assert.equal(served.hits.get("/native/keys"), 1, "the keys of a discovery naming another issuer were fetched");
  });

  it("refuses (503) when the native issuer is not listening", async () => {
    const issuer = "http://127.0.0.1:9/native";
    const config = settings({ issuer, subject: SUBJECT });
    assert.equal(await codeOf(verifyNativeToken(await token(issuer), config, now)), "ERR_NATIVE_JWKS_UNAVAILABLE");
  });
});
