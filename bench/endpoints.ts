// JWKS and discovery GETs (issue #9): each against a Worker returning a static response.
// Method: a driver inside workerd performs n GETs over a service binding, to the issuer (its
// default entrypoint, which serves HTTP) or to the static Worker, and the bench process times
// whole driver requests (compare(): alternating rounds, medians). Both sides cross the same
// plumbing (one service-binding fetch per GET, body read), and one request's dispatch overhead
// is spread over n GETs; a dispatchFetch from Node per GET would add ~4 ms of Miniflare plumbing
// to each and flatten the ratio towards 1.
//
// The JWKS GET measured is the warm path: the issuer's first GET fills the edge cache from KV
// and its isolate mirror (worker/discovery/jwks-endpoint.ts), and every later GET is answered
// from the mirror. Before the mirror, every GET was a Cache API lookup, ~0.5 ms in Miniflare
// (more than a whole static GET over a service binding, ~0.2 ms), and the ratio was 0.20-0.29.

import { driver } from "./drivers.js";
import { compare, type Measurement, throughputRow } from "./measure.js";
import { startStack } from "./stack.js";

/** GETs per round: a static GET takes ~0.2 ms, so rounds of the default 200 last ~40 ms, too short here. */
const OPS = 800;

export async function measureEndpoints(port: number): Promise<Measurement[]> {
  const stack = await startStack({
    algorithm: "RS256",
    port,
    drivers: async (context) => [
      await driver({
        name: "bench-endpoints",
        source: "endpoints-driver.ts",
        routes: ["*/bench-endpoints/*"],
        bindings: { ISSUER_URL: context.issuerUrl },
        serviceBindings: { ISSUER_HTTP: { name: context.config.issuer.scriptName }, STATIC: { name: "bench-static" } },
      }),
      await driver({ name: "bench-static", source: "static.ts", routes: [] }),
    ],
  });
  const { mf, issuerUrl: url } = stack;
  try {
    const staticGet = "a Worker returning a static response";
    const baseline = { path: "bench-endpoints/static" };
    const [jwks, jwksBaseline] = await compare(mf, url, { path: "bench-endpoints/jwks" }, baseline, OPS);
    const [discovery, discoveryBaseline] = await compare(mf, url, { path: "bench-endpoints/discovery" }, baseline, OPS);
    return [
      throughputRow("JWKS GET, warm (the isolate's mirror of the edge entry)", jwks, staticGet, jwksBaseline, 0.8),
      throughputRow("discovery GET (no I/O)", discovery, staticGet, discoveryBaseline, 0.8),
    ];
  } finally {
    await stack.dispose();
  }
}
