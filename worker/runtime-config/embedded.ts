// The runtime config of this issuer isolate: the document the build put into the bundle's first
// line (embedding.ts), parsed and checked once per isolate. A bundle without one (bundled by
// hand, or by a build that wrote none) answers every request with ERR_ISSUER_CONFIG (503), naming
// the fix.

import { deepFreeze } from "../deep-freeze.js";
import { IssuerConfigError } from "../errors.js";
import { REBUILD } from "./check.js";
import { parseRuntimeConfig, RUNTIME_CONFIG_CONSTANT } from "./embedding.js";
import type { RuntimeConfig } from "./types.js";

// Written by the build as the bundle's first line; absent from a bundle built any other way.
declare const __WID_RUNTIME_CONFIG__: unknown;

let parsed: { readonly config: RuntimeConfig } | { readonly error: unknown } | undefined;

/** This isolate's runtime config; throws IssuerConfigError (the same one every time) when the bundle has none or a broken one. */
export function runtimeConfig(): RuntimeConfig {
  parsed ??= parse();
  if ("error" in parsed) throw parsed.error;
  return parsed.config;
}

function parse(): { readonly config: RuntimeConfig } | { readonly error: unknown } {
  try {
    if (typeof __WID_RUNTIME_CONFIG__ !== "string") {
      throw new IssuerConfigError(`this issuer bundle has no runtime config (${RUNTIME_CONFIG_CONSTANT}); ${REBUILD}`);
    }
    return { config: deepFreeze(parseRuntimeConfig(__WID_RUNTIME_CONFIG__)) };
  } catch (error) {
    return { error };
  }
}
