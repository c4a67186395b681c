// The edge middleware in the local stack: the middleware Worker on a route of the stack's port,
// in front of an origin (the example origin Worker by default), fetching the issuer's discovery
// and JWKS through a service binding, as a deployed middleware would with an ISSUER binding.
// Its text bindings come from the function the deployed middleware's come from
// (middleware/settings-bindings.ts); `stackEdgeMiddleware` takes a stack's edgeMiddleware settings
// as `pulumi up` does, with the local issuer and the local introspection client's secret.

import { resolve } from "node:path";
import type { WorkerOptions } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE, MIDDLEWARE_MODULE, WORKER_ROOT } from "../build/bundle.js";
import type { EdgeMiddlewareSettings, WorkloadConfig } from "../config/types.js";
import { middlewareTextBindings } from "../middleware/settings-bindings.js";

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
  /** Keep the Authorization header on forwarded requests (FORWARD_AUTHORIZATION). */
  readonly forwardAuthorization?: boolean;
  /** Where client certificates come from (CLIENT_CERTIFICATES); default "none". */
  readonly clientCertificates?: "none" | "cloudflare-edge";
  /** Refuse tokens on the local issuer's /revocations.json (REVOCATION_LIST_URL). */
  readonly revocationList?: boolean;
  /** Ask the local issuer's /introspect about workflow tokens as this client (INTROSPECTION_*). */
  readonly introspection?: { readonly clientId: string; readonly clientSecret: string };
}

/** The parts of the local middleware a stack's `edgeMiddleware` settings decide. */
export type StackMiddlewareInput = Required<
  Pick<
    LocalEdgeMiddlewareInput,
    "rules" | "audiences" | "forwardAuthorization" | "revocationList" | "clientCertificates"
  >
> &
  Pick<LocalEdgeMiddlewareInput, "introspection">;

/**
 * The local middleware of a stack's `edgeMiddleware`, exactly as deployed but for where it runs
 * (a route of the local port) and what is behind it (the example origin): `introspectionSecrets`
 * are the local issuer's INTROSPECTION_SECRETS, so the client's secret is the one it checks.
 */
export function stackEdgeMiddleware(
  settings: EdgeMiddlewareSettings,
  introspectionSecrets: Readonly<Record<string, string>>,
): StackMiddlewareInput {
  const client = settings.introspectionClient;
  const secret = client === undefined ? undefined : introspectionSecrets[client];
  if (client !== undefined && secret === undefined) {
    // validateStackConfig proved the client is an introspection client, and the local stack
    // makes a secret for each; reaching here means the two were given different lists.
    throw new Error(
      `edgeMiddleware.introspectionClient '${client}' has no local secret: pass the secrets of every introspectionClients entry`,
    );
  }
  return {
    rules: settings.rules,
    audiences: settings.audiences,
    forwardAuthorization: settings.forwardAuthorization,
    revocationList: settings.revocationList,
    clientCertificates: settings.clientCertificates,
    ...(client !== undefined && secret !== undefined
      ? { introspection: { clientId: client, clientSecret: secret } }
      : {}),
  };
}

export const EDGE_MIDDLEWARE_NAME = "edge-middleware";
export const EXAMPLE_ORIGIN_NAME = "example-origin";
export const DEFAULT_MIDDLEWARE_ROUTES = ["*/api/*"] as const;

export async function edgeMiddlewareWorkers(
  input: LocalEdgeMiddlewareInput,
  issuer: { readonly scriptName: string; readonly url: string },
  /** The stack's workloads: those with native settings make the middleware's NATIVE_ISSUERS. */
  workloads: readonly WorkloadConfig[] = [],
): Promise<WorkerOptions[]> {
  const middlewareCode = bundleWorker(MIDDLEWARE_MODULE);
  const originUrl = typeof input.origin === "object" && "url" in input.origin ? input.origin.url : undefined;
  const defaults: Record<string, string> = {
    ...middlewareTextBindings({
      issuerUrl: issuer.url,
      audiences: input.audiences,
      rules: input.rules,
      ...(originUrl !== undefined ? { originUrl } : {}),
      ...(input.forwardAuthorization !== undefined ? { forwardAuthorization: input.forwardAuthorization } : {}),
      ...(input.revocationList !== undefined ? { revocationList: input.revocationList } : {}),
      ...(input.introspection !== undefined ? { introspectionClientId: input.introspection.clientId } : {}),
      ...(input.clientCertificates !== undefined ? { clientCertificates: input.clientCertificates } : {}),
      workloads: Object.fromEntries(workloads.map((workload) => [workload.name, workload])),
    }),
    // Text rules go in as they are (tests of a malformed RULES binding).
    ...(typeof input.rules === "string" ? { RULES: input.rules } : {}),
    ...(input.introspection !== undefined ? { INTROSPECTION_CLIENT_SECRET: input.introspection.clientSecret } : {}),
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
