// What Microsoft Entra ID (and the azuread / azure-native providers) refuse, each with its source.
// CONTRACT STUB: the Entra work fills this table.

export const ENTRA_ID = Object.freeze({});
