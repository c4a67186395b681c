// A Worker returning a static response: the baseline for the issuer's discovery and JWKS GETs.
// The body is about the size of the issuer's discovery document, the headers are alike.

const BODY = JSON.stringify({
  issuer: "https://id.example.dev",
  jwks_uri: "https://id.example.dev/.well-known/jwks.json",
  response_types_supported: ["id_token"],
  subject_types_supported: ["public"],
  id_token_signing_alg_values_supported: ["RS256", "ES256"],
  claims_supported: ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "account_id", "worker", "environment"],
  introspection_endpoint: "https://id.example.dev/introspect",
  introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
});

export default {
  fetch() {
    return new Response(BODY, {
      headers: {
        "content-type": "application/json",
        "cache-control": "public, max-age=3600",
        "access-control-allow-origin": "*",
      },
    });
  },
} satisfies ExportedHandler;
