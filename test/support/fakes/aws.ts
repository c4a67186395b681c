// The AWS provider's IAM resources as the test suite's fake (pulumi-aws 7.x): the OIDC provider,
// roles, managed policy attachments and inline policies, refusing what the IAM API refuses (names,
// paths, descriptions, tags, policy sizes as IAM counts them, session duration, default quotas).

import { createHash } from "node:crypto";
import { AWS_IAM } from "../../../worker/config/provider-limits.js";
import {
  atMost,
  charactersWithoutWhitespace,
  list,
  matching,
  optionalText,
  record,
  requiredText,
  takenElsewhere,
  within,
} from "./checks.js";
import type { ProviderFake, RegisterContext, ResourceFake, StoredResource } from "./model.js";
import { TYPE } from "./types.js";

/** The fake account every ARN names. */
const AWS_ACCOUNT_ID = "111122223333";
const ROLE = TYPE.role;
const ATTACHMENT = TYPE.rolePolicyAttachment;
const INLINE = TYPE.rolePolicy;
const OIDC = TYPE.oidcProvider;

function checkTags(context: RegisterContext): void {
  const tags = record(context, "tags");
  const entries = Object.entries(tags);
  atMost(context, "tags", entries.length, AWS_IAM.tagsPerResource, "tags");
  for (const [key, value] of entries) {
    if (typeof value !== "string") context.refuse(`tag ${key}: the value must be a string`, AWS_IAM.tagCharacters);
    if (key.length < AWS_IAM.tagKeyLength.value.min || key.length > AWS_IAM.tagKeyLength.value.max) {
      context.refuse(
        `ValidationError: tag key '${key}' is ${key.length} characters; keys are 1 to 128`,
        AWS_IAM.tagKeyLength,
      );
    }
    if (value.length > AWS_IAM.tagValueLength.value.max) {
      context.refuse(
        `ValidationError: the value of tag '${key}' is ${value.length} characters; values are at most 256`,
        AWS_IAM.tagValueLength,
      );
    }
    if (!AWS_IAM.tagCharacters.value.test(key)) {
      context.refuse(
        `ValidationError: tag key '${key}' fails to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`,
        AWS_IAM.tagCharacters,
      );
    }
    if (!AWS_IAM.tagCharacters.value.test(value)) {
      context.refuse(
        `ValidationError: the value ${JSON.stringify(value)} of tag '${key}' fails to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
        AWS_IAM.tagCharacters,
      );
    }
    if (key.toLowerCase().startsWith(AWS_IAM.reservedTagPrefix.value)) {
      context.refuse(
        `InvalidInput: tag keys may not begin with '${AWS_IAM.reservedTagPrefix.value}': '${key}'`,
        AWS_IAM.reservedTagPrefix,
      );
    }
  }
}

/** A policy document: JSON, in IAM's characters. */
function checkPolicyDocument(context: RegisterContext, what: string, document: string): void {
  matching(context, what, document, AWS_IAM.policyDocumentCharacters);
  try {
    const parsed: unknown = JSON.parse(document);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
  } catch (error) {
    context.refuse(
      `MalformedPolicyDocument: ${what} is not a JSON policy (${(error as Error).message})`,
      AWS_IAM.policyDocumentCharacters,
    );
  }
}

/** The role name an attachment or inline policy names, which must be a role of the account. */
function existingRole(context: RegisterContext): string {
  const role = requiredText(context, "role");
  const named = (r: StoredResource) => String(r.inputs.name) === role;
  if (!context.deploy.declared(ROLE).some(named) && !context.deploy.committed(ROLE).some(named)) {
    context.refuse(
      `NoSuchEntity: The role with name ${role} cannot be found.`,
      "IAM API reference, AttachRolePolicy / PutRolePolicy: NoSuchEntity",
    );
  }
  return role;
}

const oidcProvider: ResourceFake = {
  replaceOn: ["url"],
  register(context: RegisterContext) {
    const url = requiredText(context, "url");
    atMost(context, "url", url.length, AWS_IAM.oidcProviderUrl, "characters");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return context.refuse(`InvalidInput: url '${url}' is not a URL`, AWS_IAM.oidcProviderUrl);
    }
    if (
      parsed.protocol !== "https:" ||
      parsed.port !== "" ||
      parsed.search !== "" ||
      parsed.hash !== "" ||
      url.includes("?") ||
      url.includes("#")
    ) {
      context.refuse(
        `InvalidInput: url '${url}' must begin with https:// and have no port, query or fragment`,
        AWS_IAM.oidcProviderUrl,
      );
    }
    const clientIds = list(context, "clientIdLists");
    atMost(context, "clientIdLists", clientIds.length, AWS_IAM.oidcClientIdsPerProvider, "client ids");
    for (const clientId of clientIds) {
      const length = String(clientId).length;
      if (
        typeof clientId !== "string" ||
        length < AWS_IAM.oidcClientIdLength.value.min ||
        length > AWS_IAM.oidcClientIdLength.value.max
      ) {
        context.refuse(
          `InvalidInput: client id ${JSON.stringify(clientId)} must be 1 to 255 characters`,
          AWS_IAM.oidcClientIdLength,
        );
      }
    }
    const thumbprints = list(context, "thumbprintLists");
    atMost(context, "thumbprintLists", thumbprints.length, AWS_IAM.oidcThumbprintsPerProvider, "thumbprints");
    for (const thumbprint of thumbprints) matching(context, "thumbprint", String(thumbprint), AWS_IAM.oidcThumbprint);
    checkTags(context);
    if (takenElsewhere(context, OIDC, (p) => p.inputs.url === url))
      context.refuse(`EntityAlreadyExists: Provider with url ${url} already exists.`, AWS_IAM.oidcProviderUrl);
    // IAM names the provider after the URL without its scheme (the condition keys follow it).
    const resourceName = url.slice("https://".length).replace(/\/$/, "");
    return { ...context.inputs, arn: `arn:aws:iam::${AWS_ACCOUNT_ID}:oidc-provider/${resourceName}` };
  },
};

