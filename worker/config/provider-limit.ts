// One provider limit: a number or pattern a real provider enforces, with the public source it
// comes from (provider-limits.ts, entra-limits.ts and vault-limits.ts hold the tables).

export interface ProviderLimit<T = number> {
  readonly value: T;
  /** Where the number is documented (page or API reference), or the provider source that enforces it. */
  readonly source: string;
  /** A default quota the account owner can have raised, rather than a hard limit. */
  readonly quota?: true;
}

export const limit = <T>(value: T, source: string, quota?: true): ProviderLimit<T> =>
  Object.freeze(quota ? { value, source, quota } : { value, source });
