// Driver of the middleware benchmark, in workerd: gets one token from the issuer, then sends `n`
// requests carrying it through one gateway, over a service binding, and reads each answer:
//   middleware  the edge middleware Worker (worker/middleware), one rule admitting any verified token
//   raw         raw-gateway.ts: raw WebCrypto signature verification, nothing else (baseline)

interface Env {
  readonly ISSUER: { token(audience: string): Promise<{ token: string }> };
  readonly MIDDLEWARE: Fetcher;
  readonly RAW_GATEWAY: Fetcher;
  readonly AUDIENCE: string;
}

let token: Promise<string> | undefined;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "100");
    const kind = url.pathname.split("/").pop();
    const gateway = kind === "middleware" ? env.MIDDLEWARE : kind === "raw" ? env.RAW_GATEWAY : undefined;
    if (gateway === undefined) return new Response("unknown kind", { status: 404 });
    token ??= env.ISSUER.token(env.AUDIENCE).then((issued) => issued.token);
    const headers = { authorization: `Bearer ${await token}` };
    for (let i = 0; i < n; i++) {
      const response = await gateway.fetch("https://api.bench.test/data", { headers });
      if (response.status !== 200) return new Response(`${kind} answered ${response.status}: ${await response.text()}`, { status: 500 });
      await response.arrayBuffer();
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
