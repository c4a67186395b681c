// identity(env.ISSUER): the workload's client over its issuer binding; identity({ issuer?, native })
// adds Cloudflare's native `oidc_tokens` bindings, one audience each (token-sources.ts). Tokens,
// AWS credentials and GCP access tokens are cached per isolate and per binding object that made
// the token (so building a client per request is fine) and renewed before they expire. Requests share cached values, never a load in progress
// (see renewing-cache.ts): while one renews, the others use the current value.

import {
  type AnthropicAccessToken,
  type AnthropicAccessTokenOptions,
  requestAnthropicAccessToken,
  resolveAnthropicAccessTokenOptions,
} from "./anthropic/exchange.js";
import { AwsRequestClient } from "./aws/client.js";
import {
  type AwsClientOptions,
  type AwsCredentialsOptions,
  type ResolvedAwsCredentialsOptions,
  resolveAwsClientOptions,
  resolveAwsCredentialsOptions,
} from "./aws/options.js";
import { type AwsCredentials, assumeRoleWithWebIdentity } from "./aws/sts.js";
import {
  type AzureAccessToken,
  type AzureAccessTokenOptions,
  requestAzureAccessToken,
  resolveAzureAccessTokenOptions,
} from "./azure/exchange.js";
import { MalformedResponseError } from "./errors.js";
import type { Exchange, ResolvedExchange } from "./federated-exchange.js";
import { generateAccessToken } from "./gcp/iam-credentials.js";
import { CLOUD_PLATFORM_SCOPE, type GcpAccessTokenOptions, resolveGcpAccessTokenOptions } from "./gcp/options.js";
import { exchangeToken } from "./gcp/sts.js";
import type { SdkFetch } from "./http.js";
import { type IssuedToken, requestToken, type TokenOptions } from "./issuer-token.js";
import { requestNativeToken } from "./native-token.js";
import {
  type OpenAiAccessToken,
  type OpenAiAccessTokenOptions,
  requestOpenAiAccessToken,
  resolveOpenAiAccessTokenOptions,
} from "./openai/exchange.js";
import { isRecord, OptionProblems } from "./option-checks.js";
import { RenewingCache, renewalTime } from "./renewing-cache.js";
import { type ResolvedSources, resolveTokenSources, sourceFor, type TokenSource } from "./token-sources.js";
import {
  requestVaultToken,
  resolveVaultTokenOptions,
  type VaultToken,
  type VaultTokenOptions,
} from "./vault/exchange.js";

export interface IdentityOptions {
  /** How STS, IAM Credentials and awsClient requests are sent. Default: the global fetch. */
  readonly fetch?: SdkFetch;
  /** The clock, in ms since the epoch. Default Date.now (tests move it). */
  readonly now?: () => number;
  /** Give up on a token service that has not answered after this long. Default 10, 1 to 60. */
  readonly timeoutSeconds?: number;
}

export interface GcpAccessToken {
  readonly accessToken: string;
  /** When the token expires, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The impersonated service account; undefined for a federated token. */
  readonly serviceAccountEmail: string | undefined;
}

/** An issuer or native token is renewed when less than max(60 s, a third of its life) remains. */
const TOKEN_RENEW_MIN_MARGIN_MS = 60_000;

interface BindingCaches {
  readonly tokens: RenewingCache<IssuedToken>;
  readonly aws: RenewingCache<AwsCredentials>;
  readonly gcp: RenewingCache<GcpAccessToken>;
  /** One cache per relying party beyond AWS and GCP (federated-exchange.ts), made on first use. */
  readonly exchanges: Map<string, RenewingCache<unknown>>;
}

/**
 * Per isolate, per binding object (the issuer binding, or a native one): a Worker's `env` (and so
 * its bindings) is the same object across requests. Credentials live beside the binding whose
 * token they were exchanged for, so a native and an issuer token never share an entry.
 */
const cachesByBinding = new WeakMap<object, BindingCaches>();

function cachesOf(binding: object): BindingCaches {
  let caches = cachesByBinding.get(binding);
  if (caches === undefined) {
    caches = { tokens: new RenewingCache(), aws: new RenewingCache(), gcp: new RenewingCache(), exchanges: new Map() };
    cachesByBinding.set(binding, caches);
  }
  return caches;
}

/**
 * `identity(env.ISSUER)`, or `identity({ issuer: env.ISSUER, native: { "sts.amazonaws.com": env.AWS_TOKEN } })`:
 * tokens for an audience `native` names come from that `oidc_tokens` binding, every other from the issuer.
 */
export function identity(source: TokenSource, options: IdentityOptions = {}): WorkloadIdentity {
  return new WorkloadIdentity(source, options);
}

export class WorkloadIdentity {
  readonly #sources: ResolvedSources;
  readonly #fetch: SdkFetch;
  readonly #now: () => number;
  readonly #timeoutMs: number;

