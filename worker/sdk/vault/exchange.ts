// vaultToken: a token of this Worker for the role's audience, presented at the JWT auth method's
// login for a Vault token. identity.ts caches and renews it; options.ts and login.ts do the work.

import type { Exchange } from "../federated-exchange.js";
import { login, type VaultToken } from "./login.js";
import { type ResolvedVaultTokenOptions, resolveVaultTokenOptions, type VaultTokenOptions } from "./options.js";

export type { ResolvedVaultTokenOptions, VaultToken, VaultTokenOptions };
export { resolveVaultTokenOptions };

export const requestVaultToken: Exchange<ResolvedVaultTokenOptions, VaultToken> = login;
