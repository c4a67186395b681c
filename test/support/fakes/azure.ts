// The Microsoft Entra ID (azuread) and managed identities (azure-native) provider fakes. CONTRACT STUB: the azure work models its resources here (what the
// real provider refuses, with sources, and the state each keeps between deploys).

import type { ProviderFake } from "./model.js";

export const azureFake: ProviderFake = { resources: {}, functions: {} };
