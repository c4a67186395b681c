// The local stack in workerd through Miniflare: the issuer (with its key store Durable Object and
// the KV namespace it publishes to) and one example workload Worker per registered workload, each
// bound to the issuer through its own per-workload entrypoint, exactly as `pulumi up` binds them;
// optionally the edge middleware in front of an origin (edge-middleware.ts). A stand-in native
// issuer (native-stand-in.ts) gives each example workload bindings with the interface of
// Cloudflare's `oidc_tokens` binding, and the issuer trusts it for POST /token.
// `npm start`, the CLI and the test suite all build their runtime here.

import { resolve } from "node:path";
import type { MiniflareOptions, WorkerOptions } from "miniflare";
import { type IssuerBindingsOfType, issuerBindingEntries } from "../bindings/table.js";
import { bundleIssuer, bundleWorker, COMPATIBILITY_DATE, WORKER_ROOT } from "../build/bundle.js";
import type { RegistrySource } from "../config/registry-documents.js";
import type { StackConfig } from "../config/types.js";
import { validateStackConfig } from "../config/validate.js";
import { runtimeConfigOf } from "../runtime-config/compute.js";
import { edgeMiddlewareWorkers, type LocalEdgeMiddlewareInput } from "./edge-middleware.js";
import { exampleWorkflowWorkers, workflowBindings } from "./example-workflows.js";
import { localMtlsSeed, localWorkloadCertificates } from "./mtls.js";
import {
  type LocalNative,
  type LocalNativeInput,
  localNative,
  nativeBindingsOf,
  nativeStandInWorker,
  withLocalNativeTrust,
} from "./native-stand-in.js";

export interface LocalStackInput {
  readonly project: string;
  readonly stack: string;
  /** The stack's raw `config:` map; validated here, and built into the issuer as its runtime config, as `pulumi up` does. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The issuer's URL on this machine, e.g. http://127.0.0.1:8787; it becomes `iss`. */
  readonly issuerUrl: string;
  /** The registry files the config's `registry` key names, read (readStackConfigMap does). */
  readonly registry?: RegistrySource;
  readonly keyEncryptionKey?: string;
  /** The KEY_ENCRYPTION_KEY_PREVIOUS secret, during a KEK rotation (worker/keys/kek.ts); undefined: unset. */
  readonly keyEncryptionKeyPrevious?: string | undefined;
  readonly adminToken?: string;
  /** Directory for Durable Object and KV state; in memory when absent. */
  readonly persistDir?: string;
  readonly clockOffsetSeconds?: number;
  /** The mTLS workloads' certificate thumbprints ({workload: x5t#S256}); default: from certificates issued here (mtls.ts). */
  readonly mtlsThumbprints?: Readonly<Record<string, string>>;
  readonly exampleWorkloads?: boolean;
  /** Run each script defining registered workflows as the example workflow Worker (default true). */
  readonly exampleWorkflows?: boolean;
  /** The INTROSPECTION_SECRETS secret: {clientId: secret} of the introspection clients. */
  readonly introspectionSecrets?: Readonly<Record<string, string>>;
  /** Further Workers (test callers, relying parties) run beside the issuer. */
  readonly extraWorkers?: readonly WorkerOptions[];
  /** The edge middleware (and its origin) on a route of the same port; absent: not run. */
  readonly edgeMiddleware?: LocalEdgeMiddlewareInput;
  /** The stand-in native issuer's key and the native subjects the issuer trusts (native-stand-in.ts). */
  readonly native?: LocalNativeInput;
}

export interface LocalStack {
  readonly options: MiniflareOptions;
  readonly config: StackConfig;
  /** The mTLS workloads' certificate thumbprints ({workload: x5t#S256}) the issuer binds tokens to. */
  readonly mtlsThumbprints: Readonly<Record<string, string>>;
  /** The stand-in native issuer: its URL, key and the subject it signs per workload. */
  readonly native: LocalNative;
}