  constructor(source: TokenSource, options: IdentityOptions = {}) {
    this.#sources = resolveTokenSources(source);
    const problems = new OptionProblems("identity");
    if (!isRecord(options)) problems.add("options", "must be an object such as { timeoutSeconds: 10 }");
    const record = isRecord(options) ? options : {};
    problems.unknown(record, ["fetch", "now", "timeoutSeconds"]);
    if (record.fetch !== undefined && typeof record.fetch !== "function")
      problems.add("fetch", "must be a function (input, init) => Promise<Response>");
    if (record.now !== undefined && typeof record.now !== "function")
      problems.add("now", "must be a function returning ms since the epoch");
    this.#timeoutMs = problems.integer(record.timeoutSeconds, "timeoutSeconds", 1, 60, 10) * 1_000;
    problems.throwIfAny();
    this.#fetch = (record.fetch as SdkFetch | undefined) ?? ((input, init) => fetch(input, init));
    this.#now = (record.now as (() => number) | undefined) ?? (() => Date.now());
  }

  /** The caches of the binding that makes `audience`'s tokens. */
  #cachesFor(audience: string, what: string): BindingCaches {
    return cachesOf(sourceFor(this.#sources, audience, what).binding);
  }

  /**
   * A token for `audience` (one of this workload's audiences), from the cache while it is fresh:
   * from the native binding `native` names for it, else from the issuer. A native token's
   * lifetime is the platform's: `lifetimeSeconds` is refused for it. `fresh: true` asks for a
   * token never handed out before (its own jti), which skips the cache both here and at the issuer.
   */
  async token(audience: string, options?: TokenOptions): Promise<IssuedToken> {
    const source = sourceFor(this.#sources, audience, "token");
    if (source.kind === "native" && options?.lifetimeSeconds !== undefined) {
      const problems = new OptionProblems("token");
      problems.add(
        "lifetimeSeconds",
        "cannot be chosen for an audience served by a native oidc_tokens binding; omit it",
      );
      problems.throwIfAny();
    }
    // A fresh token is one never handed out before: it comes from the source, and is not cached.
    if (options?.fresh === true) {
      return source.kind === "native"
        ? requestNativeToken(source.binding, audience, this.#now())
        : requestToken(source.binding, audience, options);
    }
    const key = JSON.stringify([audience, options?.lifetimeSeconds ?? null]);
    // One call, to the issuer or the binding: a renewal still running after the client's timeout is presumed abandoned.
    return cachesOf(source.binding).tokens.get(key, this.#now, this.#timeoutMs, async () => {
      const issued =
        source.kind === "native"
          ? await requestNativeToken(source.binding, audience, this.#now())
          : await requestToken(source.binding, audience, options);
      const now = this.#now();
      const expiresAtMs = issued.expiresAt * 1_000;
      const margin = Math.max(TOKEN_RENEW_MIN_MARGIN_MS, (expiresAtMs - now) / 3);
      return { value: issued, expiresAtMs, renewAtMs: renewalTime(now, expiresAtMs, margin) };
    });
  }

  /** Temporary AWS credentials for `roleArn`, by AssumeRoleWithWebIdentity with this Worker's token. */
  async awsCredentials(options: AwsCredentialsOptions): Promise<AwsCredentials> {
    return this.#awsCredentials(resolveAwsCredentialsOptions(options));
  }

  /** A SigV4 client for AWS APIs whose credentials renew themselves. Options are checked here, once. */
  awsClient(options: AwsClientOptions): AwsRequestClient {
    const resolved = resolveAwsClientOptions(options);
    return new AwsRequestClient({
      credentials: () => this.#awsCredentials(resolved.credentials),
      fetch: this.#fetch,
      service: resolved.service,
      signingRegion: resolved.signingRegion,
    });
  }

  async #awsCredentials(resolved: ResolvedAwsCredentialsOptions): Promise<AwsCredentials> {
    // Two calls in a row at most: the issuer, then STS.
    return this.#cachesFor(resolved.audience, "awsCredentials").aws.get(
      resolved.cacheKey,
      this.#now,
      2 * this.#timeoutMs,
      async () => {
        const { token } = await this.token(resolved.audience);
        const credentials = await assumeRoleWithWebIdentity(
          { ...resolved, webIdentityToken: token, fetch: this.#fetch, timeoutMs: this.#timeoutMs },
          this.#now(),
        );
        const expiresAtMs = credentials.expiresAt * 1_000;
        return {
          value: credentials,
          expiresAtMs,
          renewAtMs: renewalTime(this.#now(), expiresAtMs, resolved.renewBeforeMs),
        };
      },
    );
  }

  /** A GCP access token: the federated token from GCP STS, or a service account's when one is named. */
  async gcpAccessToken(options: GcpAccessTokenOptions): Promise<GcpAccessToken> {
    const resolved = resolveGcpAccessTokenOptions(options);
    // Three calls in a row at most: the issuer, GCP STS, IAM Credentials.
    return this.#cachesFor(resolved.audience, "gcpAccessToken").gcp.get(
      resolved.cacheKey,
      this.#now,
      3 * this.#timeoutMs,
      async () => {
        const { token } = await this.token(resolved.audience);
        const common = { fetch: this.#fetch, timeoutMs: this.#timeoutMs };
        const impersonate = resolved.serviceAccountEmail !== undefined && resolved.impersonationUrl !== undefined;
        // As google-auth-library: generateAccessToken needs a cloud-platform (or iam) scoped federated token.
        const scopes = impersonate ? [CLOUD_PLATFORM_SCOPE] : resolved.scopes;
        const federated = await exchangeToken({
          endpoint: resolved.stsEndpoint,
          audience: resolved.audience,
          scopes,
          subjectToken: token,
          ...common,
        });
        let value: GcpAccessToken;
        if (impersonate) {
          const sa = await generateAccessToken(
            {
              url: resolved.impersonationUrl!,
              serviceAccountEmail: resolved.serviceAccountEmail!,
              federatedToken: federated.accessToken,
              subjectToken: token,
              scopes: resolved.scopes,
              lifetimeSeconds: resolved.lifetimeSeconds,
              ...common,
            },
            this.#now(),
          );
          value = {
            accessToken: sa.accessToken,
            expiresAt: Math.floor(sa.expiresAtMs / 1_000),
            serviceAccountEmail: resolved.serviceAccountEmail,
          };
        } else {
          if (federated.expiresInSeconds === undefined) {
            throw new MalformedResponseError(
              "gcp-sts",
              200,
              "GCP STS answered the token exchange without expires_in, so the token cannot be cached",
            );
          }
          const expiresAt = Math.floor(this.#now() / 1_000 + federated.expiresInSeconds);
          value = { accessToken: federated.accessToken, expiresAt, serviceAccountEmail: undefined };
        }
        const expiresAtMs = value.expiresAt * 1_000;
        return {
          value: Object.freeze(value),
          expiresAtMs,
          renewAtMs: renewalTime(this.#now(), expiresAtMs, resolved.renewBeforeMs),
        };
      },
    );
  }
  /** A Microsoft Entra ID access token for `scope`, by client credentials with this Worker's token as the assertion. */
  async azureAccessToken(options: AzureAccessTokenOptions): Promise<AzureAccessToken> {
    return this.#exchanged(
      "azure",
      "azureAccessToken",
      resolveAzureAccessTokenOptions(options),
      requestAzureAccessToken,
    );
  }

  /** A Claude API access token (`sk-ant-oat01-...`), by the jwt-bearer grant at the federation rule. */
  async anthropicAccessToken(options: AnthropicAccessTokenOptions): Promise<AnthropicAccessToken> {
    return this.#exchanged(
      "anthropic",
      "anthropicAccessToken",
      resolveAnthropicAccessTokenOptions(options),
      requestAnthropicAccessToken,
    );
  }

  /** An OpenAI API access token, by token exchange at the workload identity provider. */
  async openaiAccessToken(options: OpenAiAccessTokenOptions): Promise<OpenAiAccessToken> {
    return this.#exchanged(
      "openai",
      "openaiAccessToken",
      resolveOpenAiAccessTokenOptions(options),
      requestOpenAiAccessToken,
    );
  }

  /** A Vault token, by logging in to the JWT auth method's role with this Worker's token. */
  async vaultToken(options: VaultTokenOptions): Promise<VaultToken> {
    return this.#exchanged("vault", "vaultToken", resolveVaultTokenOptions(options), requestVaultToken);
  }

  /** A relying party's credential from its cache, exchanged for a fresh token when it must be renewed. */
  async #exchanged<R extends ResolvedExchange, T>(
    party: string,
    what: string,
    resolved: R,
    exchange: Exchange<R, T>,
  ): Promise<T> {
    const caches = this.#cachesFor(resolved.audience, what);
    let cache = caches.exchanges.get(party) as RenewingCache<T> | undefined;
    if (cache === undefined) {
      cache = new RenewingCache<T>();
      caches.exchanges.set(party, cache as RenewingCache<unknown>);
    }
    // Two calls in a row at most: the issuer, then the party's token endpoint.
    return cache.get(resolved.cacheKey, this.#now, 2 * this.#timeoutMs, async () => {
      const fresh = resolved.freshSubjectToken === true;
      const { token } = await this.token(resolved.audience, fresh ? { fresh } : undefined);
      const { value, expiresAtMs } = await exchange(resolved, token, {
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
        now: this.#now,
      });
      return { value, expiresAtMs, renewAtMs: renewalTime(this.#now(), expiresAtMs, resolved.renewBeforeMs) };
    });
  }
}
