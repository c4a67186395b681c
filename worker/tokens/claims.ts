// The claims of a workload token: a pure function of configuration, audience and time.
// Static claims from config go in first; identity claims are written last so nothing configured
// can shadow them (the config validator refuses reserved names too).

import type { JWTPayload } from "jose";
import { AWS_SESSION_TAGS_CLAIM, RESERVED_CLAIM_NAMES } from "../config/limits.js";
import type { AwsSessionTags, IssuerSettings, JsonValue } from "../config/types.js";
import { confirmationClaim } from "../mtls/thumbprints.js";
import type { RuntimeWorkload } from "../runtime-config/types.js";

export { AWS_SESSION_TAGS_CLAIM };

export interface WorkloadTokenInput {
  readonly issuer: IssuerSettings;
  readonly workload: RuntimeWorkload;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly lifetimeSeconds: number;
  readonly jti: string;
  /** RFC 8705: the workload's client certificate thumbprint; the token then carries `cnf`. */
  readonly certificateThumbprint?: string;
}

export interface AwsSessionTagsClaim {
  readonly principal_tags: Record<string, [string]>;
  readonly transitive_tag_keys?: string[];
}

export function awsSessionTagsClaim(tags: AwsSessionTags): AwsSessionTagsClaim {
  const principalTags: Record<string, [string]> = {};
  for (const [key, value] of Object.entries(tags.principalTags)) principalTags[key] = [value];
  return tags.transitiveTagKeys.length > 0
    ? { principal_tags: principalTags, transitive_tag_keys: [...tags.transitiveTagKeys] }
    : { principal_tags: principalTags };
}

/** What every token of this issuer carries, whoever it names: the claims written after the static ones. */
export interface RegisteredClaimsInput {
  readonly issuer: IssuerSettings;
  readonly subject: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly lifetimeSeconds: number;
  readonly jti: string;
}

export function registeredClaims(input: RegisteredClaimsInput) {
  return {
    iss: input.issuer.issuerUrl,
    sub: input.subject,
    aud: input.audience,
    iat: input.issuedAt,
    nbf: input.issuedAt,
    exp: input.issuedAt + input.lifetimeSeconds,
    jti: input.jti,
    account_id: input.issuer.accountId,
  };
}

export function workloadTokenClaims(input: WorkloadTokenInput): JWTPayload {
  const { issuer, workload } = input;
  const claims: Record<string, JsonValue | AwsSessionTagsClaim> = { ...workload.claims };
  if (workload.awsSessionTags) claims[AWS_SESSION_TAGS_CLAIM] = awsSessionTagsClaim(workload.awsSessionTags);
  return {
    ...claims,
    ...registeredClaims({ ...input, subject: workload.subject }),
    worker: workload.name,
    environment: issuer.environment,
    ...(input.certificateThumbprint === undefined ? {} : { cnf: confirmationClaim(input.certificateThumbprint) }),
  };
}

/** Claim names the discovery document advertises: those the issuer writes (config/limits.ts). */
export const SUPPORTED_CLAIMS: readonly string[] = RESERVED_CLAIM_NAMES;
