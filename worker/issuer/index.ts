// The issuer Worker's module: HTTP (discovery, JWKS, admin) as the default export, the generic
// `Issuer` RPC entrypoint, and the key store Durable Object class (which also keeps the token
// exchange's replay table). The bundle adds one per-workload entrypoint class per registered
// workload (worker/build/entrypoints.ts).

import type { IssuerEnv } from "../bindings/env.js";
import { handleRequest } from "./router.js";

// The key store, with the token exchange's replay table (worker/exchange/replays.ts).
export { KeyStoreWithReplays as KeyStore } from "../exchange/replays.js";
export { Issuer } from "./entrypoint.js";

export default {
  fetch(request, env, ctx) {
    return handleRequest(request, env, ctx);
  },
} satisfies ExportedHandler<IssuerEnv>;
