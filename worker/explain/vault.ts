// A token judged as Vault's JWT auth method judges a login at one role (developer.hashicorp.com
// /vault/docs/auth/jwt and vault-plugin-auth-jwt's path_login.go): the mount's bound_issuer equals
// iss; the role's bound_audiences holds one of aud's values; bound_subject equals sub; user_claim
// names a string claim; each bound claim (bound_claims_type string) equals one of its values
// (a bound value splits at commas). Signature, exp and nbf are `wid verify`'s part.

import type { VaultMountDocument, VaultRoleDocument } from "../trust/vault-role.js";
import {
  ABSENT,
  audiencesOf,
  type Condition,
  type Explanation,
  explanation,
  shown,
  type TokenClaims,
} from "./explanation.js";
import { UnsupportedTrustError } from "./unsupported.js";

export function explainVaultTrust(
  mount: VaultMountDocument,
  role: VaultRoleDocument,
  claims: TokenClaims,
): Explanation {
  if (role.roleType !== "jwt") throw new UnsupportedTrustError(`role_type ${String(role.roleType)}`);
  if (role.boundClaimsType !== "string")
    throw new UnsupportedTrustError(`bound_claims_type ${String(role.boundClaimsType)}`);
  const conditions: Condition[] = [];
  const issuerPassed = claims.iss === mount.boundIssuer;
  conditions.push({
    name: "bound_issuer",
    claim: "iss",
    requires: mount.boundIssuer,
    carries: shown(claims.iss),
    passed: issuerPassed,
    ...(issuerPassed ? {} : { why: "wrong issuer: the mount trusts one issuer" }),
  });
  const audiences = audiencesOf(claims);
  const audiencePassed = audiences.some((a) => role.boundAudiences.includes(a));
  conditions.push({
    name: "bound_audiences",
    claim: "aud",
    requires: `one of ${role.boundAudiences.join(", ")}`,
    carries: audiences.length === 0 ? ABSENT : audiences.join(", "),
    passed: audiencePassed,
    ...(audiencePassed ? {} : { why: "wrong audience" }),
  });
  const subjectPassed = claims.sub === role.boundSubject;
  conditions.push({
    name: "bound_subject",
    claim: "sub",
    requires: role.boundSubject,
    carries: shown(claims.sub),
    passed: subjectPassed,
    ...(subjectPassed ? {} : { why: "Vault compares sub exactly" }),
  });
  const user = claims[role.userClaim];
  conditions.push({
    name: "user_claim",
    claim: role.userClaim,
    requires: `a string claim ${role.userClaim}`,
    carries: shown(user),
    passed: typeof user === "string",
  });
  for (const [claim, bound] of Object.entries(role.boundClaims)) {
    const actual = claims[claim];
    const values = Array.isArray(actual) ? actual : actual === undefined ? [] : [actual];
    const expected = bound.split(",");
    const passed = values.some((v) => expected.includes(String(v)));
    conditions.push({
      name: `bound_claims.${claim}`,
      claim,
      requires: bound,
      carries: shown(actual),
      passed,
      ...(passed ? {} : { why: `claim ${claim} ${actual === undefined ? "is missing" : "matches no bound value"}` }),
    });
  }
  return explanation("vault", `${role.backend}/role/${role.roleName}`, `role ${role.roleName}`, conditions);
}
