// A token judged as GCP Workload Identity Federation judges it on the way to a service account
// (Google Cloud docs: "Workload Identity Federation", "Principal identifiers", "Attribute
// mappings and conditions"): the pool's provider whose issuer URI is the token's iss, its
// allowed audiences, the attribute mapping (google.subject at most 127 bytes) and the attribute
// condition (CEL, cel.ts), then the service account's IAM policy: the federated principal
// (principal://…/subject/<google.subject>, or a principalSet://…/attribute.<name>/<value> it
// belongs to) must hold roles/iam.workloadIdentityUser.

import { utf8Length } from "../config/fields.js";
import { MAX_GCP_SUBJECT_BYTES } from "../config/limits.js";
import { WORKLOAD_IDENTITY_USER_ROLE } from "../trust/gcp/workload-identity.js";
import { CelEvaluationError, compileCel } from "./cel.js";
import {
  ABSENT,
  audienceAmong,
  type Condition,
  type Explanation,
  exactClaim,
  explanation,
  shown,
  type TokenClaims,
} from "./explanation.js";

export interface GcpProviderDocument {
  /** The provider's id in the pool. */
  readonly id: string;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition: string;
}

export interface GcpTrustDocument {
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>`. */
  readonly poolName: string;
  /** The pool's providers, the issuer's own first. */
  readonly providers: readonly GcpProviderDocument[];
  readonly serviceAccount: string;
  /** The members granted roles/iam.workloadIdentityUser on the service account. */
  readonly members: readonly string[];
}

const IAM = "iam.googleapis.com";

export function explainGcpTrust(document: GcpTrustDocument, claims: TokenClaims): Explanation {
  const provider = document.providers.find((p) => p.issuerUri === claims.iss) ?? document.providers[0];
  if (provider === undefined) throw new TypeError("the pool has no provider");
  const conditions: Condition[] = [];
  conditions.push(
    exactClaim(
      "oidc.issuerUri",
      "iss",
      provider.issuerUri,
      claims,
      "wrong issuer: no provider of the pool has the token's iss as its issuer URI",
      document.providers.map((p) => p.issuerUri).join(" or "),
    ),
    audienceAmong(
      "oidc.allowedAudiences",
      provider.allowedAudiences,
      claims,
      "wrong audience: the provider allows none of the token's audiences",
    ),
  );

  const attributes: Record<string, unknown> = {};
  for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
    const outcome = run(expression, claims);
    const subjectProblem =
      attribute === "google.subject" && "value" in outcome ? subjectError(outcome.value) : undefined;
    const why = "error" in outcome ? outcome.error : subjectProblem;
    if (why === undefined) attributes[attribute] = (outcome as { value: unknown }).value;
    conditions.push({
      name: `attributeMapping ${attribute}`,
      requires: expression,
      carries: "error" in outcome ? `error: ${outcome.error}` : shown(outcome.value),
      passed: why === undefined,
      ...(why === undefined ? {} : { why: `the mapping fails: ${why}` }),
    });
  }

  const condition = run(provider.attributeCondition, claims);
  const admitted = "value" in condition && condition.value === true;
  conditions.push({
    name: "attributeCondition",
    requires: provider.attributeCondition,
    carries: "error" in condition ? `error: ${condition.error}` : shown(condition.value),
    passed: admitted,
    ...(admitted ? {} : { why: "the provider's attribute condition does not admit the token" }),
  });

  const principals = principalsOf(document.poolName, attributes);
  const granted = document.members.filter((member) => principals.includes(member));
  conditions.push({
    name: `${WORKLOAD_IDENTITY_USER_ROLE} on ${document.serviceAccount}`,
    claim: "sub",
    requires: document.members.join(", "),
    carries: principals.length === 0 ? ABSENT : principals.join(", "),
    passed: granted.length > 0,
    ...(granted.length > 0 ? {} : { why: "the service account grants the role to none of the token's principals" }),
  });
  return explanation("gcp", document.serviceAccount, `provider ${provider.id}`, conditions);
}

/** The federated identities a token with these attributes is: its principal, and the principal sets of its attributes. */
function principalsOf(poolName: string, attributes: Readonly<Record<string, unknown>>): string[] {
  const principals: string[] = [];
  const subject = attributes["google.subject"];
  if (typeof subject === "string") principals.push(`principal://${IAM}/${poolName}/subject/${subject}`);
  for (const [attribute, value] of Object.entries(attributes)) {
    if (!attribute.startsWith("attribute.") || typeof value !== "string") continue;
    principals.push(`principalSet://${IAM}/${poolName}/${attribute}/${value}`);
  }
  return principals;
}

function subjectError(value: unknown): string | undefined {
  if (typeof value !== "string") return `google.subject is a ${value === null ? "null" : typeof value}, not a string`;
  const bytes = utf8Length(value);
  if (bytes === 0 || bytes > MAX_GCP_SUBJECT_BYTES) return `google.subject is ${bytes} bytes, GCP takes 1 to 127`;
  return undefined;
}

function run(expression: string, claims: TokenClaims): { value: unknown } | { error: string } {
  const program = compileCel(expression);
  try {
    return { value: program.evaluate(claims) };
  } catch (error) {
    if (error instanceof CelEvaluationError) return { error: error.message };
    throw error;
  }
}
