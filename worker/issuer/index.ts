// The issuer Worker's module: HTTP (discovery, JWKS, admin) as the default export, the generic
// `Issuer` RPC entrypoint, the key store Durable Object class and the token exchange's replay
// store (worker/exchange/replays.ts). The bundle adds one per-workload entrypoint class per
// registered workload (worker/build/entrypoints.ts).

import type { IssuerEnv } from "../bindings/env.js";
import { handleRequest } from "./router.js";

export { ExchangeReplays } from "../exchange/replays.js";
export { KeyStore } from "../keys/key-store.js";
export { Issuer } from "./entrypoint.js";

export default {
  fetch(request, env, ctx) {
    return handleRequest(request, env, ctx);
  },
} satisfies ExportedHandler<IssuerEnv>;
