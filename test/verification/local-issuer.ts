// A tiny issuer on 127.0.0.1 (node:http) for the verifier's failure modes: it serves discovery and
// a JWKS it can be told to break (and a revocation list), counts every request, and signs tokens
// with keys it generated.
// Each instance has its own issuer URL (a random path), so the verifier's per-isolate cache, which
// is keyed by issuer, never carries state from one test into another.

import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Verifier } from "@worker-identity/verifier";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { until } from "../support/settling.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const AUDIENCE = "https://api.example.test";
/** A fixed virtual time for the verifier and the tokens: 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1);

export type TestAlgorithm = "ES256" | "RS256" | "PS256" | "EdDSA";

export interface TestKey {
  readonly kid: string;
  readonly alg: TestAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class LocalIssuer {
  /** Requests seen, by kind. */
  readonly counts = { discovery: 0, jwks: 0, conditional: 0, notModified: 0 };
  /** Published keys; change it to rotate or revoke. */
  published: TestKey[] = [];
  /** "up" serves normally; "down" drops every connection; "error" answers 500. */
  mode: "up" | "down" | "error" = "up";
  /** Replaces the discovery document or the JWKS body when set. */
  discoveryOverride: Record<string, unknown> | undefined;
  /** Served instead of a JSON discovery document: a body that is not one (a login page, say). */
  discoveryRaw: { readonly contentType: string; readonly body: string } | undefined;
  jwksOverride: string | undefined;
  /** The JWKS Cache-Control header; undefined sends none. */
  cacheControl: string | undefined = "public, max-age=600";
  /** Send a strong ETag (a digest of the body) and answer 304 to a matching If-None-Match. */
  etags = true;
  /** When set, JWKS answers wait for this promise (to hold a fetch in flight). */
  gate: Promise<void> | undefined;
  /** The revocation list served at `revocationListUrl` (entries as published), its requests and Cache-Control. */
  revocations: unknown[] = [];
  revocationRequests = 0;
  revocationCacheControl = "public, max-age=10";
  /** The revocation list's HTTP status (anything but 200 sends no list). */
  revocationStatus = 200;
  /** When set, revocation list answers wait for this promise. */
  revocationGate: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(keys: readonly TestKey[] = []): Promise<LocalIssuer> {
    let handler: Handler = () => undefined;
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const local = new LocalIssuer(server, `http://127.0.0.1:${port}/tenant-${randomUUID()}`);
    local.published = [...keys];
    handler = (req, res) => void local.handle(req, res);
    return local;
  }

  get jwksUri(): string {
    return `${this.issuer}/keys.json`;
  }

  get revocationListUrl(): string {
    return `${this.issuer}/revocations.json`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", this.issuer).href;
    const isDiscovery = path === `${this.issuer}/.well-known/openid-configuration`;
    const isJwks = path === this.jwksUri;
    if (isDiscovery) this.counts.discovery++;
    if (isJwks) this.counts.jwks++;
    if (path === this.revocationListUrl) {
      this.revocationRequests++;
      if (this.revocationGate !== undefined) await this.revocationGate;
      if (this.revocationStatus !== 200) return void res.writeHead(this.revocationStatus).end("boom");
      const headers = { "content-type": "application/json", "cache-control": this.revocationCacheControl };
      return void res.writeHead(200, headers).end(JSON.stringify({ entries: this.revocations }));
    }
    if (this.mode === "down") return void req.socket.destroy();
    if (this.mode === "error") return void res.writeHead(500).end("boom");
    if (isDiscovery && this.discoveryRaw !== undefined) {
      return void res.writeHead(200, { "content-type": this.discoveryRaw.contentType }).end(this.discoveryRaw.body);
    }
    if (isDiscovery) {
      const doc = this.discoveryOverride ?? { issuer: this.issuer, jwks_uri: this.jwksUri };
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    }
    if (!isJwks) return void res.writeHead(404).end();
    if (this.gate !== undefined) await this.gate;
    const body = this.jwksOverride ?? JSON.stringify({ keys: this.published.map((k) => k.publicJwk) });
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.cacheControl !== undefined) headers["cache-control"] = this.cacheControl;
    if (this.etags) headers.etag = etag;
    const conditional = req.headers["if-none-match"];
    if (conditional !== undefined) this.counts.conditional++;
    if (this.etags && conditional === etag) {
      this.counts.notModified++;
      return void res.writeHead(304, headers).end();
    }
    res.writeHead(200, headers).end(body);
  }

  /** Claims the issuer would sign at `nowMs`, with `changes` applied (undefined removes a claim). */
  claims(nowMs: number, changes: Record<string, unknown> = {}): JWTPayload {
    const iat = Math.floor(nowMs / 1_000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: `worker/${ACCOUNT}/billing`,
      aud: AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + 300,
      jti: randomUUID(),
      account_id: ACCOUNT,
      worker: "billing",
      environment: "test",
      team: "payments",
      ...changes,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims as JWTPayload;
  }

  /** A token signed with `key` (default: the first published key). */
  async sign(
    claims: JWTPayload,
    key: TestKey = this.published[0]!,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function testKey(alg: TestAlgorithm = "ES256", kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

/** Signs raw header and payload JSON text with an ES256 key: for tokens jose would not produce. */
export async function signRaw(headerJson: string, payloadJson: string, key: TestKey): Promise<string> {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

export function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** A manually controlled promise, to hold a request in flight. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A cache test's verifier, its clock (seconds from T0) and its token source, against a LocalIssuer. */
export interface CacheSetup {
  readonly local: LocalIssuer;
  readonly verifier: Verifier;
  at(seconds: number): void;
  token(): Promise<string>;
}

/**
 * After one verification, at `seconds` (past the copy's max-age), a verification whose refresh the
 * issuer holds at `gate` until `held` resolves; `requests` counts the issuer's requests of that kind.
 */
export async function heldRefresh(
  s: CacheSetup,
  seconds: number,
  gate: "gate" | "revocationGate",
  requests: () => number,
): Promise<{ held: ReturnType<typeof deferred>; pending: Promise<unknown> }> {
  await s.verifier.verify(await s.token());
  s.at(seconds);
  const held = deferred();
  s.local[gate] = held.promise;
  const pending = s.verifier.verify(await s.token());
  await until(() => requests() === 2);
  return { held, pending };
}
