// The Cloudflare provider as the test suite's fake (pulumi-cloudflare 6.x over
// terraform-provider-cloudflare v5): Workers scripts with their bindings, migrations and size, KV
// namespaces, custom domains, workers.dev subdomains, routes and mTLS certificates, refusing what
// the Workers API refuses; and getWorkersScripts answered from the account as earlier deploys left it.

import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { gzipSync } from "node:zlib";
import { CLOUDFLARE } from "../../../worker/config/provider-limits.js";
import { atMost, list, matching, optionalText, requiredText, takenElsewhere, utf8Bytes } from "./checks.js";
import type {
  CloudflareScriptState,
  DeployView,
  Properties,
  ProviderFake,
  RegisterContext,
  ResourceFake,
} from "./model.js";
import { TYPE } from "./types.js";

export const WORKERS_SCRIPT = TYPE.workersScript;
export const MTLS_CERTIFICATE = TYPE.mtlsCertificate;
const KV_NAMESPACE = TYPE.workersKvNamespace;
const TEXT_BINDINGS = new Set(["plain_text", "secret_text", "json"]);
const KNOWN_BINDINGS: ReadonlySet<string> = new Set(CLOUDFLARE.bindingTypes.value);

function accountOf(context: RegisterContext): string {
  const accountId = requiredText(context, "accountId");
  matching(context, "accountId", accountId, CLOUDFLARE.accountId);
  return accountId;
}

/** A script the account will hold once this deploy's earlier registrations are applied. */
function scriptExists(deploy: DeployView, accountId: string, scriptName: string): boolean {
  const named = (r: { inputs: Properties }) => r.inputs.accountId === accountId && r.inputs.scriptName === scriptName;
  return deploy.declared(WORKERS_SCRIPT).some(named) || deploy.script(accountId, scriptName) !== undefined;
}

function requireScript(context: RegisterContext, accountId: string, scriptName: string): void {
  if (!scriptExists(context.deploy, accountId, scriptName)) {
    context.refuse(
      `workers.api.error.script_not_found: the Worker '${scriptName}' does not exist on account ${accountId} [code: 10007]`,
      "Cloudflare API: a domain, route or subdomain names an existing Worker",
    );
  }
}

// ---- scripts ----------------------------------------------------------------------------

function checkBindings(context: RegisterContext): void {
  const seen = new Set<string>();
  let variables = 0;
  for (const [index, entry] of list(context, "bindings").entries()) {
    const binding = entry as Properties;
    const name = requiredText(context, "name", binding);
    const type = requiredText(context, "type", binding);
    matching(context, `bindings[${index}].name`, name, CLOUDFLARE.bindingName);
    if (seen.has(name))
      context.refuse(
        `bindings: the name '${name}' is bound twice; binding names must be unique`,
        CLOUDFLARE.bindingName,
      );
    seen.add(name);
    if (!KNOWN_BINDINGS.has(type))
      context.refuse(`bindings[${index}] (${name}): unknown binding type '${type}'`, CLOUDFLARE.bindingTypes);
    if (TEXT_BINDINGS.has(type)) {
      variables++;
      const value = type === "json" ? JSON.stringify(binding.json) : optionalText(context, "text", binding);
      if (value === undefined)
        context.refuse(
          `bindings[${index}] (${name}): text is required for a ${type} binding`,
          "the provider's schema (bindings[].text)",
        );
      atMost(context, `the variable ${name} (${type})`, utf8Bytes(value), CLOUDFLARE.textBindingBytes, "bytes");
    }
  }
  atMost(context, "the Worker's environment variables", variables, CLOUDFLARE.textBindingsPerWorker, "variables");
}

interface MigrationStep {
  readonly newClasses?: readonly string[];
  readonly newSqliteClasses?: readonly string[];
  readonly deletedClasses?: readonly string[];
}

