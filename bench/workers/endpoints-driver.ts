// The discovery driver, running in workerd beside the issuer: each request performs `n` GETs of
// one kind over a service binding and reads every body, so the caller's timer measures n GETs
// plus one request's overhead. Kinds:
//   jwks       GET /.well-known/jwks.json from the issuer
//   discovery  GET /.well-known/openid-configuration from the issuer
//   static     GET of a Worker returning a static response (the baseline; bench/workers/static.ts)

interface Env {
  /** The issuer's HTTP surface (its default entrypoint). */
  readonly ISSUER_HTTP: Fetcher;
  readonly STATIC: Fetcher;
  readonly ISSUER_URL: string;
}

const PATHS: Record<string, string> = {
  jwks: "/.well-known/jwks.json",
  discovery: "/.well-known/openid-configuration",
  static: "/.well-known/jwks.json",
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "100");
    const kind = url.pathname.split("/").pop() ?? "";
    const path = PATHS[kind];
    if (path === undefined) return new Response("unknown kind", { status: 404 });
    const target = kind === "static" ? env.STATIC : env.ISSUER_HTTP;
    for (let i = 0; i < n; i++) {
      const response = await target.fetch(`${env.ISSUER_URL}${path}`);
      const body = await response.text();
      if (response.status !== 200) return new Response(`${kind}: ${response.status} ${body}`, { status: 502 });
    }
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>;
