// The GCP provider's IAM resources as the test suite's fake (pulumi-gcp 9.x over
// terraform-provider-google): service accounts, IAM members on service accounts and projects,
// workload identity pools and their OIDC providers, refusing what the IAM API refuses (ids,
// console texts, attribute mappings and conditions, audiences, member and role formats, the
// default service account quota, ids of soft-deleted pools, grants on a service account the
// same deploy creates that do not wait for it to settle); and getProject from a project table.

import { createHash } from "node:crypto";
import { GCP_IAM } from "../../../worker/config/provider-limits.js";
import { atMost, matching, optionalText, record, requiredText, takenElsewhere, utf8Bytes } from "./checks.js";
import type { DeployView, Properties, ProviderFake, RegisterContext, ResourceFake } from "./model.js";
import { SLEEP } from "./time.js";
import { TYPE } from "./types.js";

export const POOL = TYPE.pool;
export const POOL_PROVIDER = TYPE.poolProvider;
const ACCOUNT = TYPE.serviceAccount;
const DAY_MS = 86_400_000;

function knownProject(context: RegisterContext): { projectId: string; number: string } {
  const projectId = requiredText(context, "project");
  const number = context.deploy.projectNumber(projectId);
  if (number === undefined) {
    context.refuse(
      `googleapi: Error 403: Permission denied on resource project ${projectId} (or it may not exist), forbidden`,
      "GCP Resource Manager: a project the caller can see",
    );
  }
  return { projectId, number };
}

function workloadIdentityId(context: RegisterContext, key: string): string {
  const id = requiredText(context, key);
  matching(context, key, id, GCP_IAM.workloadIdentityId);
  if (id.startsWith(GCP_IAM.reservedIdPrefix.value)) {
    context.refuse(
      `INVALID_ARGUMENT: ${key} '${id}' starts with the reserved prefix ${GCP_IAM.reservedIdPrefix.value}`,
      GCP_IAM.reservedIdPrefix,
    );
  }
  return id;
}

function consoleText(
  context: RegisterContext,
  displayMax: typeof GCP_IAM.poolDisplayName,
  descriptionMax: typeof GCP_IAM.poolDescription,
): void {
  atMost(context, "displayName", (optionalText(context, "displayName") ?? "").length, displayMax, "characters");
  atMost(context, "description", (optionalText(context, "description") ?? "").length, descriptionMax, "characters");
}

/** A pool or provider id deleted less than 30 days ago cannot be created again. */
function notSoftDeleted(context: RegisterContext, kind: "pool" | "provider", key: string): void {
  if (context.prior !== undefined && !context.replacing) return;
  const deletedAt = context.deploy.deletedAt(kind, key);
  if (deletedAt === undefined) return;
  const purgedAt = deletedAt + GCP_IAM.softDeleteDays.value * DAY_MS;
  if (context.deploy.nowMs < purgedAt) {
    context.refuse(
      `googleapi: Error 409: Requested entity already exists, alreadyExists: the ${kind} ${key} was deleted on ${new Date(deletedAt).toISOString()} and stays soft-deleted until ${new Date(purgedAt).toISOString()}`,
      GCP_IAM.softDeleteDays,
    );
  }
}

function checkMember(context: RegisterContext): string {
  const member = requiredText(context, "member");
  const formats = GCP_IAM.members.value;
  const kind = (Object.keys(formats) as (keyof typeof formats)[]).find((k) => member.startsWith(`${k}:`));
  if (kind === undefined || !formats[kind].test(member)) {
    context.refuse(`Error 400: Invalid principal identifier ${JSON.stringify(member)}, badRequest`, GCP_IAM.members);
  }
  if (kind === "principal") {
    const subject = member.slice(member.indexOf("/subject/") + "/subject/".length);
    atMost(context, "the principal's google.subject", utf8Bytes(subject), GCP_IAM.subjectBytes, "bytes");
  }
  return member;
}

function checkRole(context: RegisterContext): void {
  matching(context, "role", requiredText(context, "role"), GCP_IAM.role);
}

