// A role's trust policy (`assumeRolePolicy`, a JSON string or an object) read for the rules:
// its statements, their principals, the actions they allow and their conditions. Pure, and
// tolerant of anything a hand-written resource may hold.

import { TAG_SESSION_ACTION, WEB_IDENTITY_ACTION } from "../../worker/trust/aws/trust-policy.js";
import { containsUnknown, isRecord, isUnknown, listOf } from "../inputs.js";

export { TAG_SESSION_ACTION, WEB_IDENTITY_ACTION };

/** `arn:<partition>:iam::<account>:oidc-provider/<url without https://>`. */
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/;

export type TrustDocument =
  | { readonly kind: "unknown" }
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "document"; readonly statements: readonly TrustStatement[] };

export interface TrustStatement {
  /** How messages name it: `statement 0 (Sid X)`. */
  readonly label: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly allows: boolean;
  /** Some part is unknown during preview: rules that need the whole statement skip it. */
  readonly hasUnknown: boolean;
}

export function trustDocument(assumeRolePolicy: unknown): TrustDocument {
  if (isUnknown(assumeRolePolicy)) return { kind: "unknown" };
  let document = assumeRolePolicy;
  if (typeof document === "string") {
    try {
      document = JSON.parse(document) as unknown;
    } catch {
      return {
        kind: "unreadable",
        reason: "assumeRolePolicy is not JSON; write it with JSON.stringify({Version, Statement})",
      };
    }
  }
  if (!isRecord(document)) {
    return { kind: "unreadable", reason: "assumeRolePolicy is not a policy document {Version, Statement}" };
  }
  if (isUnknown(document.Statement)) return { kind: "unknown" };
  const statements = listOf(document.Statement).flatMap((fields, index) => {
    if (!isRecord(fields)) return [];
    const sid = typeof fields.Sid === "string" && fields.Sid !== "" ? ` (Sid ${fields.Sid})` : "";
    const effect = fields.Effect;
    return [
      {
        label: `statement ${index}${sid}`,
        fields,
        // Anything but an explicit Deny is read as Allow: a rule must not be dodged by a typo.
        allows: !(typeof effect === "string" && effect.toLowerCase() === "deny"),
        hasUnknown: containsUnknown(fields),
      },
    ];
  });
  return { kind: "document", statements };
}

/** Whether the statement's Action (or NotAction) covers `action`, wildcards included. */
export function allowsAction(statement: TrustStatement, action: string): boolean {
  if (!statement.allows) return false;
  const { Action: actions, NotAction: notActions } = statement.fields;
  if (actions !== undefined) return listOf(actions).some((pattern) => matchesAction(pattern, action));
  if (notActions !== undefined) return !listOf(notActions).some((pattern) => matchesAction(pattern, action));
  return false;
}

/** IAM action names are case-insensitive; `*` and `?` are wildcards. */
function matchesAction(pattern: unknown, action: string): boolean {
  if (typeof pattern !== "string") return false;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** The values of one principal type (`Federated`, `AWS`, ...), or ["*"] for `Principal: "*"`. */
export function principals(statement: TrustStatement, type: string): readonly unknown[] {
  const principal = statement.fields.Principal;
  if (principal === "*") return ["*"];
  return isRecord(principal) ? listOf(principal[type]) : [];
}

/** The condition-key prefixes (`<host>`) of the IAM OIDC providers the statement trusts. */
export function oidcProviderHosts(statement: TrustStatement): readonly string[] {
  return principals(statement, "Federated").flatMap((arn) => {
    const host = typeof arn === "string" ? OIDC_PROVIDER_ARN.exec(arn)?.[1] : undefined;
    return host === undefined ? [] : [host];
  });
}

/** A statement that lets an IAM OIDC provider's tokens assume the role. */
export function isWebIdentityStatement(statement: TrustStatement): boolean {
  return allowsAction(statement, WEB_IDENTITY_ACTION) && oidcProviderHosts(statement).length > 0;
}

/** Whether the role federates any web identity (an OIDC provider, Cognito, Google, ...). */
export function federatesWebIdentity(document: TrustDocument): boolean {
  return (
    document.kind === "document" &&
    document.statements.some(
      (statement) => allowsAction(statement, WEB_IDENTITY_ACTION) && principals(statement, "Federated").length > 0,
    )
  );
}
