// In a role that federates web identity, sts:TagSession belongs in the statement that allows
// sts:AssumeRoleWithWebIdentity, under the same principal and conditions: tags then come only
// from tokens the conditions admit. A separate statement would let another principal (or any
// token of the provider) set the session tags the role's permissions may rely on.

import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containsUnknown } from "../inputs.js";
import { reportViolationsOfType } from "../resource-policy.js";
import {
  allowsAction,
  federatesWebIdentity,
  TAG_SESSION_ACTION,
  trustDocument,
  WEB_IDENTITY_ACTION,
} from "./trust-document.js";

export function tagSessionViolations(role: Readonly<Record<string, unknown>>): readonly string[] {
  const document = trustDocument(role.assumeRolePolicy);
  if (document.kind !== "document" || !federatesWebIdentity(document)) return [];
  return document.statements
    .filter((statement) => !containsUnknown(statement.fields.Action) && !containsUnknown(statement.fields.NotAction))
    .filter((statement) => allowsAction(statement, TAG_SESSION_ACTION) && !allowsAction(statement, WEB_IDENTITY_ACTION))
    .map(
      (statement) =>
        `${statement.label} allows ${TAG_SESSION_ACTION} without ${WEB_IDENTITY_ACTION}; ` +
        `move ${TAG_SESSION_ACTION} into the Action list of the web identity statement, under its principal and conditions`,
    );
}

export const awsTagSessionWithWebIdentity: ResourceValidationPolicy = {
  name: "aws-tag-session-with-web-identity",
  description:
    "In a role that federates web identity, sts:TagSession is allowed only by a statement that also allows sts:AssumeRoleWithWebIdentity.",
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(aws.iam.Role, tagSessionViolations),
};