/** The script's migration state after this upload, or a refusal in the API's words. */
function applyMigrations(context: RegisterContext, current: CloudflareScriptState | undefined): CloudflareScriptState {
  const classes = new Set(current?.durableObjectClasses ?? []);
  const migrations = context.inputs.migrations as
    | (MigrationStep & { oldTag?: string; newTag?: string; steps?: MigrationStep[] })
    | undefined;
  if (migrations === undefined || migrations === null) {
    return {
      ...(current?.migrationTag !== undefined ? { migrationTag: current.migrationTag } : {}),
      durableObjectClasses: [...classes],
    };
  }
  const currentTag = current?.migrationTag;
  if ((migrations.oldTag ?? undefined) !== currentTag) {
    context.refuse(
      `Migration tag precondition failed; current tag is ${currentTag ?? "(none)"}, the upload's old_tag is ${migrations.oldTag ?? "(none)"} [code: ${CLOUDFLARE.migrationTagPrecondition.value}]`,
      CLOUDFLARE.migrationTagPrecondition,
    );
  }
  const steps = migrations.steps ?? [migrations];
  for (const step of steps) {
    for (const created of [...(step.newClasses ?? []), ...(step.newSqliteClasses ?? [])]) {
      if (classes.has(created))
        context.refuse(
          `migration: the class '${created}' is already a Durable Object class of this script`,
          CLOUDFLARE.migrationTagPrecondition,
        );
      classes.add(created);
    }
    for (const deleted of step.deletedClasses ?? []) {
      if (!classes.delete(deleted))
        context.refuse(
          `migration: cannot delete '${deleted}', it is not a Durable Object class of this script`,
          CLOUDFLARE.migrationTagPrecondition,
        );
    }
  }
  const newTag = migrations.newTag ?? undefined;
  return { ...(newTag !== undefined ? { migrationTag: newTag } : {}), durableObjectClasses: [...classes] };
}

const workersScript: ResourceFake = {
  replaceOn: ["accountId", "scriptName"],
  register(context: RegisterContext) {
    const accountId = accountOf(context);
    const scriptName = requiredText(context, "scriptName");
    matching(context, "scriptName", scriptName, CLOUDFLARE.scriptName);
    const content = requiredText(context, "content");
    atMost(
      context,
      "the script (gzip-compressed)",
      gzipSync(content).length,
      CLOUDFLARE.scriptCompressedBytes,
      "bytes",
    );
    checkBindings(context);
    // A new script (or a replacement under a new name) starts with no migration tag.
    const current = context.replacing ? undefined : context.deploy.script(accountId, scriptName);
    const migrated = applyMigrations(context, current);
    for (const entry of list(context, "bindings")) {
      const binding = entry as Properties;
      if (binding.type !== "durable_object_namespace" || binding.scriptName !== undefined) continue;
      const className = String(binding.className);
      if (!migrated.durableObjectClasses.includes(className)) {
        context.refuse(
          `Cannot create binding for class '${className}' because it is not currently configured to implement durable objects; apply a migration that creates it [code: ${CLOUDFLARE.durableObjectClassMigrated.value}]`,
          CLOUDFLARE.durableObjectClassMigrated,
        );
      }
    }
    return {
      ...context.inputs,
      etag: createHash("sha256").update(content).digest("hex"),
      hasModules: true,
      // What the account now records about the script (read back through getWorkersScripts).
      ...(migrated.migrationTag !== undefined ? { migrationTag: migrated.migrationTag } : {}),
      durableObjectClasses: migrated.durableObjectClasses,
    };
  },
};

function getWorkersScripts(inputs: Properties, deploy: DeployView): Properties {
  const accountId = String(inputs.accountId);
  const results = deploy
    .committed(WORKERS_SCRIPT)
    .filter((script) => script.inputs.accountId === accountId)
    .map((script) => ({
      id: String(script.inputs.scriptName),
      ...(script.outputs.migrationTag !== undefined ? { migrationTag: script.outputs.migrationTag } : {}),
      compatibilityDate: script.inputs.compatibilityDate,
      etag: script.outputs.etag,
      hasModules: true,
    }));
  return { accountId, results };
}

// ---- the other Workers resources ----------------------------------------------------------

const kvNamespace: ResourceFake = {
  replaceOn: ["accountId"],
  register(context: RegisterContext) {
    const accountId = accountOf(context);
    const title = requiredText(context, "title");
    atMost(context, "title", title.length, CLOUDFLARE.kvNamespaceTitle, "characters");
    if (takenElsewhere(context, KV_NAMESPACE, (ns) => ns.inputs.accountId === accountId && ns.inputs.title === title))
      context.refuse(
        `a namespace with this account ID and title already exists: '${title}' [code: 10014]`,
        CLOUDFLARE.kvNamespaceTitle,
      );
    return { ...context.inputs, supportsUrlEncoding: true };
  },
};

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const customDomain: ResourceFake = {
  // account_id and hostname are RequiresReplace (terraform-provider-cloudflare v5 workers_custom_domain schema).
  replaceOn: ["accountId", "hostname"],
  register(context: RegisterContext) {
    const accountId = accountOf(context);
    const hostname = requiredText(context, "hostname");
    if (!HOSTNAME.test(hostname))
      context.refuse(
        `hostname '${hostname}' is not a valid hostname`,
        "Cloudflare API reference, Workers custom domains: hostname",
      );
    requireScript(context, accountId, requiredText(context, "service"));
    return { ...context.inputs, environment: context.inputs.environment ?? "production" };
  },
};

