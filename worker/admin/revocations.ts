// The admin API's revocation routes (behind the admin token, worker/admin/routes.ts):
//   GET  /admin/revocations    the live list: {now, entries}
//   POST /admin/revocations    {"jti", "exp"} | {"workload"} | {"workflow"}: answers the list,
//                              what it did (`outcome`: added, extended or unchanged), the entry
//                              now stored (`entry`), and for a name whether it is registered (a
//                              removed workload's tokens can still be revoked). A jti whose token
//                              no verifier accepts any more is refused (400): nothing is recorded.

import type { IssuerEnv } from "../bindings/env.js";
import { clockFromOffset } from "../clock.js";
import { methodNotAllowed } from "../http/issuer-problems.js";
import { readRequestText } from "../http/request-body.js";
import { keyStoreOf } from "../keys/key-store-stub.js";
import { publishedRevocations } from "../revocation/published.js";
import { MAX_REVOCATION_BODY_BYTES, parseRevocationRequest } from "../revocation/request.js";
import type { RuntimeSettings } from "../runtime-config/types.js";

export const ADMIN_REVOCATIONS_PATH = "/admin/revocations";
const REVOCATION_BODY_TOO_LARGE = `the revocation body is at most ${MAX_REVOCATION_BODY_BYTES} bytes: {"jti", "exp"}, {"workload"} or {"workflow"}`;

export async function handleRevocationAdmin(
  request: Request,
  env: IssuerEnv,
  config: RuntimeSettings,
): Promise<Response> {
  const store = keyStoreOf(env);
  if (request.method === "GET") return Response.json(await store.listRevocations());
  if (request.method !== "POST") {
    return methodNotAllowed(["GET", "POST"]);
  }
  const nowMs = clockFromOffset(env.TEST_CLOCK_OFFSET_SECONDS).now();
  const target = parseRevocationRequest(
    await readRequestText(request, MAX_REVOCATION_BODY_BYTES, REVOCATION_BODY_TOO_LARGE),
    config.issuer,
    nowMs,
  );
  const listing = await store.addRevocation(target);
  // This isolate hands out no revoked token from now on; others learn within PUBLISHED_LIST_CACHE_MS.
  publishedRevocations.invalidate();
  const registered =
    target.kind === "jti"
      ? undefined
      : (target.kind === "workload" ? config.workloads : config.workflows).some((w) => w.name === target.name);
  return Response.json({ ...listing, ...(registered === undefined ? {} : { registered }) });
}
