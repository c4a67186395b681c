// Issuance of a workload token: authorize the request, reuse a cached token while most of its
// life remains, otherwise sign a new one and log it (never the token itself).

import type { StackConfig, WorkloadConfig } from "../config/types.js";
import type { SigningKey } from "../keys/signing-key-cache.js";
import type { IssuanceRevocations } from "../revocation/issuance.js";
import { workloadTokenClaims } from "./claims.js";
import { authorizeTokenRequest } from "./request.js";
import { signToken } from "./sign.js";
import { TokenCache } from "./token-cache.js";

export interface IssuedToken {
  readonly token: string;
  /** Seconds since the epoch: the token's `exp`. */
  readonly expiresAt: number;
}

export interface IssueContext {
  readonly config: StackConfig;
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
  workload: WorkloadConfig,
  audience: unknown,
  options: unknown,
): Promise<IssuedToken> {
  const request = authorizeTokenRequest(context.config.issuer, workload, audience, options);
  const key = await context.signingKey();
  const cacheKey = TokenCache.key(workload.name, request.audience, request.lifetimeSeconds);
  const cached = context.cache.get(cacheKey, context.nowMs, key.kid);
  if (cached && !(await context.revocations?.revokes(cached.token, context.nowMs))) {
    return { token: cached.token, expiresAt: cached.expiresAt };
  }

  const nowMs = (await context.revocations?.settle("workload", workload.name, context.nowMs)) ?? context.nowMs;
  const issuedAt = Math.floor(nowMs / 1_000);
  const jti = crypto.randomUUID();
  const claims = workloadTokenClaims({
    issuer: context.config.issuer,
    workload,
    audience: request.audience,
    issuedAt,
    lifetimeSeconds: request.lifetimeSeconds,
    jti,
    ...(context.certificateThumbprint === undefined ? {} : { certificateThumbprint: context.certificateThumbprint }),
  });
  const token = await signToken(claims, key);
  const expiresAt = issuedAt + request.lifetimeSeconds;
  context.cache.set(cacheKey, { token, kid: key.kid, issuedAt, expiresAt });
  context.log(
    JSON.stringify({ event: "token.issued", workload: workload.name, aud: request.audience, kid: key.kid, jti, exp: expiresAt }),
  );
  return { token, expiresAt };
}
