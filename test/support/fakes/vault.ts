// The HashiCorp Vault provider fakes. CONTRACT STUB: the vault work models its resources here (what the
// real provider refuses, with sources, and the state each keeps between deploys).

import type { ProviderFake } from "./model.js";

export const vaultFake: ProviderFake = { resources: {}, functions: {} };
