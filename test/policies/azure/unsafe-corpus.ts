// Hand-written Entra trust, each configuration unsafe in one way, with the policy that must
// refuse it and the input that decides (unknown during preview, it must be skipped instead).
// Written the way people write FICs by hand (the provider docs' examples), not with the program.

import type { TestResource } from "../harness.js";
import type { UnsafeConfiguration } from "../unsafe-corpus.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";
/** Pulumi.dev.yaml's issuer and the subject of its Entra workload. */
export const DEV_ISSUER = "https://id.example.dev";
export const DEV_SUBJECT = `worker/${ACCOUNT}/inventory-sync`;
const EXCHANGE = "api://AzureADTokenExchange";

export function applicationFic(change: Record<string, unknown> = {}): TestResource {
  return {
    type: "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
    props: {
      applicationId: "/applications/0f3c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c",
      displayName: "inventory-sync",
      issuer: DEV_ISSUER,
      subject: DEV_SUBJECT,
      audiences: [EXCHANGE],
      ...change,
    },
  };
}

export function managedIdentityFic(change: Record<string, unknown> = {}): TestResource {
  return {
    type: "azure-native:managedidentity:FederatedIdentityCredential",
    props: {
      resourceGroupName: "rg-identity",
      resourceName: "uai-sync",
      federatedIdentityCredentialResourceName: "inventory-sync",
      issuer: DEV_ISSUER,
      subject: DEV_SUBJECT,
      audiences: [EXCHANGE],
      ...change,
    },
  };
}

function flexibleFic(issuer: string, expression: string): TestResource {
  return {
    type: "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential",
    props: {
      applicationId: "/applications/0f3c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c",
      displayName: "all-workers",
      issuer,
      audience: EXCHANGE,
      claimsMatchingExpression: expression,
    },
  };
}

/** Unsafe on their own: a resource policy refuses each. */
export const azureUnsafeCorpus: readonly UnsafeConfiguration[] = [
  {
    why: "an application FIC accepting AWS's audience (a token for STS opens Entra too)",
    resource: applicationFic({ audiences: ["sts.amazonaws.com"] }),
    refusedBy: "azure-fic-exchange-audience",
    decidedBy: "audiences",
  },
  {
    why: "an application FIC with a second audience beside the exchange audience",
    resource: applicationFic({ audiences: [EXCHANGE, "https://api.internal.example.dev"] }),
    refusedBy: "azure-fic-exchange-audience",
    decidedBy: "audiences",
  },
  {
    why: "a managed-identity FIC with the issuer URL as its audience",
    resource: managedIdentityFic({ audiences: [DEV_ISSUER] }),
    refusedBy: "azure-fic-exchange-audience",
    decidedBy: "audiences",
  },
  {
    why: "a FIC with no audiences",
    resource: managedIdentityFic({ audiences: [] }),
    refusedBy: "azure-fic-exchange-audience",
    decidedBy: "audiences",
  },
  {
    why: "an application FIC meant for every Worker of the account (worker/<account>/*)",
    resource: applicationFic({ subject: `worker/${ACCOUNT}/*` }),
    refusedBy: "azure-fic-exact-subject",
    decidedBy: "subject",
  },
  {
    why: "a managed-identity FIC with a ? in its subject",
    resource: managedIdentityFic({ subject: `worker/${ACCOUNT}/inventory-syn?` }),
    refusedBy: "azure-fic-exact-subject",
    decidedBy: "subject",
  },
  {
    why: "a FIC whose subject has a trailing space",
    resource: applicationFic({ subject: `${DEV_SUBJECT} ` }),
    refusedBy: "azure-fic-exact-subject",
    decidedBy: "subject",
  },
  {
    why: "a flexible FIC matching every worker-identity subject of the account",
    resource: flexibleFic(DEV_ISSUER, `claims['sub'] matches 'worker/${ACCOUNT}/*'`),
    refusedBy: "azure-fic-exact-subject",
    decidedBy: "issuer",
  },
  {
    why: "a flexible FIC for a Cloudflare-native issuer",
    resource: flexibleFic("https://oidc.cloudflare.example/accounts/0123", "claims['sub'] matches 'cf:worker:*'"),
    refusedBy: "azure-fic-exact-subject",
    decidedBy: "issuer",
  },
];

/** Safe on their own, unsafe beside the dev stack's issuer: the stack policy refuses each. */
export const azureUnsafeStackCorpus: readonly { why: string; added: readonly TestResource[]; refusedBy: string }[] = [
  ...[
    ["another account's Worker", `worker/fedcba9876543210fedcba9876543210/inventory-sync`],
    ["the subject in capitals", DEV_SUBJECT.toUpperCase()],
    ["a trailing slash", `${DEV_SUBJECT}/`],
    ["a prefix of the subject", `worker/${ACCOUNT}/inventory`],
    ["a suffix added", `${DEV_SUBJECT}-admin`],
    ["a percent-encoded subject", `worker%2F${ACCOUNT}%2Finventory-sync`],
    ["a workload the stack does not register", `worker/${ACCOUNT}/not-registered`],
  ].map(([what, subject]) => ({
    why: `a FIC for the stack's issuer trusting ${what}`,
    added: [applicationFic({ subject })],
    refusedBy: "azure-trust-registered-subjects",
  })),
  {
    why: "a managed-identity FIC trusting an unregistered subject",
    added: [managedIdentityFic({ subject: `worker/${ACCOUNT}/billing-shadow` })],
    refusedBy: "azure-trust-registered-subjects",
  },
  {
    why: "a FIC naming the stack's issuer with a trailing slash (Entra compares iss exactly)",
    added: [applicationFic({ issuer: `${DEV_ISSUER}/` })],
    refusedBy: "azure-trust-registered-subjects",
  },
  {
    why: "a FIC for an issuer the stack neither runs nor registers as native",
    added: [applicationFic({ issuer: "https://id.attacker.example" })],
    refusedBy: "azure-trust-registered-subjects",
  },
];
