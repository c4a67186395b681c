// The latency driver, running in workerd beside the issuer. workerd's clock only advances across
// I/O and in whole milliseconds (Date.now() === performance.now(), a Spectre mitigation), while
// one operation takes ~0.1 ms, so it cannot time single operations itself. Instead it holds a
// WebSocket to the bench process and performs exactly one operation per message, answering when
// it is done; the bench process times each round trip with its own clock (bench/latency.ts).
// Message: the kind; answer: "ok", or "error <message>" when the operation threw.
//   echo        nothing: the channel's own round trip
//   noop-rpc    a no-op RPC over the same kind of binding (the baseline for issuance)
//   issue-warm  a token for the same request each time (served from the token cache)
//   issue-cold  a token for a distinct lifetime each time (never served from the token cache)

interface TokenIssuer {
  token(audience: string, options?: { lifetimeSeconds?: number }): Promise<{ token: string; expiresAt: number }>;
}

interface Env {
  readonly ISSUER: TokenIssuer;
  readonly NOOP: { noop(): Promise<number> };
  readonly AUDIENCE: string;
}

/** Lifetimes 60 s … 3,599 s: 3,540 distinct token cache keys before one repeats. */
let coldCounter = 0;

async function perform(kind: string, env: Env): Promise<void> {
  if (kind === "echo") return;
  if (kind === "noop-rpc") {
    await env.NOOP.noop();
  } else if (kind === "issue-warm") {
    await env.ISSUER.token(env.AUDIENCE, { lifetimeSeconds: 3_600 });
  } else if (kind === "issue-cold") {
    coldCounter = (coldCounter + 1) % 3_540;
    await env.ISSUER.token(env.AUDIENCE, { lifetimeSeconds: 60 + coldCounter });
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
}

export default {
  async fetch(request, env) {
    if (request.headers.get("upgrade") !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    server.accept();
    server.addEventListener("message", (event) => {
      const kind = String(event.data);
      perform(kind, env).then(
        () => server.send("ok"),
        (error: unknown) => server.send(`error ${error instanceof Error ? error.message : String(error)}`),
      );
    });
    return new Response(null, { status: 101, webSocket: client });
  },
} satisfies ExportedHandler<Env>;
