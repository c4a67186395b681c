// Authentication of introspection clients: HTTP Basic with a client id registered in the stack
// config (`introspectionClients`) and its secret from the INTROSPECTION_SECRETS Worker secret
// (JSON {clientId: secret}). Secrets are compared in constant time over SHA-256 digests, and an
// unknown client costs the same comparison as a wrong secret.

import { IssuerConfigError } from "../errors.js";
import { formComponentDecoded } from "../http/form-decoding.js";
import { secretsEqual } from "../http/secret-compare.js";
import { lastParsed } from "../isolate/last-parsed.js";
import { parseJsonObject } from "../options/json-value.js";

export type BasicCredentials =
  | { readonly kind: "absent" }
  | { readonly kind: "malformed" }
  | { readonly kind: "present"; readonly clientId: string; readonly clientSecret: string };

export type ClientAuthResult =
  | { readonly ok: true; readonly clientId: string }
  | { readonly ok: false; readonly reason: string };

/** Secrets shorter than this are refused (the stack generates 48 characters). */
export const MIN_CLIENT_SECRET_LENGTH = 32;

/** `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1, RFC 7617). */
export function basicCredentials(header: string | null): BasicCredentials {
  if (header === null) return { kind: "absent" };
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match?.[1]) return /^Basic\b/i.test(header) ? { kind: "malformed" } : { kind: "absent" };
  let decoded: string;
  try {
    const binary = atob(match[1]);
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return { kind: "malformed" };
  }
  const colon = decoded.indexOf(":");
  if (colon < 1) return { kind: "malformed" };
  const clientId = formComponentDecoded(decoded.slice(0, colon));
  const clientSecret = formComponentDecoded(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined || clientSecret === "") return { kind: "malformed" };
  return { kind: "present", clientId, clientSecret };
}

/** The secrets binding, parsed once per isolate (a broken one throws each time it is asked). */
export const clientSecretsFrom: (binding: string | undefined) => ReadonlyMap<string, string> =
  lastParsed(parseClientSecrets);

/** The secrets binding, parsed; a broken one is the issuer's misconfiguration (503), not the client's. */
export function parseClientSecrets(binding: string | undefined): ReadonlyMap<string, string> {
  if (binding === undefined || binding === "") {
    throw new IssuerConfigError(
      "the INTROSPECTION_SECRETS secret is not set; `pulumi up` (or `npm start`) generates one secret per introspection client",
    );
  }
  const parsed = parseJsonObject(
    binding,
    (expected) =>
      new IssuerConfigError(
        expected === "json"
          ? 'the INTROSPECTION_SECRETS secret is not JSON; it must be {"<client id>": "<secret>"}'
          : 'the INTROSPECTION_SECRETS secret must be a JSON object {"<client id>": "<secret>"}',
      ),
  );
  const secrets = new Map<string, string>();
  for (const [id, secret] of Object.entries(parsed)) {
    if (typeof secret === "string" && secret.length >= MIN_CLIENT_SECRET_LENGTH) secrets.set(id, secret);
  }
  return secrets;
}

export async function authenticateClient(
  credentials: Extract<BasicCredentials, { kind: "present" }>,
  clients: readonly string[],
  secrets: ReadonlyMap<string, string>,
): Promise<ClientAuthResult> {
  const registered = clients.includes(credentials.clientId);
  const expected = registered ? secrets.get(credentials.clientId) : undefined;
  // Compare against something even for an unknown client, so timing does not tell which ids exist.
  const equal = await secretsEqual(credentials.clientSecret, expected ?? "\u0000no-such-client");
  if (!registered) return { ok: false, reason: "unknown client id" };
  if (expected === undefined) return { ok: false, reason: "the client has no secret in INTROSPECTION_SECRETS" };
  return equal ? { ok: true, clientId: credentials.clientId } : { ok: false, reason: "wrong client secret" };
}
