// openaiAccessToken: a token of this Worker's exchanged for the OpenAI API's credential. CONTRACT STUB: the
// the OpenAI API work replaces this body (options, request, answer, typed errors).

import type { Exchange, ResolvedExchange } from "../federated-exchange.js";
import { OptionProblems } from "../option-checks.js";

export interface OpenAiAccessTokenOptions {
  readonly audience?: string;
}

export interface OpenAiAccessToken {
  readonly accessToken: string;
  /** When it expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface ResolvedOpenAiAccessTokenOptions extends ResolvedExchange {}

export function resolveOpenAiAccessTokenOptions(_options: unknown): ResolvedOpenAiAccessTokenOptions {
  const problems = new OptionProblems("openaiAccessToken");
  problems.add("options", "are not supported yet");
  problems.throwIfAny();
  return { audience: "", cacheKey: "", renewBeforeMs: 0 };
}

export const requestOpenAiAccessToken: Exchange<ResolvedOpenAiAccessTokenOptions, OpenAiAccessToken> = async () => {
  throw new Error("openaiAccessToken: not implemented");
};