const account: ResourceFake = {
  replaceOn: ["accountId", "project"],
  register(context: RegisterContext) {
    const { projectId } = knownProject(context);
    const accountId = requiredText(context, "accountId");
    matching(context, "accountId", accountId, GCP_IAM.serviceAccountId);
    atMost(
      context,
      "displayName",
      utf8Bytes(optionalText(context, "displayName") ?? ""),
      GCP_IAM.serviceAccountDisplayName,
      "bytes",
    );
    atMost(
      context,
      "description",
      utf8Bytes(optionalText(context, "description") ?? ""),
      GCP_IAM.serviceAccountDescription,
      "bytes",
    );
    const inProject = context.deploy.declared(ACCOUNT).filter((a) => a.inputs.project === projectId);
    if (takenElsewhere(context, ACCOUNT, (a) => a.inputs.project === projectId && a.inputs.accountId === accountId)) {
      context.refuse(
        `googleapi: Error 409: Service account ${accountId} already exists within project projects/${projectId}., alreadyExists`,
        GCP_IAM.serviceAccountIdUnique,
      );
    }
    if (inProject.length + 1 > GCP_IAM.serviceAccountsPerProject.value) {
      context.refuse(
        `googleapi: Error 429: Maximum number of service accounts on project reached (${GCP_IAM.serviceAccountsPerProject.value}), rateLimitExceeded`,
        GCP_IAM.serviceAccountsPerProject,
      );
    }
    const email = `${accountId}@${projectId}.iam.gserviceaccount.com`;
    const uniqueId = BigInt(
      `0x${createHash("sha256").update(`${email}/${context.generation}`).digest("hex").slice(0, 16)}`,
    )
      .toString()
      .padStart(21, "1")
      .slice(0, 21);
    return {
      ...context.inputs,
      email,
      member: `serviceAccount:${email}`,
      name: `projects/${projectId}/serviceAccounts/${email}`,
      uniqueId,
    };
  },
};

const EVENTUALLY_CONSISTENT =
  "@pulumi/gcp serviceaccount.Account doc: creation of service accounts is eventually consistent, and that can lead to errors when you try to apply ACLs to service accounts immediately after creation";

/**
 * A service account this deploy creates is not yet visible to IAM when the grant runs, unless
 * the grant waits (directly or through what it waits for) for a time Sleep whose triggers name
 * the account (its email, uniqueId or resource name), so the Sleep runs again for a new account.
 */
function settledAccount(
  context: RegisterContext,
  email: string,
  refusal: (email: string, projectId: string) => string,
): void {
  const account = context.deploy.created(ACCOUNT).find((a) => a.outputs.email === email);
  if (account === undefined) return;
  const names = new Set([account.outputs.email, account.outputs.uniqueId, account.outputs.name]);
  const waited = context
    .waitsFor()
    .some(
      (r) =>
        r.type === SLEEP &&
        typeof r.inputs.triggers === "object" &&
        r.inputs.triggers !== null &&
        Object.values(r.inputs.triggers).some((v) => names.has(v)),
    );
  if (!waited) context.refuse(refusal(email, String(account.inputs.project)), EVENTUALLY_CONSISTENT);
}

/** A member naming a service account (serviceAccount:<email>) that may have been created just now. */
function settledMember(context: RegisterContext, member: string): void {
  if (!member.startsWith("serviceAccount:")) return;
  settledAccount(
    context,
    member.slice("serviceAccount:".length),
    (email) => `googleapi: Error 400: Service account ${email} does not exist., badRequest`,
  );
}

const SERVICE_ACCOUNT_ID = /^projects\/([^/]+)\/serviceAccounts\/[^@/]+@[a-z0-9.-]+$/;

const serviceAccountMember: ResourceFake = {
  replaceOn: ["serviceAccountId", "role", "member", "condition"],
  register(context: RegisterContext) {
    const id = requiredText(context, "serviceAccountId");
    if (!SERVICE_ACCOUNT_ID.test(id)) {
      context.refuse(
        `serviceAccountId ${JSON.stringify(id)} must be projects/{project}/serviceAccounts/{email}`,
        "terraform-provider-google google_service_account_iam_member: service_account_id format",
      );
    }
    checkRole(context);
    const member = checkMember(context);
    settledAccount(
      context,
      id.slice(id.lastIndexOf("/") + 1),
      (email, projectId) =>
        `googleapi: Error 404: Service account projects/${projectId}/serviceAccounts/${email} does not exist., notFound`,
    );
    settledMember(context, member);
    return { ...context.inputs, etag: "BwX" };
  },
};

const projectMember: ResourceFake = {
  replaceOn: ["project", "role", "member", "condition"],
  register(context: RegisterContext) {
    knownProject(context);
    checkRole(context);
    settledMember(context, checkMember(context));
    return { ...context.inputs, etag: "BwX" };
  },
};

function poolName(number: string, poolId: string): string {
  return `projects/${number}/locations/global/workloadIdentityPools/${poolId}`;
}

const pool: ResourceFake = {
  replaceOn: ["project", "workloadIdentityPoolId"],
  register(context: RegisterContext) {
    const { projectId, number } = knownProject(context);
    const poolId = workloadIdentityId(context, "workloadIdentityPoolId");
    consoleText(context, GCP_IAM.poolDisplayName, GCP_IAM.poolDescription);
    notSoftDeleted(context, "pool", `${projectId}/${poolId}`);
    return { ...context.inputs, name: poolName(number, poolId), state: "ACTIVE" };
  },
};

