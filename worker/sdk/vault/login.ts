// The JWT auth login: POST <address>/v1/auth/<mount>/login with {role, jwt}, as Vault's API
// documents it (and as `vault write auth/<mount>/login role=… jwt=…` sends it, a JSON body to the
// same path), and the strict reading of its answer: `auth` with client_token and lease_duration,
// or `{errors: [...]}`.

import { isRetryableStatus, MalformedResponseError, VaultError } from "../errors.js";
import type { ExchangeContext, Exchanged } from "../federated-exchange.js";
import { type Answer, hostOf, post } from "../http.js";
import type { ResolvedVaultTokenOptions } from "./options.js";

/** A Vault token from the login's `auth` block. */
export interface VaultToken {
  /** The token to send as X-Vault-Token. */
  readonly clientToken: string;
  /** Its accessor (lookup and revocation without the token); undefined for a batch token. */
  readonly accessor: string | undefined;
  /** Every policy the token carries (`default` included, unless the role drops it). */
  readonly policies: readonly string[];
  /** Seconds the token lives from the login (`lease_duration`). */
  readonly leaseDurationSeconds: number;
  readonly renewable: boolean;
  /** `service` or `batch`, when Vault says. */
  readonly tokenType: string | undefined;
  /** The identity entity the login mapped to, when Vault says. */
  readonly entityId: string | undefined;
  /** The token's metadata: `role` and the role's claim mappings (workload, account_id, environment). */
  readonly metadata: Readonly<Record<string, string>>;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** What Vault's errors mean for a Worker, by the error's opening words. */
const HINTS: readonly (readonly [RegExp, string])[] = [
  [
    /^permission denied$/,
    "the mount is not at this path or in this namespace (a path Vault does not serve answers permission denied), or the role's boundCidrs do not admit this Worker's address",
  ],
  [
    /^role ".*" could not be found$/,
    "no such role in this mount: check role and mount against the workload's vault stack output",
  ],
  [
    /^error validating token: .*aud/,
    "the token's audience is not the role's bound audience: pass the stack's vault.audience as audience",
  ],
  [
    /^error validating token: .*(sub|subject)/,
    "the role is bound to another Worker's subject: log in as this workload's own role",
  ],
  [/^error validating token: .*(iss|issuer)/, "the mount trusts another issuer: check the mount"],
  [/^error validating claims:/, "the role's bound claims (account_id, worker) are another Worker's"],
  [
    /^audience claim found in JWT but no audiences bound to the role$/,
    "the role binds no audience: redeploy the stack",
  ],
];

export async function login(
  resolved: ResolvedVaultTokenOptions,
  subjectToken: string,
  context: ExchangeContext,
): Promise<Exchanged<VaultToken>> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    // What Vault's Go client and CLI send on every request since hashicorp/vault#7627 (Vault API
    // docs, "The X-Vault-Request header"), which Vault Agent and Proxy require with require_request_header.
    "x-vault-request": "true",
  };
  if (resolved.namespace !== undefined) headers["x-vault-namespace"] = resolved.namespace;
  const answer = await post({
    service: "vault",
    url: resolved.loginUrl,
    headers,
    body: JSON.stringify({ role: resolved.role, jwt: subjectToken }),
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  return readLoginAnswer(answer, resolved, context.now());
}

const where = (resolved: ResolvedVaultTokenOptions) =>
  `${hostOf(resolved.loginUrl)} (auth/${resolved.mount}, role ${resolved.role}${resolved.namespace === undefined ? "" : `, namespace ${resolved.namespace}`})`;

/** The token in a login answer, or the VaultError / MalformedResponseError it carries instead. */
export function readLoginAnswer(
  answer: Answer,
  resolved: ResolvedVaultTokenOptions,
  nowMs: number,
): Exchanged<VaultToken> {
  const what = `Vault at ${where(resolved)}`;
  const malformed = (why: string) =>
    new MalformedResponseError("vault", answer.status, `${what} answered the login ${why}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    if (answer.status >= 300 && answer.status <= 399)
      throw malformed(
        `with a redirect (HTTP ${answer.status}), as a standby node does: set address to the active node or the cluster's load balancer`,
      );
    throw malformed(`(HTTP ${answer.status}) with a body that is not JSON`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw malformed(`(HTTP ${answer.status}) with JSON that is not an object`);
  const fields = body as Record<string, unknown>;
  const ok = answer.status >= 200 && answer.status <= 299;
  if (!ok || fields.errors !== undefined) {
    const errors = Array.isArray(fields.errors) ? fields.errors.filter((e): e is string => typeof e === "string") : [];
    if (errors.length === 0) throw malformed(`HTTP ${answer.status} without an errors list`);
    const first = errors[0]!;
    const hint = HINTS.find(([pattern]) => pattern.test(first))?.[1];
    throw new VaultError(
      answer.status,
      first,
      errors.join("; "),
      errors,
      isRetryableStatus(answer.status),
      `${what} refused the login (HTTP ${answer.status}): ${errors.join("; ")}${hint === undefined ? "" : ` (${hint})`}`,
    );
  }
  const auth = fields.auth;
  if (typeof auth !== "object" || auth === null || Array.isArray(auth)) throw malformed("without an auth block");
  const a = auth as Record<string, unknown>;
  if (typeof a.client_token !== "string" || a.client_token === "") throw malformed("without auth.client_token");
  const lease = a.lease_duration;
  if (typeof lease !== "number" || !Number.isInteger(lease) || lease <= 0)
    throw malformed("with an auth.lease_duration that is not a positive number of seconds");
  const policies = a.policies ?? [];
  if (!Array.isArray(policies) || !policies.every((p) => typeof p === "string"))
    throw malformed("with auth.policies that is not a list of names");
  if (a.renewable !== undefined && typeof a.renewable !== "boolean")
    throw malformed("with an auth.renewable that is not a boolean");
  const metadata: Record<string, string> = {};
  if (a.metadata !== undefined && a.metadata !== null) {
    if (typeof a.metadata !== "object" || Array.isArray(a.metadata))
      throw malformed("with auth.metadata that is not a map");
    for (const [k, v] of Object.entries(a.metadata as Record<string, unknown>))
      if (typeof v === "string") metadata[k] = v;
  }
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const expiresAtMs = nowMs + lease * 1_000;
  return {
    value: {
      clientToken: a.client_token,
      accessor: text(a.accessor),
      policies: Object.freeze([...(policies as string[])]),
      leaseDurationSeconds: lease,
      renewable: a.renewable === true,
      tokenType: text(a.token_type),
      entityId: text(a.entity_id),
      metadata: Object.freeze(metadata),
      expiresAt: Math.floor(expiresAtMs / 1_000),
    },
    expiresAtMs,
  };
}
