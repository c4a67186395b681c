// An example workload Worker, as `npm start` runs one per registered workload. It reaches the
// issuer only through its own service binding (ISSUER), which is what names it.
//   GET /workloads/<name>/token?audience=<aud>[&lifetime=<seconds>]
// and, through the workload SDK (worker/sdk), the clouds (locally there is no AWS or GCP that trusts
// the local issuer, so these answer with the cloud's refusal or ERR_SERVICE_UNREACHABLE):
//   GET /workloads/<name>/aws?roleArn=<awsRoleArn output>&region=<region>   (AssumeRoleWithWebIdentity, then a signed GetCallerIdentity)
//   GET /workloads/<name>/gcp?provider=<gcpProviderResourceName output>[&serviceAccount=<gcpServiceAccount output>]

import { CloudServiceError, IssuerRefusalError, identity, WorkloadIdentityError } from "@worker-identity/sdk";
import { errorCodeOf, errorDetailOf } from "../errors.js";
import type { Issuer } from "../issuer/entrypoint.js";

interface Env {
  readonly ISSUER: Service<Issuer>;
  readonly WORKLOAD_NAME: string;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const base = `/workloads/${env.WORKLOAD_NAME}`;
    if (url.pathname === `${base}/aws` || url.pathname === `${base}/gcp`) return cloud(url, env);
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

/** The SDK routes: never the secret parts, only what was obtained and until when. */
async function cloud(url: URL, env: Env): Promise<Response> {
  const id = identity(env.ISSUER);
  const query = (name: string) => url.searchParams.get(name) ?? undefined;
  try {
    if (url.pathname.endsWith("/aws")) {
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
