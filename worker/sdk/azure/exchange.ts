// azureAccessToken: a token of this Worker's exchanged for Microsoft Entra ID's credential. CONTRACT STUB: the
// Microsoft Entra ID work replaces this body (options, request, answer, typed errors).

import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { OptionProblems } from "../option-checks.js";

export interface AzureAccessTokenOptions {
  readonly audience?: string;
}

export interface AzureAccessToken {
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface ResolvedAzureAccessTokenOptions extends ResolvedExchange {}

export function resolveAzureAccessTokenOptions(_options: unknown): ResolvedAzureAccessTokenOptions {
  const problems = new OptionProblems("azureAccessToken");
  problems.add("options", "are not supported yet");
  problems.throwIfAny();
  return { audience: "", cacheKey: "", renewBeforeMs: 0 };
}

export const requestAzureAccessToken: Exchange<ResolvedAzureAccessTokenOptions, AzureAccessToken> = async () => {
  throw new Error("azureAccessToken: not implemented");
};
