// Where a workload's tokens come from, per audience: the issuer binding (`env.ISSUER`), or one of
// Cloudflare's native `oidc_tokens` bindings (one audience each), or both. The map mirrors the
// wrangler config (`"oidc_tokens": [{ "binding": "AWS_TOKEN", "audience": "sts.amazonaws.com" }]`
// is `native: { "sts.amazonaws.com": env.AWS_TOKEN }`), so the SDK learns each binding's audience
// from the code that knows it, never by reading it out of a token.

import type { IssuerBinding } from "./issuer-token.js";
import { isNativeTokenBinding, type NativeTokenBinding } from "./native-token.js";
import { isRecord, OptionProblems } from "./option-checks.js";

/**
 * The token sources of `identity(...)`: `issuer` for every audience `native` does not name, and
 * `native`, audience to `oidc_tokens` binding. At least one of the two.
 */
export interface TokenSources {
  readonly issuer?: IssuerBinding;
  readonly native?: Readonly<Record<string, NativeTokenBinding>>;
}

/** What `identity`, `awsCredentialsProvider` and `gcpSubjectTokenSupplier` take: `env.ISSUER`, or the sources. */
export type TokenSource = IssuerBinding | TokenSources;

export type ResolvedSource =
  | { readonly kind: "issuer"; readonly binding: IssuerBinding }
  | { readonly kind: "native"; readonly binding: NativeTokenBinding };

export interface ResolvedSources {
  readonly issuer: IssuerBinding | undefined;
  readonly native: ReadonlyMap<string, NativeTokenBinding>;
}

/** The audience rule of `oidc_tokens`: 1 to 2048 printable ASCII characters, no whitespace. */
const NATIVE_AUDIENCE = /^[\x21-\x7e]{1,2048}$/;

function isIssuerBinding(value: unknown): value is IssuerBinding {
  // First: a service binding is an RPC stub on which every property reads as a function.
  return typeof value === "object" && value !== null && typeof (value as { token?: unknown }).token === "function";
}

export function resolveTokenSources(source: unknown): ResolvedSources {
  if (isIssuerBinding(source)) return { issuer: source, native: new Map() };
  const misuse =
    "identity(source): source must be the issuer service binding (env.ISSUER, entrypoint Issuer or Workload_<name>) " +
    'or { issuer?: env.ISSUER, native?: { "<audience>": env.<OIDC_TOKENS_BINDING> } }; ' +
    "is a binding missing from this Worker's configuration?";
  if (!isRecord(source) || (source.issuer === undefined && source.native === undefined)) throw new TypeError(misuse);
  const problems = new OptionProblems("identity source");
  problems.unknown(source, ["issuer", "native"]);
  if (source.issuer !== undefined && !isIssuerBinding(source.issuer))
    problems.add("issuer", "must be the issuer service binding (env.ISSUER), an object with token(audience)");
  const native = new Map<string, NativeTokenBinding>();
  if (source.native !== undefined) {
    if (!isRecord(source.native) || Object.keys(source.native).length === 0) {
      problems.add(
        "native",
        'must be an object of audience to oidc_tokens binding: { "sts.amazonaws.com": env.AWS_TOKEN }',
      );
    } else {
      for (const [audience, binding] of Object.entries(source.native)) {
        if (!NATIVE_AUDIENCE.test(audience))
          problems.add(
            `native[${JSON.stringify(audience.slice(0, 64))}]`,
            "is not an audience: 1 to 2048 printable ASCII characters without whitespace, the binding's `audience`",
          );
        else if (!isNativeTokenBinding(binding))
          problems.add(
            `native[${JSON.stringify(audience)}]`,
            "must be an oidc_tokens binding (an object with getToken()); is it missing from the wrangler config?",
          );
        else native.set(audience, binding);
      }
    }
  }
  problems.throwIfAny();
  return { issuer: source.issuer as IssuerBinding | undefined, native };
}

/** The source of `audience`'s tokens; an OptionsError when nothing serves it. */
export function sourceFor(sources: ResolvedSources, audience: string, what: string): ResolvedSource {
  const native = sources.native.get(audience);
  if (native !== undefined) return { kind: "native", binding: native };
  if (sources.issuer !== undefined) return { kind: "issuer", binding: sources.issuer };
  const problems = new OptionProblems(what);
  problems.add(
    "audience",
    `${JSON.stringify(audience)} has no token source: add an oidc_tokens binding for it to native (known: ${[...sources.native.keys()].map((a) => JSON.stringify(a)).join(", ")}), or give the issuer binding`,
  );
  problems.throwIfAny();
  throw new Error("unreachable");
}
