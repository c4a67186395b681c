// Resolved issuer settings built by hand, for tests of code that takes them directly (claims,
// rotation, cloud federation), without going through the config validator.

import type { IssuerSettings } from "../../worker/config/types.js";

export function issuerSettings(overrides: Partial<IssuerSettings> = {}): IssuerSettings {
  return {
    accountId: "0123456789abcdef0123456789abcdef",
    environment: "test",
    issuerUrl: "https://id.example.dev",
    scriptName: "worker-identity",
    signingAlgorithm: "RS256",
    rotationPeriodDays: 30,
    tokenLifetimeSeconds: 300,
    maxTokenLifetimeSeconds: 3_600,
    clockSkewSeconds: 60,
    ...overrides,
  };
}
