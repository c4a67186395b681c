// Hostile requests aimed at the keys and rules (a valid token the route's rule does not admit)
// and at the Authorization header itself (schemes, repeats, the token in the query).
// Part of the hostile-token table (cases.ts gathers the parts); its pieces: cases-build.ts.

import {
  AUTH,
  badHeader,
  bearer,
  type HostileCase,
  header,
  invalid,
  KEY,
  MALFORMED,
  parts,
  refused,
  SIG,
} from "./cases-build.js";
import { signJson, withPayload } from "./forge.js";
import { AUTHENTICATED_ROUTE } from "./hostile-stack.js";

export const AUTHORIZATION_CASES: readonly HostileCase[] = [
  // keys and rules
  invalid(
    "a token of a key revoked before the middleware fetched the JWKS",
    KEY,
    (s) => s.revoked,
    AUTHENTICATED_ROUTE,
  ),
  refused(
    "a valid token of another workload on the edge-api route",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => s.billing),
  ),
  refused(
    "a token without a worker claim on the edge-api route (trusted signer)",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => signJson(s.trusted, Object.fromEntries(Object.entries(s.claims()).filter(([k]) => k !== "worker")))),
  ),
  refused(
    "worker EDGE-API (case changed, trusted signer)",
    403,
    "ERR_RULE_REFUSED",
    bearer((s) => s.trustedToken({ worker: "EDGE-API" })),
  ),
  refused(
    "a valid token on a route no rule names",
    403,
    "ERR_NO_RULE",
    bearer((s) => s.valid),
    "/admin/keys",
  ),

  // the Authorization header
  badHeader(
    "lowercase bearer with a tampered token",
    SIG,
    header((s) => `bearer ${withPayload(s.valid, (p) => ({ ...p, worker: "billing" }))}`),
  ),
  refused(
    "lowercase bearer with another workload's token",
    403,
    "ERR_RULE_REFUSED",
    header((s) => `bearer ${s.billing}`),
  ),
  badHeader(
    "two spaces after Bearer",
    AUTH,
    header((s) => `Bearer  ${s.valid}`),
  ),
  badHeader(
    "a tab after Bearer",
    AUTH,
    header((s) => `Bearer\t${s.valid}`),
  ),
  badHeader("two Authorization headers, both valid", AUTH, async (s) => ({
    authorization: [`Bearer ${s.valid}`, `Bearer ${s.valid}`],
    raw: true,
  })),
  badHeader("two Authorization headers, a valid one second", AUTH, async (s) => ({
    authorization: ["Bearer x.y.z", `Bearer ${s.valid}`],
    raw: true,
  })),
  badHeader(
    "two tokens in one header",
    AUTH,
    header((s) => `Bearer ${s.valid}, Bearer ${s.valid}`),
  ),
  badHeader(
    "Bearer with no token",
    AUTH,
    header(() => "Bearer"),
  ),
  badHeader("Bearer and a space, no token", AUTH, async () => ({ authorization: ["Bearer "], raw: true })),
  badHeader(
    "Bearer Bearer <token>",
    AUTH,
    header((s) => `Bearer Bearer ${s.valid}`),
  ),
  badHeader(
    "Basic with the token",
    AUTH,
    header((s) => `Basic ${s.valid}`),
  ),
  badHeader(
    "Basic credentials",
    AUTH,
    header(() => `Basic ${Buffer.from("edge-api:hunter2").toString("base64")}`),
  ),
  badHeader(
    "the token alone, no scheme",
    AUTH,
    header((s) => s.valid),
  ),
  badHeader(
    "a trailing '!'",
    AUTH,
    header((s) => `Bearer ${s.valid}!`),
  ),
  badHeader(
    "a trailing '.'",
    MALFORMED,
    header((s) => `Bearer ${s.valid}.`),
  ),
  badHeader(
    "a space inside the token",
    AUTH,
    header((s) => `Bearer ${s.valid.slice(0, 40)} ${s.valid.slice(40)}`),
  ),
  badHeader(
    "'=' padding after the header segment",
    AUTH,
    header((s) => `Bearer ${parts(s.valid)[0]}=.${parts(s.valid)[1]}.${parts(s.valid)[2]}`),
  ),
  refused("the token in the query string only", 401, "ERR_NO_TOKEN", async (s) => ({
    authorization: [],
    query: `?access_token=${s.valid}`,
  })),
];
