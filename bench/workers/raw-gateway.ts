// The baseline gateway of the middleware benchmark: the least any verifying gateway does. It
// takes the bearer token, verifies its RS256 signature with raw WebCrypto against the issuer's key
// (imported once), and forwards the request to the same origin. No header, claim or rule checks.

import { headerKid, segmentBytes } from "./token-segments.js";

interface Env {
  readonly ISSUER: Fetcher;
  readonly ORIGIN: Fetcher;
}

let key: Promise<CryptoKey> | undefined;

/** The issuer's key the first token's kid names (the benchmark sends one token). */
async function issuerKey(env: Env, token: string): Promise<CryptoKey> {
  const kid = headerKid(token);
  const jwks = (await (await env.ISSUER.fetch("https://issuer/.well-known/jwks.json")).json()) as {
    keys: (JsonWebKey & { kid?: string })[];
  };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`the issuer's JWKS has no key ${kid}`);
  return crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
}

export default {
  async fetch(request, env) {
    const token = (request.headers.get("authorization") ?? "").slice("Bearer ".length);
    const dot = token.lastIndexOf(".");
    key ??= issuerKey(env, token);
    const valid = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      await key,
      segmentBytes(token.slice(dot + 1)),
      new TextEncoder().encode(token.slice(0, dot)),
    );
    if (!valid) return new Response("unauthorized", { status: 401 });
    return env.ORIGIN.fetch(request);
  },
} satisfies ExportedHandler<Env>;
