// What a fake provider throws when the real one would refuse a request: the provider's own words,
// the resource, and the limit with the public source it comes from
// (worker/config/provider-limits.ts).

import type { ProviderLimit } from "../../../worker/config/provider-limits.js";

export class ProviderRefusal extends Error {
  readonly code = "ERR_PROVIDER_REFUSAL";
  constructor(
    /** `type::name` of the refused resource, or the function token. */
    readonly resource: string,
    /** The provider's message. */
    readonly detail: string,
    /** Where the limit is documented. */
    readonly source: string,
  ) {
    super(`${resource}: ${detail} (limit: ${source})`);
    this.name = "ProviderRefusal";
  }
}

/** The resource a check runs for, and how it refuses. */
export interface Refuser {
  readonly resource: string;
  refuse(detail: string, limit: Pick<ProviderLimit<unknown>, "source"> | string): never;
}

export function refuser(resource: string): Refuser {
  return {
    resource,
    refuse(detail, limit) {
      throw new ProviderRefusal(resource, detail, typeof limit === "string" ? limit : limit.source);
    },
  };
}
