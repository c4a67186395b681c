// The replay store's binding and class names, pure, for the issuer (replays.ts) and the local
// stack alike. Not in the bindings table (worker/bindings/table.ts) yet: the Pulumi program
// declares every table row, and this class has no Durable Object migration there yet.

export const EXCHANGE_REPLAYS_BINDING = "EXCHANGE_REPLAYS";
export const EXCHANGE_REPLAYS_CLASS = "ExchangeReplays";
