// The options of vaultToken, checked and defaulted once: the server, the JWT auth mount and role
// (the workload's `vault` stack output), the audience of the token presented, the namespace.

import type { ResolvedExchange } from "../federated-exchange.js";
import { isRecord, OptionProblems } from "../option-checks.js";

export interface VaultTokenOptions {
  /** The Vault server, e.g. https://vault.example.com:8200 (the workload's `vault.address` stack output). */
  readonly address: string;
  /** The JWT auth method's path. Default worker-identity, the stack's default mount. */
  readonly mount?: string;
  /** The role to log in as (the workload's `vault.role` output; the stack names it wid-<workload> by default). */
  readonly role: string;
  /** The audience of the token presented, which the role binds. Default the address, as the stack's `vault.audience` defaults. */
  readonly audience?: string;
  /** A Vault Enterprise namespace holding the mount (sent as X-Vault-Namespace). */
  readonly namespace?: string;
  /** Log in again this long before the Vault token expires (at most half its life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface ResolvedVaultTokenOptions extends ResolvedExchange {
  /** The server's origin. */
  readonly address: string;
  readonly mount: string;
  readonly role: string;
  readonly audience: string;
  readonly namespace: string | undefined;
  /** <address>/v1/auth/<mount>/login */
  readonly loginUrl: string;
  readonly renewBeforeMs: number;
  readonly cacheKey: string;
}

export const DEFAULT_VAULT_MOUNT = "worker-identity";

const KNOWN = ["address", "mount", "role", "audience", "namespace", "renewBeforeSeconds"];
/** Path segments as the stack writes mounts and namespaces. */
const PATH = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:\/[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)*$/;
/** framework.GenericNameRegex, the pattern of Vault's role paths. */
const ROLE = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const AUDIENCE = /^[^\s,]{1,1024}$/;

export function resolveVaultTokenOptions(options: unknown): ResolvedVaultTokenOptions {
  const problems = new OptionProblems("vaultToken");
  if (!isRecord(options)) {
    problems.add("options", "must be an object such as { address, role } (the workload's vault stack output)");
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, KNOWN);
  const address = addressOption(record.address, problems);
  const mount = problems.optionalString(
    record.mount,
    "mount",
    PATH,
    "must be the JWT auth method's path without auth/ or slashes around it, e.g. worker-identity (the workload's vault.mount output)",
    DEFAULT_VAULT_MOUNT,
  );
  const role = problems.string(
    record.role,
    "role",
    ROLE,
    "must be the Vault role's name: letters, digits, '_', '-' or '.', e.g. wid-billing (the workload's vault.role output)",
  );
  const audience = problems.optionalString(
    record.audience,
    "audience",
    AUDIENCE,
    "must be the audience the role binds, without spaces or commas (the stack's vault.audience; default the address)",
    address,
  );
  const namespace =
    record.namespace === undefined
      ? undefined
      : problems.string(
          record.namespace,
          "namespace",
          PATH,
          "must be a Vault Enterprise namespace without leading or trailing '/', e.g. admin/payments",
        );
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  problems.throwIfAny();
  const loginUrl = `${address}/v1/auth/${mount}/login`;
  return Object.freeze({
    address,
    mount,
    role,
    audience,
    namespace,
    loginUrl,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey: JSON.stringify(["vault", address, namespace ?? null, mount, role, audience]),
  });
}

function addressOption(value: unknown, problems: OptionProblems): string {
  if (value === undefined) {
    problems.add(
      "address",
      "is required: the Vault server, e.g. https://vault.example.com:8200 (the workload's vault.address output)",
    );
    return "";
  }
  const href = problems.endpoint(value, "address", "");
  if (href === "") return "";
  const url = new URL(href);
  if (url.pathname !== "/") {
    problems.add(
      "address",
      `must be the server's address without a path (the SDK appends /v1/auth/<mount>/login): ${url.origin}`,
    );
    return "";
  }
  return url.origin;
}
