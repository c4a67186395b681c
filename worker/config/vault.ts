// HashiCorp Vault federation: the stack's `vault` key (the server, the JWT auth mount and the
// audience its roles bind). The mount's roles come from the workloads' `vault` sections
// (vault-workload.ts).

import { describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";
import { VAULT } from "./vault-limits.js";
import type { VaultSettings } from "./vault-settings.js";

/** The mount the program enables when `mount` is not written. */
export const DEFAULT_VAULT_MOUNT = "worker-identity";

/** Hosts a Vault may be reached at over plain http: `vault server -dev` listens on http://127.0.0.1:8200. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** One path segment of a mount or a namespace: what this stack writes (a conservative subset of Vault's paths). */
const SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

const VAULT_FIELDS = {
  address: {
    read: readAddress,
    required:
      "is missing; set it to the Vault server's address (what VAULT_ADDR holds), e.g. " +
      "pulumi config set --path vault.address https://vault.example.com:8200",
  },
  mount: { read: readMount },
  audience: { read: readAudience },
  namespace: { read: readNamespace },
} as const;

/** The `vault` stack key. */
export const readVaultSettings: FieldReader<VaultSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, VAULT_FIELDS, {
    what: "a vault setting",
    jsonText: true,
    shape: "a map like {address: https://vault.example.com:8200}",
  });
  if (fields === undefined || fields.address === undefined) return undefined;
  return {
    address: fields.address,
    mount: fields.mount ?? DEFAULT_VAULT_MOUNT,
    audience: fields.audience ?? fields.address,
    ...(fields.namespace === undefined ? {} : { namespace: fields.namespace }),
  };
};

export const VAULT_STACK_KEY_EMPTY =
  "is empty; write vault: {address: https://<vault>:8200} to federate Vault, or delete the line";

const ADDRESS_RULE =
  "an https URL of the Vault server with an optional port and no path, query or credentials " +
  "(http only on 127.0.0.1, localhost or [::1], for a dev server)";

/** The server's origin: the SDK appends /v1/auth/<mount>/login, so a path would be lost or doubled. */
function readAddress(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, ADDRESS_RULE);
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    const fix = /^[\w.-]+(:\d+)?$/.test(text) ? `write it 'https://${text}'` : "e.g. https://vault.example.com:8200";
    issues.add(key, `is ${describeValue(text)}, but must be ${ADDRESS_RULE}; ${fix}`);
    return undefined;
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    issues.add(
      key,
      `is ${describeValue(text)}, plain http to a remote host: the login would send the token and receive ` +
        `the Vault token in clear text; write it 'https://${url.host}'`,
    );
    return undefined;
  }
  if (url.username !== "" || url.password !== "") {
    issues.add(key, `is ${describeValue(text)}, with credentials in the URL; remove them and write '${url.origin}'`);
    return undefined;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    const hint = url.pathname.startsWith("/v1") ? " (the SDK appends /v1/auth/<mount>/login itself)" : "";
    issues.add(
      key,
      `is ${describeValue(text)}, but must be the server's address without a path or query${hint}; write '${url.origin}'`,
    );
    return undefined;
  }
  return url.origin;
}

const MOUNT_RULE =
  "a path of segments of letters, digits, '_', '-' or '.' (starting and ending with a letter, digit or '_'), " +
  "separated by '/', with no leading or trailing '/'";

function readMount(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, `a JWT auth mount path such as ${DEFAULT_VAULT_MOUNT}`);
  if (text === undefined) return undefined;
  const trimmed = text.replace(/^\/+|\/+$/g, "").replace(/^auth\//, "");
  if (text.startsWith("auth/")) {
    issues.add(
      key,
      `is ${describeValue(text)}, but the mount is the path under auth/ (Vault serves it at auth/<mount>); write '${trimmed}'`,
    );
    return undefined;
  }
  if (!text.split("/").every((segment) => SEGMENT.test(segment))) {
    const fix =
      trimmed !== text && trimmed.split("/").every((s) => SEGMENT.test(s))
        ? `write '${trimmed}'`
        : `e.g. '${DEFAULT_VAULT_MOUNT}', the default`;
    issues.add(key, `is ${describeValue(text)}, but must be ${MOUNT_RULE}; ${fix}`);
    return undefined;
  }
  if (text === "token" || text.startsWith("token/")) {
    issues.add(
      key,
      `is ${describeValue(text)}, inside Vault's built-in token/ auth mount (Vault answers "path is already in use"); ` +
        `choose another path, e.g. '${DEFAULT_VAULT_MOUNT}', the default (${VAULT.mountPathInUse.source})`,
    );
    return undefined;
  }
  return text;
}

function readAudience(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the audience the roles bind, e.g. the Vault address");
  if (text === undefined) return undefined;
  if (text === "" || /[\s,]/.test(text)) {
    issues.add(
      key,
      `is ${describeValue(text)}, but must be one audience without spaces or commas (Vault reads a ` +
        "comma-separated bound_audiences as several); remove it to use the address, or write e.g. https://vault.example.com",
    );
    return undefined;
  }
  return text;
}

function readNamespace(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "a Vault Enterprise namespace such as admin or admin/payments");
  if (text === undefined) return undefined;
  const trimmed = text.replace(/^\/+|\/+$/g, "");
  if (VAULT.namespaceNoSlashes.value.test(text) && text.split("/").every((segment) => SEGMENT.test(segment)))
    return text;
  const fix =
    trimmed !== text && trimmed.split("/").every((s) => SEGMENT.test(s)) ? `write '${trimmed}'` : "e.g. admin/payments";
  issues.add(
    key,
    `is ${describeValue(text)}, but a namespace is segments of letters, digits, '_', '-' or '.' separated by '/', ` +
      `with no leading or trailing '/' (${VAULT.namespaceNoSlashes.source}); ${fix}`,
  );
  return undefined;
}
