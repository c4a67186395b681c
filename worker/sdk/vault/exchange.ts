// vaultToken: a token of this Worker's exchanged for Vault's credential. CONTRACT STUB: the
// Vault work replaces this body (options, request, answer, typed errors).

import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { OptionProblems } from "../option-checks.js";

export interface VaultTokenOptions {
  readonly audience?: string;
}

export interface VaultToken {
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface ResolvedVaultTokenOptions extends ResolvedExchange {}

export function resolveVaultTokenOptions(_options: unknown): ResolvedVaultTokenOptions {
  const problems = new OptionProblems("vaultToken");
  problems.add("options", "are not supported yet");
  problems.throwIfAny();
  return { audience: "", cacheKey: "", renewBeforeMs: 0 };
}

export const requestVaultToken: Exchange<ResolvedVaultTokenOptions, VaultToken> = async () => {
  throw new Error("vaultToken: not implemented");
};
