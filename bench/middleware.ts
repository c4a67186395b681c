// The edge middleware with a warm JWKS, in workerd: requests through it against requests through
// a gateway that only verifies the signature with raw WebCrypto (raw-gateway.ts), both in front
// of the same origin and driven over the same kind of binding, so the ratio is what the
// middleware's checks (header, claims, rules, identity headers) cost next to the bare minimum.

import { resolve } from "node:path";
import { bundleWorker, COMPATIBILITY_DATE, MIDDLEWARE_MODULE } from "../worker/build/bundle.js";
import { driver, workloadBindings } from "./drivers.js";
import { compare, type Measurement, throughputRow } from "./measure.js";
import { startStack } from "./stack.js";

const OPS_PER_ROUND = 1_000;
const RULES = { rules: [{ methods: ["GET"], path: "/data", allow: "authenticated" }] };

export async function measureMiddleware(port: number): Promise<Measurement[]> {
  const stack = await startStack({
    algorithm: "RS256",
    port,
    drivers: async (context) => {
      const audience = context.workload.audiences[0]!;
      const issuer = { name: context.issuerBinding.name };
      return [
        await driver({
          name: "bench-edge",
          source: "edge-driver.ts",
          routes: ["*/bench-edge/*"],
          bindings: { AUDIENCE: audience },
          serviceBindings: {
            ...workloadBindings(context).serviceBindings,
            MIDDLEWARE: { name: "bench-middleware" },
            RAW_GATEWAY: { name: "bench-raw-gateway" },
          },
        }),
        {
          name: "bench-middleware",
          modules: [
            { type: "ESModule", path: "middleware.js", contents: await bundleWorker(resolve(MIDDLEWARE_MODULE)) },
          ],
          compatibilityDate: COMPATIBILITY_DATE,
          // The driver stands in for Cloudflare's edge: it sends the cf.tlsClientAuth of the bench
          // workload's certificate, which this middleware is told to read.
          bindings: {
            ISSUER_URL: context.issuerUrl,
            AUDIENCES: JSON.stringify([audience]),
            RULES: JSON.stringify(RULES),
            CLIENT_CERTIFICATES: "cloudflare-edge",
          },
          serviceBindings: { ISSUER: issuer, ORIGIN: { name: "bench-origin" } },
        },
        await driver({
          name: "bench-raw-gateway",
          source: "raw-gateway.ts",
          routes: [],
          serviceBindings: { ISSUER: issuer, ORIGIN: { name: "bench-origin" } },
        }),
        await driver({ name: "bench-origin", source: "origin.ts", routes: [] }),
      ];
    },
  });
  try {
    const [middleware, raw] = await compare(
      stack.mf,
      stack.issuerUrl,
      { path: "bench-edge/middleware" },
      { path: "bench-edge/raw" },
      OPS_PER_ROUND,
    );
    return [
      throughputRow(
        "verification, warm JWKS, one token seen before (edge middleware, requests)",
        middleware,
        "a gateway doing raw WebCrypto verification",
        raw,
        0.7,
      ),
    ];
  } finally {
    await stack.dispose();
  }
}
