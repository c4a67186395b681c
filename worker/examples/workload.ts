// An example workload Worker, as `npm start` runs one per registered workload. It reaches the
// issuer only through its own service binding (ISSUER), which is what names it.
//   GET /workloads/<name>/token?audience=<aud>[&lifetime=<seconds>]
// and, through the workload SDK (worker/sdk), the clouds (locally there is no AWS or GCP that trusts
// the local issuer, so these answer with the cloud's refusal or ERR_SERVICE_UNREACHABLE):
//   GET /workloads/<name>/aws?roleArn=<awsRoleArn output>&region=<region>   (AssumeRoleWithWebIdentity, then a signed GetCallerIdentity)
//   GET /workloads/<name>/gcp?provider=<gcpProviderResourceName output>[&serviceAccount=<gcpServiceAccount output>]
// and the relying parties beyond them, each query parameter one option of the SDK call (the
// workload's stack outputs name them; locally these end in the service's refusal or
// ERR_SERVICE_UNREACHABLE, as AWS and GCP do):
//   GET /workloads/<name>/azure?tenantId=&clientId=&scope=                        azureAccessToken
//   GET /workloads/<name>/anthropic?organizationId=&serviceAccountId=&federationRuleId=&audience=   anthropicAccessToken
//   GET /workloads/<name>/openai?identityProviderId=&serviceAccountId=&audience=  openaiAccessToken
//   GET /workloads/<name>/vault?address=&role=[&mount=][&audience=][&namespace=]   vaultToken
// and, through its native-interface bindings (worker/local/native-stand-in.ts: `getToken()`, one
// audience each, signed by the local stand-in native issuer):
//   GET /workloads/<name>/native-token?audience=<aud>   the binding's getToken() for that audience
//   GET /workloads/<name>/exchange?audience=<aud>       getToken() for the issuer, then POST /token (RFC 8693)

import { CloudServiceError, IssuerRefusalError, identity, WorkloadIdentityError } from "@worker-identity/sdk";
import { errorCodeOf, errorDetailOf } from "../errors.js";
import type { Issuer } from "../issuer/entrypoint.js";

interface Env {
  readonly ISSUER: Service<Issuer>;
  readonly WORKLOAD_NAME: string;
  /** The issuer's HTTP surface (its default export), for POST /token. */
  readonly ISSUER_HTTP?: Fetcher;
  /** The issuer's URL: the audience of the native binding the exchange presents. */
  readonly ISSUER_URL?: string;
  /** JSON {binding name: audience} of this Worker's native-interface bindings. */
  readonly NATIVE_AUDIENCES?: string;
}

/** The interface of Cloudflare's `oidc_tokens` binding. */
interface NativeTokenSource {
  getToken(): Promise<string>;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const base = `/workloads/${env.WORKLOAD_NAME}`;
    const party = url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length + 1) : "";
    if (party === "aws" || party === "gcp" || RELYING_PARTIES.has(party)) return cloud(url, env, party);
    if (url.pathname === `${base}/native-token` || url.pathname === `${base}/exchange`) return native(url, env);
    if (url.pathname !== `${base}/token`) {
      return Response.json({
        workload: env.WORKLOAD_NAME,
        try: `${url.origin}${base}/token?audience=<one of this workload's audiences>`,
      });
    }
    const audience = url.searchParams.get("audience") ?? "";
    const lifetime = url.searchParams.get("lifetime");
    try {
      const options = lifetime === null ? undefined : { lifetimeSeconds: Number(lifetime) };
      const issued = await env.ISSUER.token(audience, options);
      return Response.json({ token: issued.token, expiresAt: issued.expiresAt });
    } catch (error) {
      const code = errorCodeOf(error) ?? "ERR_INTERNAL";
      const detail = error instanceof Error ? errorDetailOf(error) : String(error);
      const status = code === "ERR_INTERNAL" || code === "ERR_KEY_STORE_UNAVAILABLE" ? 502 : 400;
      return Response.json({ code, detail }, { status });
    }
  },
} satisfies ExportedHandler<Env>;

