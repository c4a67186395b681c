// Names in the issuer script's bindings that the policy pack recognises the issuer by
// (policies/cloudflare/issuer-script.ts). Pure: the pack imports this without the Pulumi program.

/** The Durable Object class of the key store (the issuer bundle exports it). */
export const KEY_STORE_CLASS = "KeyStore";
/** The secret that seals every signing key at rest. */
export const KEY_ENCRYPTION_KEY_BINDING = "KEY_ENCRYPTION_KEY";
/** The stack's identity settings (issuer-config.ts) the Worker validates at startup. */
export const ISSUER_CONFIG_BINDING = "ISSUER_CONFIG";
