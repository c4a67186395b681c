// Secrets of the local stack: a key-encryption key and an admin token, generated on first start
// and kept beside the persisted state (mode 0600), so a restart can open the keys it sealed.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface LocalSecrets {
  readonly keyEncryptionKey: string;
  readonly adminToken: string;
}

export const DEFAULT_STATE_DIR = ".wid";

export function secretsPath(stateDir: string): string {
  return `${stateDir}/local-secrets.json`;
}

export function loadOrCreateSecrets(stateDir: string): LocalSecrets {
  const path = secretsPath(stateDir);
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LocalSecrets>;
    if (typeof parsed.keyEncryptionKey !== "string" || typeof parsed.adminToken !== "string") {
      throw new Error(`${path} is damaged: delete ${stateDir} to start the local stack afresh (its keys are lost)`);
    }
    return { keyEncryptionKey: parsed.keyEncryptionKey, adminToken: parsed.adminToken };
  }
  const secrets: LocalSecrets = {
    keyEncryptionKey: randomBytes(32).toString("base64"),
    adminToken: randomBytes(32).toString("base64url"),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** The admin token for the CLI: WID_ADMIN_TOKEN, else the local stack's. */
export function adminTokenFor(stateDir: string): string | undefined {
  const fromEnv = process.env.WID_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const path = secretsPath(stateDir);
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, "utf8")) as Partial<LocalSecrets>).adminToken;
}

/**
 * The introspection clients' secrets ({clientId: secret}, the issuer's INTROSPECTION_SECRETS):
 * one generated per client id on first use, kept in the same file as the other local secrets.
 */
export function loadOrCreateIntrospectionSecrets(
  stateDir: string,
  clientIds: readonly string[],
): Record<string, string> {
  const path = secretsPath(stateDir);
  const stored = JSON.parse(readFileSync(path, "utf8")) as Partial<LocalSecrets> & {
    introspectionSecrets?: Record<string, string>;
  };
  const secrets: Record<string, string> = {};
  let changed = false;
  for (const id of clientIds) {
    const existing = stored.introspectionSecrets?.[id];
    secrets[id] = typeof existing === "string" ? existing : randomBytes(32).toString("base64url");
    changed ||= secrets[id] !== existing;
  }
  if (changed) {
    const merged = { ...stored, introspectionSecrets: { ...stored.introspectionSecrets, ...secrets } };
    writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
