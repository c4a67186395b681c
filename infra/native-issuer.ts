// The resource names and provider labels of a Cloudflare-native issuer (the `oidc_tokens`
// binding): a short hash of its URL names its AWS and GCP providers, so adding an issuer renames
// nothing. Kept in the program (node:crypto), while the trust documents themselves are pure and
// live in worker/trust/, where `wid explain` reads them too.

import { createHash } from "node:crypto";
import { AWS_IAM, GCP_IAM } from "../worker/config/provider-limits.js";
import { checkedIamTags } from "../worker/trust/aws/iam-labels.js";
import { tagSafe } from "../worker/trust/aws/native-trust.js";
import { TAG_PREFIX } from "../worker/trust/aws/trust-policy.js";

/** A stable resource-name part for one native issuer: a short hash, so adding an issuer renames nothing. */
export function nativeIssuerId(issuer: string): string {
  return createHash("sha256").update(issuer).digest("hex").slice(0, 12);
}

/** `cfn-<12 hex>`: GCP's 4-32 of [a-z0-9-], stable per issuer, never the `gcp-` prefix. */
export function nativeProviderId(issuer: string): string {
  const id = `cfn-${nativeIssuerId(issuer)}`;
  if (!GCP_IAM.workloadIdentityId.value.test(id)) throw new Error(`nativeProviderId: ${id} is not a provider id`);
  return id;
}

/** Tags on a native issuer's OIDC provider: which issuer, that it is Cloudflare's binding's, and which workloads it serves. */
export function nativeProviderTags(
  issuer: string,
  workloads: readonly string[],
  stack: string,
): Record<string, string> {
  const tagged = (value: string) => value.slice(0, AWS_IAM.tagValueLength.value.max);
  return checkedIamTags({
    [`${TAG_PREFIX}issuer`]: tagSafe(issuer) ?? tagged(nativeIssuerId(issuer)),
    [`${TAG_PREFIX}issuer-kind`]: "cloudflare-oidc-tokens",
    [`${TAG_PREFIX}workloads`]: tagged([...workloads].sort().join(" ")),
    [`${TAG_PREFIX}stack`]: tagged(stack),
  });
}
