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
    // The bench workload's tokens are certificate-bound: each request carries the cf object of an
    // mTLS connection that presented its certificate, as Cloudflare's edge sets it (the middleware
    // reads it because the bench sets CLIENT_CERTIFICATES; a real middleware so configured must
    // never be service-bound, or a Worker could write this cf, as this driver does).
    const cf = { tlsClientAuth: tlsClientAuthFor(await token) };
    for (let i = 0; i < n; i++) {
      const response = await gateway.fetch("https://api.bench.test/data", { headers, cf } as RequestInit);
      if (response.status !== 200)
        return new Response(`${kind} answered ${response.status}: ${await response.text()}`, { status: 500 });
      await response.arrayBuffer();
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;

/** `request.cf.tlsClientAuth` of a verified certificate with the thumbprint `token` is bound to. */
function tlsClientAuthFor(token: string): Record<string, string> {
  const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as {
    cnf?: { "x5t#S256"?: string };
  };
  const thumbprint = payload.cnf?.["x5t#S256"] ?? "";
  const bytes = Uint8Array.from(atob(thumbprint.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { certPresented: "1", certVerified: "SUCCESS", certRevoked: "0", certFingerprintSHA256: hex };
}
