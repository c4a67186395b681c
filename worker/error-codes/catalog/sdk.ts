// ERRORS.md entries of the workload SDK's codes and of deploy time (stack config, Pulumi program,
// option checks). None is an HTTP answer: each is thrown to the code that called.

import type { OptionsErrorCode, ProgramErrorCode, StackConfigCode } from "../deployment.js";
import type { WorkloadIdentityErrorCode } from "../sdk.js";
import type { CatalogEntry } from "./entry.js";

const SDK = ["SDK"] as const;

function cloud(service: string, explained = false): CatalogEntry {
  return {
    raisedBy: SDK,
    status: null,
    retryable: "varies",
    meaning: `${service} answered with an error document (its code and message are on the error).`,
    action:
      "Read `serviceCode` and `serviceMessage`; retry only when `retryable` (throttling, 5xx)." +
      (explained
        ? " `presented` holds the refused token's `sub`, `aud` and `iss` (never the token) and `hint` the likely" +
          " mismatch, both also in the message; `wid explain <token> --target <role or service account>` checks it."
        : ""),
  };
}

export const SDK_CATALOG = {
  ERR_ISSUER_REFUSED: {
    raisedBy: SDK,
    status: null,
    retryable: "varies",
    meaning: "The issuer refused the token request; `issuerCode` is its code (an issuer RPC code above).",
    action: "Act on `issuerCode`; retry only when `retryable`.",
  },
  ERR_ISSUER_UNAVAILABLE: {
    raisedBy: SDK,
    status: null,
    retryable: true,
    meaning: "The issuer binding call failed without an issuer code: the binding is missing or the RPC broke.",
    action: "Check the Worker's ISSUER binding; retry.",
  },
  ERR_AWS_STS: cloud("AWS STS (AssumeRoleWithWebIdentity)", true),
  ERR_GCP_STS: cloud("Google STS (token exchange)", true),
  ERR_GCP_IAM_CREDENTIALS: cloud("Google IAM Credentials (generateAccessToken)", true),
  ERR_ENTRA: cloud(
    "Microsoft Entra ID (client credentials with a federated assertion; `AADSTS700213`: no FIC matches)",
  ),
  ERR_ANTHROPIC: cloud("The Claude API's token endpoint (`POST /v1/oauth/token`, jwt-bearer)"),
  ERR_OPENAI: cloud("The OpenAI API's token endpoint (`https://auth.openai.com/oauth/token`, token exchange)"),
  ERR_VAULT: cloud(
    "Vault's JWT auth login (`POST /v1/auth/<mount>/login`; `permission denied`, role or claim mismatch)",
  ),
  ERR_SERVICE_UNREACHABLE: {
    raisedBy: SDK,
    status: null,
    retryable: true,
    meaning: "The request got no answer: DNS, connection, TLS, or the SDK's timeout.",
    action: "Retry with backoff.",
  },
  ERR_MALFORMED_RESPONSE: {
    raisedBy: SDK,
    status: null,
    retryable: "varies",
    meaning: "An answer that is not the documented format (wrong type, missing field, not XML or JSON).",
    action: "Retry when `retryable` (a 5xx or 429 answer); otherwise check the binding or endpoint.",
  },
  ERR_NATIVE_TOKEN_UNAVAILABLE: {
    raisedBy: SDK,
    status: null,
    retryable: true,
    meaning: "A native token binding's (Cloudflare `oidc_tokens`) getToken() failed.",
    action: "Check the binding in the Worker's wrangler config and that the account is enabled for it; retry.",
  },
  ERR_NATIVE_TOKEN_INVALID: {
    raisedBy: SDK,
    status: null,
    retryable: false,
    meaning:
      "A native token binding answered something that is not a compact JWT with a numeric `exp` in the future, so it cannot be cached.",
    action:
      "Check that the `native` map names the `oidc_tokens` binding (not another binding) and this machine's clock.",
  },
} as const satisfies Record<WorkloadIdentityErrorCode, CatalogEntry>;

export const DEPLOYMENT_CATALOG = {
  ERR_INVALID_OPTIONS: {
    raisedBy: ["option checks"],
    status: null,
    retryable: false,
    meaning:
      "An option given to a factory (createVerifier, the middleware, the SDK's clients) or the CLI is missing or invalid; `issues` lists each.",
    action: "Fix every option the message lists (each line names the option and the fix).",
  },
  ERR_STACK_CONFIG: {
    raisedBy: ["stack config"],
    status: null,
    retryable: false,
    meaning: "The stack configuration is invalid; `issues` lists every problem with its config key.",
    action: "Fix each key the message names in Pulumi.<stack>.yaml (or with `pulumi config set --path`).",
  },
  ERR_GCP_PROJECT_NUMBER: {
    raisedBy: ["Pulumi program"],
    status: null,
    retryable: false,
    meaning: "The configured GCP project number is not the project id's number (GCP says another).",
    action: "Set `gcp.projectNumber` to the number `gcloud projects describe <id>` prints.",
  },
  ERR_IAM_LABEL: {
    raisedBy: ["Pulumi program"],
    status: null,
    retryable: false,
    meaning: "An IAM tag or role description the program built is one IAM would refuse.",
    action: "Report it: the program builds these from validated config, so a new source of text let one through.",
  },
  ERR_MIGRATION_TAG: {
    raisedBy: ["Pulumi program"],
    status: null,
    retryable: false,
    meaning: "The deployed issuer script's Durable Object migration tag is not one this program knows.",
    action: "Deploy with a program at least as new as the deployed one (migrations are append-only).",
  },
} as const satisfies Record<OptionsErrorCode | StackConfigCode | ProgramErrorCode, CatalogEntry>;
