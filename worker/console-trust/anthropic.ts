// What a security team enters in the Claude Console for one workload: the issuer, and the
// federation rule matching exactly the workload's subject and audience. No provider manages
// these, so the program outputs them. CONTRACT STUB: the Claude API work replaces this body.

import type { IssuerSettings, WorkloadConfig } from "../config/types.js";

export interface AnthropicConsoleTrust {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

export function anthropicConsoleTrust(
  issuer: IssuerSettings,
  workload: WorkloadConfig,
): AnthropicConsoleTrust | undefined {
  if (workload.anthropic === undefined) return undefined;
  return { issuer: issuer.issuerUrl, subject: workload.subject, audience: workload.anthropic.audience };
}
