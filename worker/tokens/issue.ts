// Issuance of a workload token: authorize the request, reuse a cached token while most of its
// life remains, otherwise sign a new one and log it (never the token itself).

import type { JWTPayload } from "jose";
import type { SigningKey } from "../keys/signing-key-cache.js";
import type { IssuanceRevocations } from "../revocation/issuance.js";
import type { RuntimeSettings, RuntimeWorkload } from "../runtime-config/types.js";
import { workloadTokenClaims } from "./claims.js";
import { authorizeTokenRequest } from "./request.js";
import type { IssuedToken } from "./rpc.js";
import { signToken } from "./sign.js";
import { TokenCache } from "./token-cache.js";

export interface IssueContext {
  readonly config: RuntimeSettings;
  readonly nowMs: number;
  readonly signingKey: () => Promise<SigningKey>;
  readonly cache: TokenCache;
  readonly log: (line: string) => void;
  /** The revocation list as this isolate knows it: no revoked token is handed out (worker/revocation). */
  readonly revocations?: IssuanceRevocations;
  /** RFC 8705: the calling workload's certificate thumbprint (worker/mtls/thumbprints.ts), if it has one. */
  readonly certificateThumbprint?: string;
}

export async function issueWorkloadToken(
  context: IssueContext,
  workload: RuntimeWorkload,
  audience: unknown,
  options: unknown,
): Promise<IssuedToken> {
  const request = authorizeTokenRequest(context.config.issuer, workload, audience, options);
  return reuseOrSign(context, {
    kind: "workload",
    name: workload.name,
    cacheName: workload.name,
    audience: request.audience,
    lifetimeSeconds: request.lifetimeSeconds,
    fresh: request.fresh,
    logged: { workload: workload.name },
    claims: (issuedAt, jti) =>
      workloadTokenClaims({
        issuer: context.config.issuer,
        workload,
        audience: request.audience,
        issuedAt,
        lifetimeSeconds: request.lifetimeSeconds,
        jti,
        ...(context.certificateThumbprint === undefined
          ? {}
          : { certificateThumbprint: context.certificateThumbprint }),
      }),
  });
}

/** What one issuance signs, for reuseOrSign. */
export interface Signing {
  readonly kind: "workload" | "workflow";
  readonly name: string;
  /** The requester's name in the token cache's key. */
  readonly cacheName: string;
  readonly audience: string;
  readonly lifetimeSeconds: number;
  /** Sign a new token, and do not cache it (the caller asked for a jti never handed out before). */
  readonly fresh: boolean;
  /** The requester's fields of the `token.issued` log line. */
  readonly logged: Readonly<Record<string, unknown>>;
  readonly claims: (issuedAt: number, jti: string) => JWTPayload;
}

/**
 * The tail of every issuance, once the request is authorized: reuse the cached token while most
 * of its life remains and it is not revoked, otherwise sign a new one, cache it and log it. A
 * fresh request always signs, and its token is not cached.
 */
export async function reuseOrSign(context: IssueContext, signing: Signing): Promise<IssuedToken> {
  const key = await context.signingKey();
  const cacheKey = TokenCache.key(signing.cacheName, signing.audience, signing.lifetimeSeconds);
  const cached = signing.fresh ? undefined : context.cache.get(cacheKey, context.nowMs, key.kid);
  if (cached && !(await context.revocations?.revokes(cached.claims, context.nowMs))) {
    return { token: cached.token, expiresAt: cached.expiresAt };
  }

  const nowMs = (await context.revocations?.settle(signing.kind, signing.name, context.nowMs)) ?? context.nowMs;
  const issuedAt = Math.floor(nowMs / 1_000);
  const jti = crypto.randomUUID();
  const claims = signing.claims(issuedAt, jti);
  const token = await signToken(claims, key);
  const expiresAt = issuedAt + signing.lifetimeSeconds;
  if (!signing.fresh) context.cache.set(cacheKey, { token, claims, kid: key.kid, issuedAt, expiresAt });
  context.log(
    JSON.stringify({
      event: "token.issued",
      ...signing.logged,
      aud: signing.audience,
      kid: key.kid,
      jti,
      exp: expiresAt,
    }),
  );
  return { token, expiresAt };
}