const scriptSubdomain: ResourceFake = {
  replaceOn: ["accountId", "scriptName"],
  register(context: RegisterContext) {
    const accountId = accountOf(context);
    requireScript(context, accountId, requiredText(context, "scriptName"));
    return { ...context.inputs };
  },
};

const route: ResourceFake = {
  replaceOn: ["zoneId"],
  register(context: RegisterContext) {
    requiredText(context, "zoneId");
    requiredText(context, "pattern");
    return { ...context.inputs };
  },
};

// ---- mTLS certificates ----------------------------------------------------------------------

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const mtlsCertificate: ResourceFake = {
  // Every input forces a new certificate: Cloudflare has no update for an uploaded certificate.
  replaceOn: ["accountId", "ca", "certificates", "name", "privateKey"],
  register(context: RegisterContext) {
    accountOf(context);
    if (typeof context.inputs.ca !== "boolean")
      context.refuse(
        "ca is required (true for a CA, false for a client certificate)",
        "Cloudflare API reference, mTLS certificates upload: ca (required)",
      );
    const pem = requiredText(context, "certificates");
    const blocks = pem.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0)
      context.refuse(
        "certificates: no PEM certificate found",
        "Cloudflare API reference, mTLS certificates upload: certificates (PEM)",
      );
    let chain: X509Certificate[];
    try {
      chain = blocks.map((block) => new X509Certificate(block));
    } catch (error) {
      return context.refuse(
        `certificates: a certificate does not parse (${(error as Error).message})`,
        "Cloudflare API reference, mTLS certificates upload: certificates (PEM)",
      );
    }
    const leaf = chain[0]!;
    if (context.inputs.ca === false) {
      const keyPem = optionalText(context, "privateKey");
      if (keyPem === undefined || keyPem === "")
        context.refuse(
          "privateKey is required for a client certificate (ca: false)",
          "Cloudflare API reference, mTLS certificates upload: private_key, required when ca is false",
        );
      let matches = false;
      try {
        const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: "spki", format: "der" });
        matches = spki(createPublicKey(createPrivateKey(keyPem))).equals(spki(leaf.publicKey));
      } catch (error) {
        context.refuse(
          `privateKey does not parse (${(error as Error).message})`,
          "Cloudflare API reference, mTLS certificates upload: private_key (PEM)",
        );
      }
      if (!matches)
        context.refuse(
          "privateKey is not the key of the first certificate",
          "Cloudflare API reference, mTLS certificates upload: the key must match the certificate",
        );
    }
    const kept = !context.replacing && context.prior !== undefined;
    return {
      ...context.inputs,
      expiresOn: new Date(leaf.validTo).toISOString(),
      issuer: leaf.issuer,
      serialNumber: leaf.serialNumber,
      signature: leaf.fingerprint256,
      uploadedOn: kept ? context.prior!.outputs.uploadedOn : new Date(context.deploy.nowMs).toISOString(),
    };
  },
};

/** When an uploaded certificate stops being valid (ms), from its fake outputs. */
export function certificateExpiry(outputs: Properties): number {
  return Date.parse(String(outputs.expiresOn));
}

export const cloudflareFake: ProviderFake = {
  resources: {
    [WORKERS_SCRIPT]: workersScript,
    [KV_NAMESPACE]: kvNamespace,
    [TYPE.workersCustomDomain]: customDomain,
    [TYPE.workersScriptSubdomain]: scriptSubdomain,
    [TYPE.workersRoute]: route,
    [MTLS_CERTIFICATE]: mtlsCertificate,
  },
  functions: {
    "cloudflare:index/getWorkersScripts:getWorkersScripts": (inputs, deploy, refuse) => {
      if (typeof inputs.accountId !== "string" || !CLOUDFLARE.accountId.value.test(inputs.accountId)) {
        refuse(
          `getWorkersScripts: accountId ${JSON.stringify(inputs.accountId)} is not an account identifier`,
          CLOUDFLARE.accountId,
        );
      }
      return getWorkersScripts(inputs, deploy);
    },
  },
};
