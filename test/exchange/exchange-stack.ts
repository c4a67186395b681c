// The local stack in workerd for the token exchange tests: the issuer, the stand-in native issuer
// and the example workloads with their native-interface bindings, on one port. Tokens come from
// the stand-in: through a workload's binding (getToken() in workerd), or signed here with the
// stand-in's own per-run key for the defects a binding never produces (a past iat, no jti, a
// second audience). Nothing is a hard-coded JWT.

import { importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import { Miniflare } from "miniflare";
import type { LocalNative, LocalNativeInput } from "../../worker/local/native-stand-in.js";
import { type LocalStackInput, localStack } from "../../worker/local/stack.js";
import { freePort } from "../support/free-port.js";
import { collectRuntimeLines, settle, structuredEvents } from "../support/runtime-logs.js";
import { PROJECT, randomKek, rawStackConfig, STACK } from "../support/stack-fixture.js";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

export interface ExchangeStackOptions {
  readonly config?: Record<string, unknown>;
  readonly native?: LocalNativeInput;
  readonly clockOffsetSeconds?: number;
  /** Directory for Durable Object and KV state; in memory when absent. */
  readonly persistDir?: string;
}

export class ExchangeStack {
  private constructor(
    readonly mf: Miniflare,
    readonly url: string,
    private input: LocalStackInput,
    native: LocalNative,
    readonly logs: string[],
  ) {
    this.native = native;
  }

  native: LocalNative;

  static async start(options: ExchangeStackOptions = {}): Promise<ExchangeStack> {
    const port = await freePort();
    const input: LocalStackInput = {
      project: PROJECT,
      stack: STACK,
      config: options.config ?? rawStackConfig(),
      issuerUrl: `http://127.0.0.1:${port}`,
      keyEncryptionKey: randomKek(),
      exampleWorkflows: false,
      ...(options.native === undefined ? {} : { native: options.native }),
      ...(options.clockOffsetSeconds === undefined ? {} : { clockOffsetSeconds: options.clockOffsetSeconds }),
      ...(options.persistDir === undefined ? {} : { persistDir: options.persistDir }),
    };
    const logs: string[] = [];
    const stack = await localStack(input);
    const mf = new Miniflare({ ...stack.options, handleRuntimeStdio: collectRuntimeLines(logs) });
    await mf.ready;
    // Later restarts keep the stand-in's key, as one `npm start` run does.
    return new ExchangeStack(
      mf,
      input.issuerUrl,
      { ...input, native: { ...input.native, signingKey: stack.native.signingKey } },
      stack.native,
      logs,
    );
  }

  /** Restarts the runtime with other trusted subjects or another clock; the stand-in keeps its key. */
  async restart(changes: { readonly subjects?: LocalNativeInput["subjects"]; readonly clockOffsetSeconds?: number }) {
    const input: LocalStackInput = {
      ...this.input,
      native: { ...this.input.native, ...(changes.subjects === undefined ? {} : { subjects: changes.subjects }) },
      ...(changes.clockOffsetSeconds === undefined ? {} : { clockOffsetSeconds: changes.clockOffsetSeconds }),
    };
    const stack = await localStack(input);
    await this.mf.setOptions({ ...stack.options, handleRuntimeStdio: collectRuntimeLines(this.logs) });
    this.input = input;
    this.native = stack.native;
  }

  /** A native token from `workload`'s binding for `audience` (default: the issuer, for the exchange). */
  async nativeToken(workload: string, audience?: string): Promise<string> {
    const query = encodeURIComponent(audience ?? this.url);
    const response = await fetch(`${this.url}/workloads/${workload}/native-token?audience=${query}`);
    const body = (await response.json()) as { token?: string; detail?: string };
    if (body.token === undefined) throw new Error(`no native token: ${response.status} ${body.detail}`);
    return body.token;
  }

  /** A token signed here with the stand-in's key (or `key`): claims default to a good one for `workload`. */
  async signed(
    workload: string,
    claims: Partial<Record<keyof JWTPayload, unknown>> = {},
    options: { readonly key?: JWK; readonly alg?: string; readonly kid?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1_000) + (this.input.clockOffsetSeconds ?? 0);
    const payload: Record<string, unknown> = {
      iss: this.native.issuer,
      sub: this.native.subjects[workload],
      aud: this.url,
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    const jwk = options.key ?? this.native.signingKey;
    const alg = options.alg ?? "ES256";
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg, typ: "JWT", kid: options.kid ?? this.native.signingKey.kid! })
      .sign(await importJWK(jwk, alg));
  }

  /** POST /token with this form (default content type: a form). */
  async exchange(form: Record<string, string>, init: { readonly contentType?: string } = {}): Promise<Response> {
    return fetch(`${this.url}/token`, {
      method: "POST",
      headers: { "content-type": init.contentType ?? "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The exchange of `subjectToken` for `audience`, as RFC 8693 writes it. */
  async exchangeToken(subjectToken: string, audience: string, extra: Record<string, string> = {}): Promise<Response> {
    return this.exchange({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: JWT_TYPE,
      audience,
      ...extra,
    });
  }

  async events(kind: string): Promise<Record<string, unknown>[]> {
    await settle();
    return structuredEvents(this.logs, kind);
  }

  async dispose(): Promise<void> {
    await this.mf.dispose();
  }
}