/** The relying parties beyond AWS and GCP: one SDK call each, its options the query parameters. */
const RELYING_PARTIES = new Set(["azure", "anthropic", "openai", "vault"]);

/** The query parameters as an SDK call's options: each option of these calls is a string, and the SDK checks them all. */
function optionsOf<Options>(url: URL): Options {
  return Object.fromEntries(url.searchParams) as Options;
}

/** The SDK routes: never the secret parts, only what was obtained and until when. */
async function cloud(url: URL, env: Env, party: string): Promise<Response> {
  const id = identity(env.ISSUER);
  const query = (name: string) => url.searchParams.get(name) ?? undefined;
  try {
    if (RELYING_PARTIES.has(party)) {
      const obtained =
        party === "azure"
          ? await id.azureAccessToken(optionsOf(url))
          : party === "anthropic"
            ? await id.anthropicAccessToken(optionsOf(url))
            : party === "openai"
              ? await id.openaiAccessToken(optionsOf(url))
              : await id.vaultToken(optionsOf(url));
      return Response.json({ party, expiresAt: obtained.expiresAt });
    }
    if (party === "aws") {
      const options = { roleArn: query("roleArn") ?? "", region: query("region") ?? "us-east-1" };
      const credentials = await id.awsCredentials(options);
      const sts = `https://sts.${options.region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15`;
      const callerIdentity = await id.awsClient(options).fetch(sts);
      return Response.json({
        assumedRoleArn: credentials.assumedRoleArn,
        accessKeyId: credentials.accessKeyId,
        expiresAt: credentials.expiresAt,
        getCallerIdentity: { status: callerIdentity.status, body: await callerIdentity.text() },
      });
    }
    const serviceAccountEmail = query("serviceAccount");
    const token = await id.gcpAccessToken({
      providerResourceName: query("provider") ?? "",
      ...(serviceAccountEmail !== undefined ? { serviceAccountEmail } : {}),
    });
    return Response.json({ serviceAccountEmail: token.serviceAccountEmail ?? null, expiresAt: token.expiresAt });
  } catch (error) {
    if (error instanceof TypeError)
      return Response.json({ code: "ERR_INVALID_OPTIONS", detail: error.message }, { status: 400 });
    if (!(error instanceof WorkloadIdentityError)) throw error;
    return Response.json(
      {
        code: error.code,
        service: error.service,
        ...(error instanceof IssuerRefusalError ? { issuerCode: error.issuerCode } : {}),
        ...(error instanceof CloudServiceError ? { serviceCode: error.serviceCode } : {}),
        retryable: error.retryable,
        detail: error.message,
      },
      { status: error instanceof IssuerRefusalError ? 400 : 502 },
    );
  }
}

/** The native-interface routes: a binding's token, or its exchange at the issuer's POST /token. */
async function native(url: URL, env: Env): Promise<Response> {
  const audiences = JSON.parse(env.NATIVE_AUDIENCES ?? "{}") as Record<string, string>;
  const audience = url.searchParams.get("audience") ?? "";
  const exchange = url.pathname.endsWith("/exchange");
  const wanted = exchange ? env.ISSUER_URL : audience;
  const binding = Object.keys(audiences).find((name) => audiences[name] === wanted);
  if (binding === undefined || (exchange && env.ISSUER_HTTP === undefined)) {
    return Response.json(
      {
        code: "ERR_INVALID_OPTIONS",
        detail: `this workload has no native binding for ${exchange ? "the issuer" : "that audience"}; its bindings' audiences are ${Object.values(audiences).join(", ")}`,
      },
      { status: 400 },
    );
  }
  const token = await (env as unknown as Record<string, NativeTokenSource>)[binding]!.getToken();
  if (!exchange) return Response.json({ binding, token });
  const answer = await env.ISSUER_HTTP!.fetch(`${env.ISSUER_URL}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      audience,
    }),
  });
  return new Response(answer.body, { status: answer.status, headers: { "content-type": "application/json" } });
}
