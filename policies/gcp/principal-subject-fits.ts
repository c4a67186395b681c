// GCP maps a token's `sub` to google.subject, which is at most 127 bytes: a principal:// member
// naming a longer (or empty) subject can never match a token, and usually means the subject was
// built differently from the issuer's.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MAX_GCP_SUBJECT_BYTES, utf8Length } from "../../worker/config/index.js";
import { reportViolationsOfTypes } from "../resource-policy.js";
import { GRANT_CLASSES, GRANTS_DESCRIPTION, grantsOf, principalSubject } from "./iam-grants.js";

export function principalSubjectViolations(type: string, inputs: Readonly<Record<string, unknown>>): readonly string[] {
  const grants = grantsOf(type, inputs);
  if (grants.kind !== "grants") return [];
  return grants.grants.flatMap(({ member }) => {
    const subject = principalSubject(member);
    if (subject === undefined) return [];
    const bytes = utf8Length(subject);
    if (bytes >= 1 && bytes <= MAX_GCP_SUBJECT_BYTES) return [];
    return [
      `member ${String(member)} names a subject of ${bytes} bytes, but google.subject is 1 to ${MAX_GCP_SUBJECT_BYTES} ` +
        "bytes, so no token can ever match it; use the workload's subject exactly as the issuer mints it (worker/<account_id>/<script_name>)",
    ];
  });
}

export const gcpPrincipalSubjectFits: ResourceValidationPolicy = {
  name: "gcp-principal-subject-fits",
  description: `Every principal://…/subject/<sub> member names a subject of 1 to ${MAX_GCP_SUBJECT_BYTES} bytes (google.subject's limit).`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfTypes(GRANT_CLASSES, GRANTS_DESCRIPTION, principalSubjectViolations),
};
