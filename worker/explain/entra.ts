// A token judged as Microsoft Entra ID judges a federated client assertion against an identity's
// federated identity credentials (learn.microsoft.com, "Workload identity federation: important
// considerations"): one FIC whose issuer and subject equal the token's iss and sub exactly
// (case-sensitive), with its audience in the token's aud.

import type { EntraCredentialDocument } from "../trust/entra-credential.js";
import {
  ABSENT,
  audiencesOf,
  type Condition,
  type Explanation,
  explanation,
  shown,
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
  const exact = (name: string, claim: "iss" | "sub", required: string): Condition => {
    const passed = claims[claim] === required;
    return {
      name,
      claim,
      requires: required,
      carries: shown(claims[claim]),
      passed,
      ...(passed ? {} : { why: `Entra compares ${claim} exactly, case included` }),
    };
  };
  const audiences = audiencesOf(claims);
  const audiencePassed = fic.audiences.some((a) => audiences.includes(a));
  return [
    exact("issuer", "iss", fic.issuer),
    exact("subject", "sub", fic.subject),
    {
      name: "audiences",
      claim: "aud",
      requires: fic.audiences.join(", "),
      carries: audiences.length === 0 ? ABSENT : audiences.join(", "),
      passed: audiencePassed,
      ...(audiencePassed ? {} : { why: "Entra compares the audience exactly, case included" }),
    },
  ];
}