export async function localStack(input: LocalStackInput): Promise<LocalStack> {
  const config = validateStackConfig(input.config, {
    project: input.project,
    stack: input.stack,
    localIssuerUrl: input.issuerUrl,
    ...(input.registry === undefined ? {} : { registry: input.registry }),
  });
  const thumbprints =
    input.mtlsThumbprints ??
    localWorkloadCertificates(
      config,
      localMtlsSeed(input.keyEncryptionKey),
      Date.now() + (input.clockOffsetSeconds ?? 0) * 1_000,
    )?.thumbprints;
  const native = await localNative(config, input.issuerUrl, input.native);
  const issuerCode = await bundleIssuer(
    config,
    runtimeConfigOf(withLocalNativeTrust(config, native, input.native), thumbprints),
  );
  const issuer: WorkerOptions = {
    name: config.issuer.scriptName,
    modules: [{ type: "ESModule", path: "issuer.js", contents: issuerCode }],
    compatibilityDate: COMPATIBILITY_DATE,
    ...issuerBindings({
      KEY_ENCRYPTION_KEY: input.keyEncryptionKey,
      KEY_ENCRYPTION_KEY_PREVIOUS: input.keyEncryptionKeyPrevious,
      ADMIN_TOKEN: input.adminToken,
      INTROSPECTION_SECRETS:
        input.introspectionSecrets === undefined ? undefined : JSON.stringify(input.introspectionSecrets),
      TEST_CLOCK_OFFSET_SECONDS: input.clockOffsetSeconds === undefined ? undefined : String(input.clockOffsetSeconds),
    }),
    workflows: workflowBindings(config.workflows),
  };
  const workers: WorkerOptions[] = [issuer, await nativeStandInWorker(config, native, input.clockOffsetSeconds)];
  if (input.exampleWorkloads ?? true) {
    const exampleCode = await bundleWorker(resolve(WORKER_ROOT, "examples/workload.ts"));
    for (const workload of config.workloads) {
      const nativeBindings = nativeBindingsOf(config, native, workload);
      workers.push({
        name: workload.name,
        modules: [{ type: "ESModule", path: "workload.js", contents: exampleCode }],
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: {
          WORKLOAD_NAME: workload.name,
          ISSUER_URL: config.issuer.issuerUrl,
          NATIVE_AUDIENCES: JSON.stringify(nativeBindings.audiences),
        },
        serviceBindings: {
          ISSUER: { name: config.issuer.scriptName, entrypoint: workload.entrypoint },
          ISSUER_HTTP: { name: config.issuer.scriptName },
          ...nativeBindings.serviceBindings,
        },
        routes: [`*/workloads/${workload.name}/*`],
      });
    }
  }
  if (input.exampleWorkflows ?? true) workers.push(...(await exampleWorkflowWorkers(config)));
  if (input.edgeMiddleware !== undefined) {
    workers.push(
      ...(await edgeMiddlewareWorkers(
        input.edgeMiddleware,
        { scriptName: config.issuer.scriptName, url: input.issuerUrl },
        config.workloads,
      )),
    );
  }
  workers.push(...(input.extraWorkers ?? []));

  const url = new URL(input.issuerUrl);
  const options: MiniflareOptions = {
    workers,
    host: url.hostname,
    port: Number(url.port || 80),
    ...(input.persistDir
      ? {
          durableObjectsPersist: resolve(input.persistDir, "do"),
          kvPersist: resolve(input.persistDir, "kv"),
          workflowsPersist: resolve(input.persistDir, "workflows"),
          // The edge cache is not persisted: like a fresh location, a restart starts cold.
        }
      : {}),
  };
  return { options, config, mtlsThumbprints: thumbprints ?? {}, native };
}

/**
 * The local id of each KV namespace. PUBLISHED keeps "jwks", its id from before the binding was
 * named PUBLISHED, so state persisted by earlier versions (persistDir/kv) is still found.
 */
const LOCAL_NAMESPACES: Readonly<Record<IssuerBindingsOfType<"kv_namespace">, string>> = { PUBLISHED: "jwks" };

/** The issuer's bindings from the table (worker/bindings/table.ts); text ones only when given. */
function issuerBindings(
  texts: Readonly<Record<IssuerBindingsOfType<"secret_text" | "plain_text">, string | undefined>>,
): Pick<WorkerOptions, "bindings" | "kvNamespaces" | "durableObjects"> {
  const bindings: Record<string, string> = {};
  const kvNamespaces: Record<string, string> = {};
  const durableObjects: Record<string, { className: string; useSQLite: boolean }> = {};
  for (const [name, spec] of issuerBindingEntries()) {
    if (spec.type === "kv_namespace") kvNamespaces[name] = LOCAL_NAMESPACES[name as keyof typeof LOCAL_NAMESPACES];
    else if (spec.type === "durable_object_namespace") {
      durableObjects[name] = { className: spec.className, useSQLite: spec.storage === "sqlite" };
    } else {
      const text = texts[name as keyof typeof texts];
      if (text !== undefined) bindings[name] = text;
    }
  }
  return { bindings, kvNamespaces, durableObjects };
}
