// The drop-in for google-auth-library: a SubjectTokenSupplier that hands the library this Worker's
// issuer token, cached and renewed by the SDK, for the workload's `external_account` configuration
// (credential-configuration.ts; the stack outputs carry it as gcpCredentialConfiguration). So
//   new IdentityPoolClient({ ...env.GCP_CREDENTIAL_CONFIGURATION, subject_token_supplier: gcpSubjectTokenSupplier(env.ISSUER) })
// is a Google auth client like any other. The shapes are declared here: the SDK depends on no
// Google package (test/sdk/gcp-external-account.test.ts checks them against google-auth-library).

import { type IdentityOptions, identity } from "../identity.js";
import { OptionProblems } from "../option-checks.js";
import type { TokenSource } from "../token-sources.js";
import { AUDIENCE_PREFIX, JWT_TOKEN_TYPE } from "./credential-configuration.js";

/** What google-auth-library passes a supplier (ExternalAccountSupplierContext), as far as it is read. */
export interface GcpSubjectTokenContext {
  readonly audience: string;
  readonly subjectTokenType: string;
}

/** google-auth-library's SubjectTokenSupplier. */
export interface GcpSubjectTokenSupplier {
  getSubjectToken(context: GcpSubjectTokenContext): Promise<string>;
}

/** The supplier: a token of this Worker for the audience the library asks for (its provider's). */
export function gcpSubjectTokenSupplier(
  /** env.ISSUER, or { issuer?, native } as identity() takes it. */
  binding: TokenSource,
  identityOptions?: IdentityOptions,
): GcpSubjectTokenSupplier {
  const client = identity(binding, identityOptions);
  return {
    async getSubjectToken(context) {
      const audience = typeof context === "object" && context !== null ? context.audience : undefined;
      const problems = new OptionProblems("gcpSubjectTokenSupplier context");
      if (typeof audience !== "string" || !audience.startsWith(AUDIENCE_PREFIX))
        problems.add("audience", `must be a Workload Identity provider's, ${AUDIENCE_PREFIX}projects/<number>/…`);
      else if (context.subjectTokenType !== JWT_TOKEN_TYPE)
        problems.add("subject_token_type", `must be ${JWT_TOKEN_TYPE}: the issuer's tokens are JWTs`);
      problems.throwIfAny();
      return (await client.token(audience as string)).token;
    },
  };
}
