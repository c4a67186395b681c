// The local stand-in for Cloudflare's native token issuer (the `oidc_tokens` binding), which has no
// local development of its own. `npm start` runs it on the issuer's port under /native-issuer:
//   GET /native-issuer/.well-known/openid-configuration   its discovery document
//   GET /native-issuer/.well-known/jwks.json               its public key (ES256, made per run)
// and gives each example workload service bindings to NativeTokenBinding, whose props hold the
// subject and the one audience of that binding: `env.X.getToken()` returns a newly signed JWT with
// iss, sub, aud, iat, nbf, exp (NATIVE_TOKEN_LIFETIME_SECONDS later) and jti, as code written
// against the native binding expects. Only standard claims: the native claim set is not public.
// Nothing here can mint a token over HTTP; only a binding's props say whom a token names.

import { WorkerEntrypoint } from "cloudflare:workers";
import { importJWK, type JWK, SignJWT } from "jose";
import { clockFromOffset } from "../clock.js";

// Not exported: a Worker module exports only handlers and entrypoints.
const NATIVE_TOKEN_LIFETIME_SECONDS = 300;

interface Env {
  /** The stand-in's issuer URL (`iss`): http://127.0.0.1:<port>/native-issuer. */
  readonly NATIVE_ISSUER_URL: string;
  /** JSON of the private ES256 JWK (with kid), made per run by the local stack. */
  readonly NATIVE_SIGNING_KEY: string;
  readonly TEST_CLOCK_OFFSET_SECONDS?: string;
}

interface BindingProps {
  readonly subject: string;
  readonly audience: string;
}

export default {
  async fetch(request, env) {
    const issuer = env.NATIVE_ISSUER_URL;
    const path = new URL(request.url).pathname;
    const base = new URL(issuer).pathname;
    if (path === `${base}/.well-known/openid-configuration`) {
      return Response.json({
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["ES256"],
      });
    }
    if (path === `${base}/.well-known/jwks.json`) {
      const { d: _private, ...publicJwk } = JSON.parse(env.NATIVE_SIGNING_KEY) as JWK;
      return Response.json({ keys: [{ ...publicJwk, use: "sig", alg: "ES256" }] });
    }
    return Response.json(
      { error: "the local stand-in native issuer serves its discovery document and JWKS only" },
      { status: 404 },
    );
  },
} satisfies ExportedHandler<Env>;

/** The native binding's interface: one audience per binding, a new JWT per call. */
export class NativeTokenBinding extends WorkerEntrypoint<Env> {
  async getToken(): Promise<string> {
    const { subject, audience } = this.ctx.props as BindingProps;
    const jwk = JSON.parse(this.env.NATIVE_SIGNING_KEY) as JWK;
    const key = await importJWK(jwk, "ES256");
    const now = Math.floor(clockFromOffset(this.env.TEST_CLOCK_OFFSET_SECONDS).now() / 1_000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: "JWT", ...(jwk.kid === undefined ? {} : { kid: jwk.kid }) })
      .setIssuer(this.env.NATIVE_ISSUER_URL)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + NATIVE_TOKEN_LIFETIME_SECONDS)
      .setJti(crypto.randomUUID())
      .sign(key);
  }
}
