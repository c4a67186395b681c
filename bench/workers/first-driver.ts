// The first-response driver (bench/first-token.ts): one operation per request, made by a fresh
// workerd right after it started, so the call is the first the callee's isolate ever serves.
//   /first/token   one token over the first workload's entrypoint (ISSUER)
//   /first/static  one GET of a Worker returning a static response (STATIC)
// Each workerd runs only the callee its kind needs; the other binding is absent there.

interface TokenIssuer {
  token(audience: string): Promise<{ token: string; expiresAt: number }>;
}

interface Env {
  readonly ISSUER?: TokenIssuer;
  readonly STATIC?: Fetcher;
  readonly AUDIENCE?: string;
}

export default {
  async fetch(request, env) {
    const kind = new URL(request.url).pathname.split("/").pop();
    if (kind === "token" && env.ISSUER && env.AUDIENCE !== undefined) {
      const { token } = await env.ISSUER.token(env.AUDIENCE);
      return new Response(token.length > 0 ? "ok" : "empty token", { status: token.length > 0 ? 200 : 500 });
    }
    if (kind === "static" && env.STATIC) {
      const response = await env.STATIC.fetch("http://static/.well-known/openid-configuration");
      await response.arrayBuffer();
      return new Response(response.ok ? "ok" : `static: ${response.status}`, { status: response.ok ? 200 : 500 });
    }
    return new Response(`no ${kind} here`, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
