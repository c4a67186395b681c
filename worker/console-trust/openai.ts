// What a security team enters in the OpenAI Platform for one workload: the workload identity
// provider for the issuer, and the service-account mapping matching exactly the workload's
// subject. No provider manages these, so the program outputs them. CONTRACT STUB: the OpenAI
// API work replaces this body.

import type { IssuerSettings, WorkloadConfig } from "../config/types.js";

export interface OpenAiConsoleTrust {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

export function openaiConsoleTrust(issuer: IssuerSettings, workload: WorkloadConfig): OpenAiConsoleTrust | undefined {
  if (workload.openai === undefined) return undefined;
  return { issuer: issuer.issuerUrl, subject: workload.subject, audience: workload.openai.audience };
}
