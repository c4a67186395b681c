// The issuer's HTTP paths, in one pure module (no imports): the router serves them, the discovery
// document and the verifier link to them, and the Pulumi program (infra/) and the CLI build their
// URLs from them without loading any runtime module.

/** OpenID Connect Discovery 1.0 §4: the provider metadata. */
export const DISCOVERY_PATH = "/.well-known/openid-configuration";
/** The published signing keys (the discovery document's jwks_uri). */
export const JWKS_PATH = "/.well-known/jwks.json";
/** RFC 7662 token introspection (POST), for the registered introspection clients. */
export const INTROSPECTION_PATH = "/introspect";
/** The revocation list, as the key store publishes it. */
export const REVOCATIONS_PATH = "/revocations.json";
/** The admin API: this path and every path under it, behind the admin token. */
export const ADMIN_PATH = "/admin";
/** RFC 8693 token exchange (POST): a native (Cloudflare oidc_tokens) token for a worker-identity token. */
export const TOKEN_EXCHANGE_PATH = "/token";
