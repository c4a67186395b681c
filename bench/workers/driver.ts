// The benchmark driver, running in workerd beside the issuer. Each request performs `n`
// operations of one kind inside the isolate, so the caller's timer measures n operations plus
// one request's overhead. Kinds:
//   issue-cold  n tokens, each for a distinct lifetime (never served from the token cache)
//   issue-warm  n tokens for the same request (served from the token cache after the first)
//   noop-rpc    n no-op RPC calls over the same kind of binding (the baseline for issuance)
//   sign        n raw WebCrypto signatures with a fresh key of ?alg= (the baseline for signing)
//   sign-rpc    n RPC calls whose callee makes one such signature and returns it: what any issuer
//               reached over RPC costs at least (the second baseline for cold issuance)

import { WorkerEntrypoint } from "cloudflare:workers";

interface TokenIssuer {
  token(audience: string, options?: { lifetimeSeconds?: number }): Promise<{ token: string; expiresAt: number }>;
}

interface Env {
  readonly ISSUER: TokenIssuer;
  readonly NOOP: { noop(): Promise<number>; sign(alg: string): Promise<ArrayBuffer> };
  readonly AUDIENCE: string;
}

export class Noop extends WorkerEntrypoint {
  async noop(): Promise<number> {
    return 0;
  }

  async sign(alg: string): Promise<ArrayBuffer> {
    return signOnce(alg, await keyFor(alg));
  }
}

const PAYLOAD = new TextEncoder().encode("a".repeat(400));

function signOnce(alg: string, { privateKey }: CryptoKeyPair): Promise<ArrayBuffer> {
  return crypto.subtle.sign(
    alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" },
    privateKey,
    PAYLOAD,
  );
}

const keys = new Map<string, Promise<CryptoKeyPair>>();

function keyFor(alg: string): Promise<CryptoKeyPair> {
  let pair = keys.get(alg);
  if (!pair) {
    const params =
      alg === "ES256"
        ? { name: "ECDSA", namedCurve: "P-256" }
        : {
            name: "RSASSA-PKCS1-v1_5",
            modulusLength: 2048,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: "SHA-256",
          };
    pair = crypto.subtle.generateKey(params, false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
    keys.set(alg, pair);
  }
  return pair;
}

let coldCounter = 0;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "100");
    const kind = url.pathname.split("/").pop();
    if (kind === "issue-cold") {
      for (let i = 0; i < n; i++) {
        coldCounter = (coldCounter + 1) % 3_000;
        await env.ISSUER.token(env.AUDIENCE, { lifetimeSeconds: 60 + coldCounter });
      }
    } else if (kind === "issue-warm") {
      for (let i = 0; i < n; i++) await env.ISSUER.token(env.AUDIENCE, { lifetimeSeconds: 3_600 });
    } else if (kind === "noop-rpc") {
      for (let i = 0; i < n; i++) await env.NOOP.noop();
    } else if (kind === "sign") {
      const alg = url.searchParams.get("alg") ?? "RS256";
      const pair = await keyFor(alg);
      for (let i = 0; i < n; i++) await signOnce(alg, pair);
    } else if (kind === "sign-rpc") {
      const alg = url.searchParams.get("alg") ?? "RS256";
      for (let i = 0; i < n; i++) await env.NOOP.sign(alg);
    } else {
      return new Response("unknown kind", { status: 404 });
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
