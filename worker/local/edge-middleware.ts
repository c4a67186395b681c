// The edge middleware in the local stack: the middleware Worker on a route of the stack's port,
// in front of an origin (the example origin Worker by default), fetching the issuer's discovery
// and JWKS through a service binding, as a deployed middleware would with an ISSUER binding.

import type { WorkerOptions } from "miniflare";
import { resolve } from "node:path";
import { bundleWorker, COMPATIBILITY_DATE, MIDDLEWARE_MODULE, WORKER_ROOT } from "../build/bundle.js";

type ServiceBinding = NonNullable<WorkerOptions["serviceBindings"]>[string];

export interface LocalEdgeMiddlewareInput {
  /** The rules document: parsed JSON, or its text (the RULES binding as is). */
  readonly rules: unknown;
  /** The audiences the API accepts (the AUDIENCES binding). */
  readonly audiences: readonly string[];
  /** Miniflare routes of the middleware; default DEFAULT_MIDDLEWARE_ROUTES (any host, paths under /api/). */
  readonly routes?: readonly string[];
  /** The ORIGIN service binding, or `{ url }` for ORIGIN_URL; default the example origin Worker. */
  readonly origin?: ServiceBinding | { readonly url: string };
  /** Text bindings over the defaults: a string sets one, null removes it (tests of misconfiguration). */
  readonly bindings?: Readonly<Record<string, string | null>>;
  /** Reach the issuer through an ISSUER service binding (default) or over the network at ISSUER_URL. */
  readonly issuerBinding?: boolean;
}

export const EDGE_MIDDLEWARE_NAME = "edge-middleware";
export const EXAMPLE_ORIGIN_NAME = "example-origin";
export const DEFAULT_MIDDLEWARE_ROUTES = ["*/api/*"] as const;

export async function edgeMiddlewareWorkers(
  input: LocalEdgeMiddlewareInput,
  issuer: { readonly scriptName: string; readonly url: string },
): Promise<WorkerOptions[]> {
  const middlewareCode = bundleWorker(MIDDLEWARE_MODULE);
  const originUrl = typeof input.origin === "object" && "url" in input.origin ? input.origin.url : undefined;
  const defaults: Record<string, string> = {
    ISSUER_URL: issuer.url,
    AUDIENCES: JSON.stringify(input.audiences),
    RULES: typeof input.rules === "string" ? input.rules : JSON.stringify(input.rules),
    ...(originUrl !== undefined ? { ORIGIN_URL: originUrl } : {}),
  };
  const bindings: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...defaults, ...input.bindings })) {
    if (value !== null) bindings[name] = value;
  }
  const serviceBindings: Record<string, ServiceBinding> = {};
  if (input.issuerBinding ?? true) serviceBindings.ISSUER = { name: issuer.scriptName };
  const workers: WorkerOptions[] = [];
  if (originUrl !== undefined) {
    // Forwarded by fetch to ORIGIN_URL: no ORIGIN binding.
  } else if (input.origin !== undefined) {
    serviceBindings.ORIGIN = input.origin as ServiceBinding;
  } else {
    const originCode = bundleWorker(resolve(WORKER_ROOT, "examples/origin.ts"));
    serviceBindings.ORIGIN = { name: EXAMPLE_ORIGIN_NAME };
    workers.push({
      name: EXAMPLE_ORIGIN_NAME,
      modules: [{ type: "ESModule", path: "origin.js", contents: await originCode }],
      compatibilityDate: COMPATIBILITY_DATE,
    });
  }
  workers.unshift({
    name: EDGE_MIDDLEWARE_NAME,
    modules: [{ type: "ESModule", path: "middleware.js", contents: await middlewareCode }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    serviceBindings,
    routes: [...(input.routes ?? DEFAULT_MIDDLEWARE_ROUTES)],
  });
  return workers;
}
