// What AWS is told about a workload's Cloudflare-native tokens (the `oidc_tokens` binding), as
// pure functions: the condition-key prefix of a native issuer's OIDC provider, the trust statement
// a native workload's role carries beside its worker-identity one, and the provider's and role's
// console labels. Only iss, sub and aud are known of a native token, so only they are trusted.

import { nativeIssuerProblem } from "../../config/native.js";
import { AWS_IAM } from "../../config/provider-limits.js";
import type { NativeTokenSettings } from "../../config/types.js";
import { checkedIamTags } from "./iam-labels.js";
import { TAG_PREFIX, type TrustPolicyStatement, WEB_IDENTITY_ACTION } from "./trust-policy.js";

export const NATIVE_TRUST_STATEMENT_SID = "CloudflareNativeWebIdentity";

/**
 * The provider's name in IAM and its condition keys' prefix: the issuer URL without `https://`
 * (host and path: IAM names a provider with a path `<host>/<path>`, as EKS's are).
 */
export function nativeIssuerKeyPrefix(issuer: string): string {
  const problem = nativeIssuerProblem(issuer);
  if (problem !== undefined) throw new Error(`native issuer ${JSON.stringify(issuer)} ${problem}`);
  return issuer.slice("https://".length);
}

export interface NativeTrustInput {
  /** ARN of the account's IAM OIDC provider for the native issuer. */
  readonly providerArn: string;
  readonly native: Pick<NativeTokenSettings, "issuer" | "subject">;
  /** The AWS audience (the provider's client id), which the native audiences include. */
  readonly audience: string;
}

/**
 * The statement letting the workload's native tokens assume its role: that issuer's provider,
 * exactly that subject and that audience, both with StringEquals (a native subject is refused
 * with '*' or '?' by the validator, and checked again here). No sts:TagSession: what claims a
 * native token carries is not public, so its sessions carry no tags.
 */
export function nativeTrustStatement(input: NativeTrustInput): TrustPolicyStatement {
  const prefix = nativeIssuerKeyPrefix(input.native.issuer);
  if (input.providerArn === "") throw new Error("the native OIDC provider ARN is empty");
  const subject = input.native.subject;
  if (subject === "" || /[*?\s]/.test(subject)) {
    throw new Error(`the native subject ${JSON.stringify(subject)} is not one exact subject`);
  }
  if (input.audience === "") throw new Error("the trusted audience is empty: use the provider's client id");
  return {
    Sid: NATIVE_TRUST_STATEMENT_SID,
    Effect: "Allow",
    Principal: { Federated: input.providerArn },
    Action: WEB_IDENTITY_ACTION,
    Condition: { StringEquals: { [`${prefix}:sub`]: subject, [`${prefix}:aud`]: input.audience } },
  };
}

/** The role's tag naming the native subject it trusts, when IAM's tag characters can hold it (the description always does). */
export function nativeRoleTags(native: Pick<NativeTokenSettings, "issuer" | "subject">): Record<string, string> {
  const subject = tagSafe(native.subject);
  const issuer = tagSafe(native.issuer);
  return checkedIamTags({
    ...(subject === undefined ? {} : { [`${TAG_PREFIX}native-subject`]: subject }),
    ...(issuer === undefined ? {} : { [`${TAG_PREFIX}native-issuer`]: issuer }),
  });
}

/** The sentence a role description gains: whose native tokens it trusts. */
export function nativeRoleDescription(native: Pick<NativeTokenSettings, "issuer" | "subject">): string {
  return `; and by its Cloudflare oidc_tokens (sub ${native.subject}) from ${native.issuer}`;
}

/** The value itself when IAM's tag characters and length can hold it. */
export function tagSafe(value: string): string | undefined {
  return value.length <= AWS_IAM.tagValueLength.value.max && AWS_IAM.tagCharacters.value.test(value)
    ? value
    : undefined;
}
