// The local stack's stand-in native issuer (Cloudflare's `oidc_tokens` binding has no local
// development): the Worker worker/examples/native-issuer.ts on the issuer's port under
// /native-issuer, with an ES256 key made per run; the native-interface bindings each example
// workload gets; and the local trust that lets the issuer exchange their tokens (POST /token).
// Locally every workload is trusted with the stand-in as its native issuer: its configured
// `native.subject` when it has native settings, else the local form
// `local-native/<account_id>/<workload>`. Deployed stacks trust only what the config names.

import { resolve } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { WorkerOptions } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE, WORKER_ROOT } from "../build/bundle.js";
import type { StackConfig, WorkloadConfig } from "../config/types.js";

export const NATIVE_STAND_IN_PATH = "/native-issuer";
export const NATIVE_STAND_IN_ENTRYPOINT = "NativeTokenBinding";
/** The binding whose audience is the issuer, for the exchange. */
export const NATIVE_EXCHANGE_BINDING = "NATIVE_EXCHANGE";
/** One binding per `native.audiences` entry: NATIVE_TOKEN_0, NATIVE_TOKEN_1, ... in their order. */
export const NATIVE_TOKEN_BINDING_PREFIX = "NATIVE_TOKEN_";

export interface LocalNativeInput {
  /** The stand-in's private ES256 JWK (with kid); default one made for this run. */
  readonly signingKey?: JWK;
  /** The native subject the issuer trusts per workload; null: none for that workload. Default: localNativeSubject. */
  readonly subjects?: Readonly<Record<string, string | null>>;
}

export interface LocalNative {
  /** The stand-in's issuer URL: the tokens' `iss`. */
  readonly issuer: string;
  /** Its private key, for tests that sign what a broken or hostile native token would be. */
  readonly signingKey: JWK;
  /** The subject each workload's bindings sign, by workload name. */
  readonly subjects: Readonly<Record<string, string>>;
}

/** The subject the stand-in signs for a workload: its configured native subject, else the local form. */
export function localNativeSubject(config: StackConfig, workload: WorkloadConfig): string {
  return workload.native?.subject ?? `local-native/${config.issuer.accountId}/${workload.name}`;
}

export async function localNative(
  config: StackConfig,
  issuerUrl: string,
  input: LocalNativeInput = {},
): Promise<LocalNative> {
  const subjects = Object.fromEntries(config.workloads.map((w) => [w.name, localNativeSubject(config, w)]));
  return {
    issuer: `${issuerUrl}${NATIVE_STAND_IN_PATH}`,
    signingKey: input.signingKey ?? (await newSigningKey()),
    subjects,
  };
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `local-native-${crypto.randomUUID().slice(0, 8)}` };
}

/**
 * `config` as the local issuer trusts it: every workload's native issuer the stand-in, its subject
 * `input.subjects[name]` if given (null: none), else the one the stand-in signs for it.
 */
export function withLocalNativeTrust(
  config: StackConfig,
  native: LocalNative,
  input: LocalNativeInput = {},
): StackConfig {
  return {
    ...config,
    workloads: config.workloads.map((workload) => {
      const { native: _configured, ...rest } = workload;
      const subject = Object.hasOwn(input.subjects ?? {}, workload.name)
        ? input.subjects![workload.name]
        : native.subjects[workload.name];
      if (subject === null || subject === undefined) return rest;
      return {
        ...rest,
        native: { issuer: native.issuer, subject, audiences: workload.native?.audiences ?? [] },
      };
    }),
  };
}

/** The stand-in Worker, on its route of the issuer's port. */
export async function nativeStandInWorker(
  config: StackConfig,
  native: LocalNative,
  clockOffsetSeconds: number | undefined,
): Promise<WorkerOptions> {
  const code = await bundleWorker(resolve(WORKER_ROOT, "examples/native-issuer.ts"));
  return {
    name: nativeStandInName(config),
    modules: [{ type: "ESModule", path: "native-issuer.js", contents: code }],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: {
      NATIVE_ISSUER_URL: native.issuer,
      NATIVE_SIGNING_KEY: JSON.stringify(native.signingKey),
      ...(clockOffsetSeconds === undefined ? {} : { TEST_CLOCK_OFFSET_SECONDS: String(clockOffsetSeconds) }),
    },
    routes: [`*${NATIVE_STAND_IN_PATH}/*`],
  };
}

/** The stand-in's script name: the issuer's, suffixed, so it cannot be a workload's. */
export function nativeStandInName(config: StackConfig): string {
  return `${config.issuer.scriptName}-native-stand-in`;
}

/**
 * A workload's native-interface bindings: NATIVE_EXCHANGE (audience: the issuer) and one per
 * `native.audiences` entry, each signing `subject`; plus NATIVE_AUDIENCES, the JSON map
 * {binding: audience} the example reads.
 */
export function nativeBindingsOf(
  config: StackConfig,
  native: LocalNative,
  workload: WorkloadConfig,
): Pick<WorkerOptions, "serviceBindings"> & { readonly audiences: Readonly<Record<string, string>> } {
  const subject = native.subjects[workload.name]!;
  const audiences: Record<string, string> = { [NATIVE_EXCHANGE_BINDING]: config.issuer.issuerUrl };
  (workload.native?.audiences ?? []).forEach((audience, i) => {
    audiences[`${NATIVE_TOKEN_BINDING_PREFIX}${i}`] = audience;
  });
  const serviceBindings: NonNullable<WorkerOptions["serviceBindings"]> = {};
  for (const [binding, audience] of Object.entries(audiences)) {
    serviceBindings[binding] = {
      name: nativeStandInName(config),
      entrypoint: NATIVE_STAND_IN_ENTRYPOINT,
      props: { subject, audience },
    };
  }
  return { serviceBindings, audiences };
}
