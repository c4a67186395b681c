// anthropicAccessToken: a token of this Worker's exchanged for the Claude API's credential. CONTRACT STUB: the
// the Claude API work replaces this body (options, request, answer, typed errors).

import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { OptionProblems } from "../option-checks.js";

export interface AnthropicAccessTokenOptions {
  readonly audience?: string;
}

export interface AnthropicAccessToken {
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface ResolvedAnthropicAccessTokenOptions extends ResolvedExchange {}

export function resolveAnthropicAccessTokenOptions(_options: unknown): ResolvedAnthropicAccessTokenOptions {
  const problems = new OptionProblems("anthropicAccessToken");
  problems.add("options", "are not supported yet");
  problems.throwIfAny();
  return { audience: "", cacheKey: "", renewBeforeMs: 0 };
}

export const requestAnthropicAccessToken: Exchange<
  ResolvedAnthropicAccessTokenOptions,
  AnthropicAccessToken
> = async () => {
  throw new Error("anthropicAccessToken: not implemented");
};
