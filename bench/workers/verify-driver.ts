// Benchmark driver for verification, in workerd. It mints tokens through its binding to the
// issuer, then performs `n` verifications of one kind per request:
//   verifier   worker/verification with its per-isolate JWKS cache (warm after the first call),
//              the same token every time, as a relying party sees a workload's reused token
//   distinct   the verifier over DISTINCT_TOKENS tokens in turn, more than its decoded-token cache
//              holds, so every verification decodes its token
//   jose       jose's jwtVerify over the same DISTINCT_TOKENS with the key in hand (no JWKS, no
//              strict JSON): what the library most relying parties use costs (a reference)
//   raw        WebCrypto RS256 verification of the same signing input with the same key (baseline)
//   seed003    the seed-003 pattern: a remote key set built per request (jose createRemoteJWKSet),
//              so every verification fetches the JWKS from the issuer

import { type CertificatePresentation, createVerifier } from "@worker-identity/verifier";
import { createRemoteJWKSet, decodeJwt, importJWK, type JWK, jwtVerify } from "jose";
import { MAX_DECODED_TOKENS } from "../../worker/verification/decoded-tokens.js";
import { headerKid, segmentBytes } from "./token-segments.js";

let next = 0;

interface Env {
  readonly ISSUER: { token(audience: string, options?: { lifetimeSeconds?: number }): Promise<{ token: string }> };
  readonly ISSUER_URL: string;
  readonly AUDIENCE: string;
}

/** More than worker/verification's decoded-token cache keeps (MAX_DECODED_TOKENS). */
const DISTINCT_TOKENS = MAX_DECODED_TOKENS * 2;

let prepared:
  | Promise<{ token: string; distinct: string[]; key: CryptoKey; input: Uint8Array; signature: Uint8Array }>
  | undefined;

async function prepare(env: Env) {
  const { token } = await env.ISSUER.token(env.AUDIENCE);
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const kid = headerKid(token);
  const jwks = (await (await fetch(`${env.ISSUER_URL}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  const jwk = jwks.keys.find((k) => k.kid === kid) as JWK;
  const key = (await importJWK(jwk, "RS256")) as CryptoKey;
  // Distinct lifetimes: the issuer's token cache would otherwise hand out the same token.
  const distinct: string[] = [];
  for (let i = 0; i < DISTINCT_TOKENS; i++) {
    distinct.push((await env.ISSUER.token(env.AUDIENCE, { lifetimeSeconds: 600 + i })).token);
  }
  return {
    token,
    distinct,
    key,
    input: new TextEncoder().encode(`${header}.${payload}`),
    signature: segmentBytes(signature),
  };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "100");
    const kind = url.pathname.split("/").pop();
    prepared ??= prepare(env);
    const { token, distinct, key, input, signature } = await prepared;
    // The bench workload is an mTLS workload: its tokens are bound, and a relying party presents
    // the certificate its TLS terminator verified (here: the thumbprint the token is bound to).
    const presentation = certificatePresentation(token);
    if (kind === "verifier") {
      const verifier = createVerifier({ issuer: env.ISSUER_URL, audience: env.AUDIENCE });
      for (let i = 0; i < n; i++) await verifier.verify(token, presentation);
    } else if (kind === "distinct") {
      const verifier = createVerifier({ issuer: env.ISSUER_URL, audience: env.AUDIENCE });
      for (let i = 0; i < n; i++) await verifier.verify(distinct[(next = (next + 1) % distinct.length)]!, presentation);
    } else if (kind === "jose") {
      for (let i = 0; i < n; i++) {
        await jwtVerify(distinct[(next = (next + 1) % distinct.length)]!, key, {
          issuer: env.ISSUER_URL,
          audience: env.AUDIENCE,
          algorithms: ["RS256"],
        });
      }
    } else if (kind === "raw") {
      for (let i = 0; i < n; i++) {
        if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, input))) throw new Error("bad signature");
      }
    } else if (kind === "seed003") {
      for (let i = 0; i < n; i++) {
        const jwks = createRemoteJWKSet(new URL(`${env.ISSUER_URL}/.well-known/jwks.json`));
        await jwtVerify(token, jwks, { issuer: env.ISSUER_URL, audience: env.AUDIENCE });
      }
    } else {
      return new Response("unknown kind", { status: 404 });
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;

/** The certificate a bound token needs (none for an unbound token). */
function certificatePresentation(token: string): CertificatePresentation {
  const cnf = decodeJwt(token).cnf as { "x5t#S256"?: string } | undefined;
  return cnf?.["x5t#S256"] === undefined ? {} : { certificateThumbprint: cnf["x5t#S256"] };
}
