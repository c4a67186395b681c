// A token judged as Vault's JWT auth method judges a login at one role (developer.hashicorp.com
// /vault/docs/auth/jwt and vault-plugin-auth-jwt's path_login.go): the mount's bound_issuer equals
// iss; the role's bound_audiences holds one of aud's values; bound_subject equals sub; user_claim
// names a string claim; each bound claim (bound_claims_type string) equals one of its values
// (a bound value splits at commas). Signature, exp and nbf are `wid verify`'s part.

import { type VaultMountDocument, type VaultRoleDocument, vaultRolePath } from "../trust/vault-role.js";
import {
  audienceAmong,
  type Condition,
  type Explanation,
  exactClaim,
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
  const conditions: Condition[] = [
    exactClaim("bound_issuer", "iss", mount.boundIssuer, claims, "wrong issuer: the mount trusts one issuer"),
    audienceAmong("bound_audiences", role.boundAudiences, claims, "wrong audience"),
    exactClaim("bound_subject", "sub", role.boundSubject, claims, "Vault compares sub exactly"),
  ];
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
  return explanation("vault", vaultRolePath(role.backend, role.roleName), `role ${role.roleName}`, conditions);
}
