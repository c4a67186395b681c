// RFC 7662 introspection of one token, with its inputs injected (tested directly): active only
// when the token is ours (signature by a published key, exact `iss`), unexpired, names a workload
// or workflow still registered with the subject the issuer would give it, is not revoked, and,
// for a workflow token, its instance has not ended. Every "no" carries a reason for the logs;
// the answer itself is only `{"active": false}`.

import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from "jose";
import { instanceIdProblem } from "../config/instance-id.js";
import { errorCodeOf } from "../errors.js";
import { type RevocationEntry, revocationCovering } from "../revocation/list.js";
import type { RuntimeSettings, RuntimeWorkflow } from "../runtime-config/types.js";
import { tokensActiveFor } from "../workflows/status.js";
import { workflowSubject } from "../workflows/subject.js";

export interface IntrospectionDeps {
  readonly config: RuntimeSettings;
  readonly nowMs: number;
  /** The published JWKS: only keys in it vouch for a token. */
  readonly jwks: () => Promise<JSONWebKeySet>;
  /** The live revocation list (the key store's, authoritative). */
  readonly revocations: () => Promise<readonly RevocationEntry[]>;
  /** The instance's status; throws ERR_UNKNOWN_INSTANCE, or ERR_WORKFLOW_UNAVAILABLE (then no answer is given). */
  readonly instanceStatus: (workflow: RuntimeWorkflow, instanceId: string) => Promise<string>;
}

export type IntrospectionOutcome =
  | { readonly active: true; readonly claims: JWTPayload }
  | { readonly active: false; readonly reason: string };

const ALGORITHMS = ["RS256", "ES256"];

/** jose's key set per published set (the route hands out one object per JWKS body): keys import once. */
const keySets = new WeakMap<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>();

function keySetOf(jwks: JSONWebKeySet): ReturnType<typeof createLocalJWKSet> {
  let keys = keySets.get(jwks);
  if (keys === undefined) {
    keys = createLocalJWKSet(jwks);
    keySets.set(jwks, keys);
  }
  return keys;
}

export async function introspect(token: string, deps: IntrospectionDeps): Promise<IntrospectionOutcome> {
  const inactive = (reason: string): IntrospectionOutcome => ({ active: false, reason });
  let claims: JWTPayload;
  // Outside the try: keys that cannot be read are an outage, never an inactive token.
  const keys = keySetOf(await deps.jwks());
  try {
    ({ payload: claims } = await jwtVerify(token, keys, {
      issuer: deps.config.issuer.issuerUrl,
      algorithms: ALGORITHMS,
      typ: "JWT",
      requiredClaims: ["sub", "exp", "iat", "jti"],
      currentDate: new Date(deps.nowMs),
    }));
  } catch (error) {
    return inactive(`not a valid token of this issuer (${error instanceof Error ? error.name : "error"})`);
  }
  if (typeof claims.jti !== "string") return inactive("jti is not a string");
  const nowSeconds = Math.floor(deps.nowMs / 1_000);

  const isWorkload = Object.hasOwn(claims, "worker");
  const isWorkflow = Object.hasOwn(claims, "workflow");
  let workflow: RuntimeWorkflow | undefined;
  if (isWorkload === isWorkflow) return inactive("names neither exactly one workload nor one workflow");
  if (isWorkload) {
    const workload = deps.config.workloads.find((w) => w.name === claims.worker);
    if (workload === undefined) return inactive("its workload is no longer registered");
    if (claims.sub !== workload.subject) return inactive("its subject is not its workload's");
  } else {
    workflow = deps.config.workflows.find((w) => w.name === claims.workflow);
    if (workflow === undefined) return inactive("its workflow is no longer registered");
    const instanceId = claims.instance_id;
    if (typeof instanceId !== "string" || instanceIdProblem(workflow, instanceId) !== undefined) {
      return inactive("its instance_id is not an instance id of its workflow");
    }
    if (claims.sub !== workflowSubject(workflow, instanceId)) return inactive("its subject is not its instance's");
  }

  const revoked = revocationCovering(await deps.revocations(), claims, nowSeconds);
  if (revoked !== undefined) return inactive(`revoked (${revoked.kind})`);

  if (workflow !== undefined) {
    let status: string;
    try {
      status = await deps.instanceStatus(workflow, claims.instance_id as string);
    } catch (error) {
      if (errorCodeOf(error) === "ERR_UNKNOWN_INSTANCE") return inactive("its instance does not exist");
      throw error;
    }
    if (!tokensActiveFor(status)) return inactive(`its instance is ${status}`);
  }
  return { active: true, claims };
}

/** The RFC 7662 answer body for an outcome. */
export function introspectionResponseBody(outcome: IntrospectionOutcome): Record<string, unknown> {
  return outcome.active ? { ...outcome.claims, active: true, token_type: "Bearer" } : { active: false };
}