const poolProvider: ResourceFake = {
  replaceOn: ["project", "workloadIdentityPoolId", "workloadIdentityPoolProviderId"],
  register(context: RegisterContext) {
    const { projectId, number } = knownProject(context);
    const poolId = requiredText(context, "workloadIdentityPoolId");
    const providerId = workloadIdentityId(context, "workloadIdentityPoolProviderId");
    const hasPool = (deploy: DeployView) =>
      [...deploy.declared(POOL), ...deploy.committed(POOL)].some(
        (p) => p.inputs.project === projectId && p.inputs.workloadIdentityPoolId === poolId,
      );
    if (!hasPool(context.deploy))
      context.refuse(
        `googleapi: Error 404: the pool ${poolName(number, poolId)} was not found, notFound`,
        "IAM API reference, providers.create: the parent pool must exist",
      );
    if (
      takenElsewhere(
        context,
        POOL_PROVIDER,
        (p) =>
          p.inputs.project === projectId &&
          p.inputs.workloadIdentityPoolId === poolId &&
          p.inputs.workloadIdentityPoolProviderId === providerId,
      )
    )
      context.refuse(
        `googleapi: Error 409: Requested entity already exists: provider ${providerId} of pool ${poolId}, alreadyExists`,
        GCP_IAM.workloadIdentityId,
      );
    consoleText(context, GCP_IAM.providerDisplayName, GCP_IAM.providerDescription);
    checkAttributeMapping(context);
    const condition = optionalText(context, "attributeCondition") ?? "";
    atMost(context, "attributeCondition", condition.length, GCP_IAM.attributeCondition, "characters");
    const oidc = record(context, "oidc");
    const issuerUri = requiredText(context, "issuerUri", oidc);
    if (!issuerUri.startsWith("https://"))
      context.refuse(
        `INVALID_ARGUMENT: oidc.issuerUri '${issuerUri}' must be an https URL`,
        "IAM API reference, Oidc.issuerUri: the OIDC issuer URL, https",
      );
    const audiences = Array.isArray(oidc.allowedAudiences) ? oidc.allowedAudiences : [];
    atMost(context, "oidc.allowedAudiences", audiences.length, GCP_IAM.allowedAudiences, "audiences");
    for (const audience of audiences)
      atMost(
        context,
        `the audience ${JSON.stringify(audience)}`,
        String(audience).length,
        GCP_IAM.allowedAudienceLength,
        "characters",
      );
    notSoftDeleted(context, "provider", `${projectId}/${poolId}/${providerId}`);
    return { ...context.inputs, name: `${poolName(number, poolId)}/providers/${providerId}`, state: "ACTIVE" };
  },
};

const GOOGLE_ATTRIBUTES: ReadonlySet<string> = new Set(GCP_IAM.attributeMappingKeys.value);

function checkAttributeMapping(context: RegisterContext): void {
  const mapping = record(context, "attributeMapping");
  if (mapping["google.subject"] === undefined)
    context.refuse("INVALID_ARGUMENT: attributeMapping must map google.subject", GCP_IAM.attributeMappingKeys);
  let custom = 0;
  for (const [key, expression] of Object.entries(mapping)) {
    if (key.startsWith("attribute.")) {
      custom++;
      matching(context, "attributeMapping key", key.slice("attribute.".length), GCP_IAM.customAttributeKey);
    } else if (!GOOGLE_ATTRIBUTES.has(key)) {
      context.refuse(
        `INVALID_ARGUMENT: attributeMapping key '${key}' is neither a google.* attribute nor attribute.<name>`,
        GCP_IAM.attributeMappingKeys,
      );
    }
    atMost(
      context,
      `the attributeMapping expression of ${key}`,
      String(expression).length,
      GCP_IAM.attributeMappingExpression,
      "characters",
    );
  }
  atMost(context, "attributeMapping's custom attributes", custom, GCP_IAM.customAttributes, "attributes");
}

function getProject(inputs: Properties, deploy: DeployView, refuse: RegisterContext["refuse"]): Properties {
  const projectId = typeof inputs.projectId === "string" ? inputs.projectId : undefined;
  const number = projectId === undefined ? undefined : deploy.projectNumber(projectId);
  if (projectId === undefined || number === undefined) {
    refuse(
      `Error when reading or editing Project "${String(projectId)}": googleapi: Error 403: The caller does not have permission, forbidden`,
      "GCP Resource Manager projects.get: a project the caller can see",
    );
  }
  return { id: `projects/${projectId}`, projectId, number, name: projectId };
}

export const gcpFake: ProviderFake = {
  resources: {
    [ACCOUNT]: account,
    [TYPE.serviceAccountMember]: serviceAccountMember,
    [TYPE.projectMember]: projectMember,
    [POOL]: pool,
    [POOL_PROVIDER]: poolProvider,
  },
  functions: { "gcp:organizations/getProject:getProject": getProject },
};
