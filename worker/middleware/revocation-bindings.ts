// The middleware Worker's optional bindings for tokens that can outlive what they stand for
// (worker/verification/revocation-options.ts), read with the others by config.ts:
//   INTROSPECTION_URL, INTROSPECTION_CLIENT_ID      text    ─┐ all three, or none
//   INTROSPECTION_CLIENT_SECRET                     secret  ─┘
//   INTROSPECTION_FOR                               text    optional: "workflow" (default) or "all"
//   REVOCATION_LIST_URL                             text    optional: the issuer's /revocations.json
// The URLs themselves are checked by the verifier when the middleware is built.

import type { IntrospectionOptions, RevocationListOptions } from "@worker-identity/verifier";

export interface RevocationBindings {
  readonly INTROSPECTION_URL?: unknown;
  readonly INTROSPECTION_CLIENT_ID?: unknown;
  readonly INTROSPECTION_CLIENT_SECRET?: unknown;
  readonly INTROSPECTION_FOR?: unknown;
  readonly REVOCATION_LIST_URL?: unknown;
}

export interface RevocationChecks {
  readonly introspection?: IntrospectionOptions;
  readonly revocationList?: RevocationListOptions;
}

export function readRevocationBindings(
  env: RevocationBindings,
  problem: (binding: string, fix: string) => void,
): RevocationChecks {
  const checks: { introspection?: IntrospectionOptions; revocationList?: RevocationListOptions } = {};
  const { INTROSPECTION_URL: url, INTROSPECTION_CLIENT_ID: clientId, INTROSPECTION_CLIENT_SECRET: clientSecret } = env;
  const given = [url, clientId, clientSecret].filter((v) => v !== undefined && v !== "").length;
  if (given > 0 && given < 3) {
    problem(
      "INTROSPECTION_URL",
      "INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET go together: set all three, or none",
    );
  } else if (given === 3) {
    if (typeof url !== "string" || typeof clientId !== "string" || typeof clientSecret !== "string") {
      problem("INTROSPECTION_URL", "and the client id must be text bindings, the client secret a secret");
    } else {
      const forTokens = env.INTROSPECTION_FOR;
      if (forTokens !== undefined && forTokens !== "workflow" && forTokens !== "all") {
        problem("INTROSPECTION_FOR", 'must be "workflow" (the default) or "all"');
      }
      checks.introspection = { url, clientId, clientSecret, forTokens: forTokens === "all" ? "all" : "workflow" };
    }
  } else if (env.INTROSPECTION_FOR !== undefined) {
    problem(
      "INTROSPECTION_FOR",
      "is set without INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET",
    );
  }
  const list = env.REVOCATION_LIST_URL;
  if (list !== undefined && list !== "") {
    if (typeof list === "string") checks.revocationList = { url: list };
    else problem("REVOCATION_LIST_URL", "must be a text binding: the issuer's /revocations.json URL");
  }
  return checks;
}
