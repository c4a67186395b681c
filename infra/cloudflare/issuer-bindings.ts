// Names in the issuer script's bindings that the policy pack recognises the issuer by
// (policies/cloudflare/issuer-script.ts). Pure: the pack imports this without the Pulumi program.
// The stack's settings are no binding: they are built into the script's content
// (worker/runtime-config/embedding.ts), where the pack reads them.

/** The Durable Object class of the key store (the issuer bundle exports it). */
export const KEY_STORE_CLASS = "KeyStore";
/** The secret that seals every signing key at rest. */
export const KEY_ENCRYPTION_KEY_BINDING = "KEY_ENCRYPTION_KEY";
