// What a refused token said about itself: its `sub`, `aud` and `iss`, decoded from the payload
// without verifying (the SDK holds the token the issuer just handed it; the cloud refused it), so
// a refusal can name what the cloud compared. Never the token, nor any other claim: the values
// are bounded and go into error messages and logs.

import { decodeUnverifiedPayload } from "../encoding/unverified-payload.js";

/** The claims a cloud compares with its trust, as the refused token carried them. */
export interface PresentedClaims {
  readonly sub: string | undefined;
  /** One audience, or several joined by ", ". */
  readonly aud: string | undefined;
  readonly iss: string | undefined;
  /** Whether the token carries AWS session tags (`https://aws.amazon.com/tags`): the trust must then allow sts:TagSession. */
  readonly sessionTags: boolean;
}

/** A claim longer than this is cut (an issuer of ours writes none that long). */
const MAX_CLAIM_LENGTH = 200;
const AWS_TAGS_CLAIM = "https://aws.amazon.com/tags";

/** The token's sub, aud and iss; undefined when it is not a JWT whose payload is a JSON object. */
export function presentedClaims(token: string): PresentedClaims | undefined {
  const payload = decodeUnverifiedPayload(token);
  if (!payload.ok) return undefined;
  const { claims } = payload;
  const { sub, aud, iss } = claims;
  const audiences = Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string").join(", ") : aud;
  return Object.freeze({
    sub: bounded(sub),
    aud: bounded(audiences),
    iss: bounded(iss),
    sessionTags: Object.hasOwn(claims, AWS_TAGS_CLAIM),
  });
}

function bounded(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  return value.length > MAX_CLAIM_LENGTH ? `${value.slice(0, MAX_CLAIM_LENGTH)}…` : value;
}

/** `sub=… aud=… iss=…`, as every refusal's message writes them. */
export function describePresented(claims: PresentedClaims): string {
  const show = (value: string | undefined) => value ?? "(none)";
  return `sub=${show(claims.sub)} aud=${show(claims.aud)} iss=${show(claims.iss)}`;
}

/** ` (token sub=… aud=… iss=…; <hint>)`, or as much of it as is known: the tail of a refusal's message. */
export function toldOf(explanation: {
  readonly presented: PresentedClaims | undefined;
  readonly hint: string | undefined;
}): string {
  const parts = [
    ...(explanation.presented === undefined ? [] : [`token ${describePresented(explanation.presented)}`]),
    ...(explanation.hint === undefined ? [] : [explanation.hint]),
  ];
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}
