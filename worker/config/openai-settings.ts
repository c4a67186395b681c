// The OpenAI API's workload identity federation, as the validator resolves a workload's `openai`
// section (openai.ts). No provider manages OpenAI's identity providers and service-account
// mappings, so the program prints them for the dashboard (worker/console-trust/) and the SDK exchanges.

/** `workloads.<name>.openai`: the ids the token exchange names, and the provider's audience. */
export interface WorkloadOpenAiSettings {
  /** The workload identity provider registered for this issuer. */
  readonly identityProviderId: string;
  /** The project service account the access token acts as. */
  readonly serviceAccountId: string;
  /** The project holding that service account. */
  readonly projectId: string;
  /** The `aud` the identity provider expects; listed in the workload's audiences. */
  readonly audience: string;
}
