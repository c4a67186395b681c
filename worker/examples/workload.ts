// An example workload Worker, as `npm start` runs one per registered workload. It reaches the
// issuer only through its own service binding (ISSUER), which is what names it.
//   GET /workloads/<name>/token?audience=<aud>[&lifetime=<seconds>]

import type { Issuer } from "../issuer/entrypoint.js";
import { errorCodeOf } from "../errors.js";

interface Env {
  readonly ISSUER: Service<Issuer>;
  readonly WORKLOAD_NAME: string;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const base = `/workloads/${env.WORKLOAD_NAME}`;
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
      const detail = error instanceof Error ? error.message.replace(/^(?:[A-Za-z]+: )?\[ERR_[A-Z_]+\] /, "") : String(error);
      const status = code === "ERR_INTERNAL" || code === "ERR_KEY_STORE_UNAVAILABLE" ? 502 : 400;
      return Response.json({ code, detail }, { status });
    }
  },
} satisfies ExportedHandler<Env>;
