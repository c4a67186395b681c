// An example origin behind the edge middleware, as `npm start` runs it: it trusts the identity
// headers because only the middleware can reach it (a service binding, no route of its own), and
// answers with what it received, so you can see what the middleware forwards.

const IDENTITY_PREFIX = "x-worker-identity-";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const identity: Record<string, string> = {};
    for (const [name, value] of request.headers) {
      if (name.startsWith(IDENTITY_PREFIX)) identity[name.slice(IDENTITY_PREFIX.length)] = value;
    }
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    return Response.json({
      origin: "example-origin",
      method: request.method,
      path: url.pathname,
      query: url.search,
      identity: Object.keys(identity).length > 0 ? identity : null,
      authorization: request.headers.has("authorization"),
      headers: Object.fromEntries(request.headers),
      ...(body !== undefined ? { body } : {}),
    });
  },
} satisfies ExportedHandler;
