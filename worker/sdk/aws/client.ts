// Signing requests to AWS services with the assumed role's credentials (SigV4 by aws4fetch, which
// runs on WebCrypto in Workers and in Node). Credentials come from the per-isolate cache on every
// request, so a renewal is picked up without the caller noticing.

import { AwsClient } from "aws4fetch";
import type { SdkFetch } from "../http.js";
import type { AwsCredentials } from "./sts.js";

export interface AwsRequestClientSettings {
  readonly credentials: () => Promise<AwsCredentials>;
  readonly fetch: SdkFetch;
  readonly service: string | undefined;
  readonly signingRegion: string | undefined;
}

export class AwsRequestClient {
  readonly #settings: AwsRequestClientSettings;
  #signer: { readonly credentials: AwsCredentials; readonly client: AwsClient } | undefined;

  constructor(settings: AwsRequestClientSettings) {
    this.#settings = settings;
  }

  /** The current credentials (renewed before they expire). */
  credentials(): Promise<AwsCredentials> {
    return this.#settings.credentials();
  }

  /** The request, signed with SigV4 (and carrying the session token), not sent. */
  async sign(input: string | Request, init?: RequestInit): Promise<Request> {
    const credentials = await this.#settings.credentials();
    if (this.#signer?.credentials !== credentials) {
      const { service, signingRegion } = this.#settings;
      const client = new AwsClient({
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        ...(service !== undefined ? { service } : {}),
        ...(signingRegion !== undefined ? { region: signingRegion } : {}),
      });
      this.#signer = { credentials, client };
    }
    return this.#signer.client.sign(input, init);
  }

  /** Signs and sends the request; no retries (the answer, whatever its status, is the caller's). */
  async fetch(input: string | Request, init?: RequestInit): Promise<Response> {
    return this.#settings.fetch(await this.sign(input, init));
  }
}
