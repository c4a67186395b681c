// POST /introspect (RFC 7662) on the issuer: client authentication (HTTP Basic), request checks,
// then introspect.ts over the published JWKS, the key store's revocation list and the Workflows
// bindings. Answers carry `Cache-Control: private, max-age=10`: a relying party may reuse one
// that long, which bounds how late it learns of an ended instance or a revocation.

import type { JSONWebKeySet } from "jose";
import type { IssuerEnv } from "../bindings/env.js";
import { errorCodeOf } from "../errors.js";
import { issuerProblem, methodNotAllowed } from "../http/issuer-problems.js";
import { readRequestText } from "../http/request-body.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { JWKS_DOCUMENT } from "../publishing/documents.js";
import { readPublished } from "../publishing/published-document.js";
import type { RuntimeSettings } from "../runtime-config/types.js";
import { instanceStatus } from "../workflows/instance.js";
import { authenticateClient, basicCredentials, clientSecretsFrom } from "./client-auth.js";
import { introspect, introspectionResponseBody } from "./introspect.js";
import {
  INTROSPECTION_MAX_AGE_SECONDS,
  IntrospectionRequestError,
  MAX_INTROSPECTION_BODY_BYTES,
  parseIntrospectionRequest,
} from "./request.js";

const REALM = 'Basic realm="worker-identity-introspection", charset="UTF-8"';

export async function handleIntrospection(
  request: Request,
  env: IssuerEnv,
  config: RuntimeSettings,
  nowMs: number,
): Promise<Response> {
  if (request.method !== "POST") {
    return methodNotAllowed(["POST"]);
  }
  if (config.introspectionClients.length === 0) {
    return issuerProblem(
      "ERR_INTROSPECTION_DISABLED",
      `no relying party may introspect: list client ids under ${config.project}:introspectionClients and redeploy`,
    );
  }
  const credentials = basicCredentials(request.headers.get("authorization"));
  const auth =
    credentials.kind === "present"
      ? await authenticateClient(credentials, config.introspectionClients, clientSecretsFrom(env.INTROSPECTION_SECRETS))
      : { ok: false as const, reason: credentials.kind === "absent" ? "no credentials" : "malformed credentials" };
  if (!auth.ok) {
    console.warn(JSON.stringify({ event: "introspection.unauthorized", reason: auth.reason }));
    return issuerProblem(
      "ERR_INTROSPECTION_UNAUTHORIZED",
      "authenticate with HTTP Basic: your client id (registered in introspectionClients) and its secret",
      { "www-authenticate": REALM },
    );
  }
  // Too large or unreadable: InvalidRequestError, which the router answers 400 ERR_INVALID_REQUEST.
  const form = await readRequestText(
    request,
    MAX_INTROSPECTION_BODY_BYTES,
    `the form is larger than ${MAX_INTROSPECTION_BODY_BYTES} bytes; send only token and token_type_hint`,
  );
  let token: string;
  try {
    ({ token } = parseIntrospectionRequest(request.headers.get("content-type"), form));
  } catch (error) {
    if (!(error instanceof IntrospectionRequestError)) throw error;
    return issuerProblem("ERR_INVALID_REQUEST", error.detail);
  }
  // Without the keys no answer is true: "inactive" would make relying parties drop valid tokens.
  const jwks = await publishedJwks(env);
  if (jwks === undefined) {
    return issuerProblem(JWKS_DOCUMENT.unavailable.code, JWKS_DOCUMENT.unavailable.detail);
  }
  let outcome: Awaited<ReturnType<typeof introspect>>;
  try {
    outcome = await introspect(token, {
      config,
      nowMs,
      jwks: async () => jwks,
      revocations: () => keyStoreOf(env).liveRevocations(),
      instanceStatus: (workflow, id) => instanceStatus(env, workflow, id),
    });
  } catch (error) {
    if (errorCodeOf(error) !== "ERR_WORKFLOW_UNAVAILABLE") throw error;
    console.error(JSON.stringify({ event: "introspection.unavailable", client: auth.clientId, error: String(error) }));
    return issuerProblem("ERR_WORKFLOW_UNAVAILABLE", "the workflow instance's status cannot be read; retry");
  }
  console.log(
    JSON.stringify({
      event: "introspection.answered",
      client: auth.clientId,
      active: outcome.active,
      ...(outcome.active ? { jti: outcome.claims.jti } : { reason: outcome.reason }),
    }),
  );
  return Response.json(introspectionResponseBody(outcome), {
    headers: { "cache-control": `private, max-age=${INTROSPECTION_MAX_AGE_SECONDS}` },
  });
}

let cachedJwks: { readonly body: string; readonly set: JSONWebKeySet } | undefined;

/**
 * The JWKS as published (KV), else the key store's; parsed once per distinct document. Undefined
 * when neither can provide it (each failed read is logged by readPublished): the route answers 503.
 */
async function publishedJwks(env: IssuerEnv): Promise<JSONWebKeySet | undefined> {
  const found = await readPublished(env.PUBLISHED, JWKS_DOCUMENT, {
    reader: "introspection",
    fallback: () => keyStoreOf(env).jwks(),
  });
  if (found === undefined) return undefined;
  if (cachedJwks?.body !== found.body) cachedJwks = { body: found.body, set: JSON.parse(found.body) as JSONWebKeySet };
  return cachedJwks.set;
}
