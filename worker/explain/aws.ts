// A token judged against an IAM role's trust policy as AWS STS's AssumeRoleWithWebIdentity judges
// it (IAM User Guide, "Create a role for OIDC federation" and "Available keys for OIDC federation"):
// STS takes the token through the OIDC provider of the role's account whose URL is the token's
// iss, so `Principal.Federated` binds the issuer (and the account); the request's context then
// holds `<provider>:sub` and `<provider>:aud` of that provider only, which the statement's
// StringEquals / StringLike conditions read. One Allow statement whose principal, action and
// every condition hold lets the token in. Only the elements our documents use are evaluated; any
// other operator or element is refused (UnsupportedTrustError), never guessed.

import type { TrustPolicyDocument, TrustPolicyStatement } from "../trust/aws/trust-policy.js";
import { WEB_IDENTITY_ACTION } from "../trust/aws/trust-policy.js";
import {
  ABSENT,
  audiencesOf,
  type Condition,
  type Explanation,
  explanation,
  shown,
  type TokenClaims,
} from "./explanation.js";
import { type StringOperator, stringMatches } from "./iam-condition.js";
import { UnsupportedTrustError } from "./unsupported.js";

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** A role ARN's account and name (the name is the last path segment), or undefined. */
export function parseRoleArn(arn: string): { readonly account: string; readonly roleName: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  return match === null ? undefined : { account: match[1]!, roleName: match[2]! };
}

/** The ARN of an account's IAM OIDC provider for an issuer URL (`https://` dropped: host, and path if any). */
export function oidcProviderArn(account: string, issuer: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${issuer.replace(/^https:\/\//, "")}`;
}

export interface AwsTrustRequest {
  /** The role's ARN: STS looks the token's issuer up among the OIDC providers of its account. */
  readonly roleArn: string;
  readonly claims: TokenClaims;
  /** Default sts:AssumeRoleWithWebIdentity. */
  readonly action?: string;
}

/** The request STS evaluates: the provider the token comes through, and the context keys it sets. */
interface StsRequest {
  readonly principal: string | undefined;
  /** The provider's key prefix (`id.example.dev`); undefined when iss is not an https URL (no provider can match). */
  readonly prefix: string | undefined;
  readonly action: string;
}

export function explainAwsTrust(document: TrustPolicyDocument, request: AwsTrustRequest): Explanation {
  const arn = parseRoleArn(request.roleArn);
  if (arn === undefined) throw new TypeError(`${JSON.stringify(request.roleArn)} is not an IAM role ARN`);
  const iss = request.claims.iss;
  const prefix = typeof iss === "string" && iss.startsWith("https://") ? iss.slice("https://".length) : undefined;
  const sts: StsRequest = {
    principal: prefix === undefined ? undefined : oidcProviderArn(arn.account, iss as string),
    prefix,
    action: request.action ?? WEB_IDENTITY_ACTION,
  };
  const judged = document.Statement.map((statement) => ({
    statement,
    conditions: statementConditions(statement, sts, request.claims),
  }));
  // The statement that lets the token in; else the one of the token's provider; else the first.
  const chosen =
    judged.find((j) => j.conditions.every((c) => c.passed)) ??
    judged.find((j) => j.statement.Principal.Federated === sts.principal) ??
    judged[0];
  if (chosen === undefined) throw new UnsupportedTrustError("the trust policy has no statement");
  return explanation("aws", request.roleArn, chosen.statement.Sid, chosen.conditions);
}

function statementConditions(statement: TrustPolicyStatement, sts: StsRequest, claims: TokenClaims): Condition[] {
  if (statement.Effect !== "Allow")
    throw new UnsupportedTrustError(`statement ${statement.Sid}: Effect ${statement.Effect}`);
  const federated = statement.Principal.Federated;
  const provider: Condition = {
    name: "Principal.Federated",
    claim: "iss",
    requires: federated,
    carries: sts.principal ?? `no OIDC provider: iss ${shown(claims.iss)} is not an https URL`,
    passed: sts.principal === federated,
    ...(sts.principal === federated ? {} : { why: providerMismatch(federated, sts.principal) }),
  };
  const actions = typeof statement.Action === "string" ? [statement.Action] : [...statement.Action];
  const action: Condition = {
    name: "Action",
    requires: actions.join(", "),
    carries: sts.action,
    passed: actions.includes(sts.action),
  };
  const conditions: Condition[] = [provider, action];
  for (const [operator, keys] of Object.entries(statement.Condition)) {
    if (operator !== "StringEquals" && operator !== "StringLike") {
      throw new UnsupportedTrustError(`statement ${statement.Sid}: condition operator ${operator}`);
    }
    for (const [key, pattern] of Object.entries(keys as Record<string, string>)) {
      conditions.push(keyCondition(operator, key, pattern, sts, claims));
    }
  }
  return conditions;
}

/** `<prefix>:sub` or `<prefix>:aud`: present in the context only when the token comes through that prefix's provider. */
function keyCondition(
  operator: StringOperator,
  key: string,
  pattern: string,
  sts: StsRequest,
  claims: TokenClaims,
): Condition {
  const separator = key.lastIndexOf(":");
  const keyPrefix = key.slice(0, separator);
  const claim = key.slice(separator + 1);
  if (claim !== "sub" && claim !== "aud") throw new UnsupportedTrustError(`condition key ${key}`);
  const name = `${operator} ${key}`;
  const requires = `${operator === "StringLike" ? "like " : ""}${pattern}`;
  if (sts.prefix !== keyPrefix) {
    return {
      name,
      claim,
      requires,
      carries: `${ABSENT}: the token's provider sets ${sts.prefix === undefined ? "no keys" : `${sts.prefix}:${claim}`}`,
      passed: false,
      why: `IAM sets ${key} only for tokens of the provider ${keyPrefix}`,
    };
  }
  const values = claim === "aud" ? audiencesOf(claims) : typeof claims.sub === "string" ? [claims.sub] : [];
  const passed = values.some((value) => stringMatches(operator, pattern, value));
  return {
    name,
    claim,
    requires,
    carries: values.length === 0 ? ABSENT : values.join(", "),
    passed,
    ...(passed ? {} : { why: `${claim} ${values.length === 0 ? "is absent" : "does not match"}` }),
  };
}

function providerMismatch(federated: string, principal: string | undefined): string {
  if (principal === undefined) return "STS finds no OIDC provider for the token's iss";
  const [wantAccount, wantProvider] = arnParts(federated);
  const [account, provider] = arnParts(principal);
  if (wantProvider === provider && wantAccount !== account) {
    return `wrong account: the role is in AWS account ${account}, the trusted provider in ${wantAccount}`;
  }
  return `wrong issuer: the token comes through the provider ${provider}, the statement trusts ${wantProvider}`;
}

function arnParts(arn: string): [string, string] {
  const match = /^arn:aws:iam::([^:]*):oidc-provider\/(.*)$/.exec(arn);
  return match === null ? ["", arn] : [match[1]!, match[2]!];
}