/**
 * A trust statement's `Federated` OIDC provider must be one the account holds: IAM refuses a role
 * whose trust policy names a provider that does not exist ("Invalid principal in policy").
 */
function federatedProvidersExist(context: RegisterContext, trust: string): void {
  let statements: unknown;
  try {
    statements = (JSON.parse(trust) as { Statement?: unknown }).Statement;
  } catch {
    return;
  }
  const known = new Set(
    [...context.deploy.declared(OIDC), ...context.deploy.committed(OIDC)].map((p) => String(p.outputs.arn)),
  );
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const federated = (statement as { Principal?: { Federated?: unknown } } | null)?.Principal?.Federated;
    for (const arn of Array.isArray(federated) ? federated : federated === undefined ? [] : [federated]) {
      if (typeof arn === "string" && arn.includes(":oidc-provider/") && !known.has(arn)) {
        context.refuse(
          `MalformedPolicyDocument: Invalid principal in policy: "Federated":"${arn}"`,
          "IAM API reference, CreateRole / UpdateAssumeRolePolicy: MalformedPolicyDocument for a principal that does not exist",
        );
      }
    }
  }
}

const role: ResourceFake = {
  replaceOn: ["name", "namePrefix", "path"],
  register(context: RegisterContext) {
    const name = requiredText(context, "name");
    matching(context, "RoleName", name, AWS_IAM.roleName);
    const path = optionalText(context, "path") ?? "/";
    matching(context, "Path", path, AWS_IAM.rolePath);
    const description = optionalText(context, "description") ?? "";
    atMost(context, "Description", description.length, AWS_IAM.roleDescriptionLength, "characters");
    matching(context, "Description", description, AWS_IAM.roleDescriptionCharacters);
    checkTags(context);
    const trust = requiredText(context, "assumeRolePolicy");
    checkPolicyDocument(context, "AssumeRolePolicyDocument", trust);
    federatedProvidersExist(context, trust);
    const size = charactersWithoutWhitespace(trust);
    if (size > AWS_IAM.trustPolicyCharacters.value) {
      context.refuse(
        `LimitExceeded: Cannot exceed quota for ACLSizePerRole: ${AWS_IAM.trustPolicyCharacters.value} (the trust policy is ${size} characters without white space)`,
        AWS_IAM.trustPolicyCharacters,
      );
    }
    const session = context.inputs.maxSessionDuration;
    if (session !== undefined && session !== null)
      within(context, "MaxSessionDuration", Number(session), AWS_IAM.maxSessionDurationSeconds);
    if (takenElsewhere(context, ROLE, (r) => String(r.inputs.name).toLowerCase() === name.toLowerCase()))
      context.refuse(`EntityAlreadyExists: Role with name ${name} already exists.`, AWS_IAM.roleName);
    atMost(context, "the account's roles", context.deploy.declared(ROLE).length + 1, AWS_IAM.rolesPerAccount, "roles");
    const uniqueId = `AROA${createHash("sha256").update(`${name}/${context.generation}`).digest("hex").slice(0, 17).toUpperCase()}`;
    return { ...context.inputs, path, arn: `arn:aws:iam::${AWS_ACCOUNT_ID}:role${path}${name}`, uniqueId };
  },
};

const attachment: ResourceFake = {
  replaceOn: ["role", "policyArn"],
  register(context: RegisterContext) {
    const roleName = existingRole(context);
    matching(context, "PolicyArn", requiredText(context, "policyArn"), AWS_IAM.managedPolicyArn);
    const attached = context.deploy.declared(ATTACHMENT).filter((a) => a.inputs.role === roleName).length + 1;
    if (attached > AWS_IAM.managedPoliciesPerRole.value) {
      context.refuse(
        `LimitExceeded: Cannot exceed quota for PoliciesPerRole: ${AWS_IAM.managedPoliciesPerRole.value} (role ${roleName})`,
        AWS_IAM.managedPoliciesPerRole,
      );
    }
    return { ...context.inputs };
  },
};

const inlinePolicy: ResourceFake = {
  replaceOn: ["name", "namePrefix", "role"],
  register(context: RegisterContext) {
    const roleName = existingRole(context);
    const name = requiredText(context, "name");
    matching(context, "PolicyName", name, AWS_IAM.inlinePolicyName);
    const document = requiredText(context, "policy");
    checkPolicyDocument(context, `the policy ${name}`, document);
    const total = context.deploy
      .declared(INLINE)
      .filter((p) => p.inputs.role === roleName)
      .reduce(
        (sum, p) => sum + charactersWithoutWhitespace(String(p.inputs.policy)),
        charactersWithoutWhitespace(document),
      );
    if (total > AWS_IAM.inlinePoliciesPerRoleCharacters.value) {
      context.refuse(
        `LimitExceeded: Maximum policy size of ${AWS_IAM.inlinePoliciesPerRoleCharacters.value} bytes exceeded for role ${roleName} (its inline policies are ${total} characters)`,
        AWS_IAM.inlinePoliciesPerRoleCharacters,
      );
    }
    return { ...context.inputs };
  },
};

export const awsFake: ProviderFake = {
  resources: { [OIDC]: oidcProvider, [ROLE]: role, [ATTACHMENT]: attachment, [INLINE]: inlinePolicy },
  functions: {},
};
