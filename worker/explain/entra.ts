// A token judged as Microsoft Entra ID judges a federated client assertion against an identity's
// federated identity credentials (learn.microsoft.com, "Workload identity federation: important
// considerations"): one FIC whose issuer and subject equal the token's iss and sub exactly
// (case-sensitive), with its audience in the token's aud.

import type { EntraCredentialDocument } from "../trust/entra-credential.js";
import {
  audienceAmong,
  type Condition,
  type Explanation,
  exactClaim,
  explanation,
  type TokenClaims,
} from "./explanation.js";

export function explainEntraTrust(
  identity: string,
  credentials: readonly EntraCredentialDocument[],
  claims: TokenClaims,
): Explanation {
  const judged = credentials.map((fic) => ({ fic, conditions: ficConditions(fic, claims) }));
  const chosen =
    judged.find((j) => j.conditions.every((c) => c.passed)) ??
    judged.find((j) => j.fic.issuer === claims.iss) ??
    judged[0];
  if (chosen === undefined) throw new TypeError(`${identity} has no federated identity credential`);
  return explanation("azure", identity, `FIC ${chosen.fic.name}`, chosen.conditions);
}

function ficConditions(fic: EntraCredentialDocument, claims: TokenClaims): Condition[] {
  return [
    exactClaim("issuer", "iss", fic.issuer, claims, "Entra compares iss exactly, case included"),
    exactClaim("subject", "sub", fic.subject, claims, "Entra compares sub exactly, case included"),
    audienceAmong(
      "audiences",
      fic.audiences,
      claims,
      "Entra compares the audience exactly, case included",
      fic.audiences.join(", "),
    ),
  ];
}
