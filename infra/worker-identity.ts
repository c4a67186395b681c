// The whole deployment as one component: the issuer on Cloudflare, and its federation into AWS
// and GCP for the clouds the stack configures. Outputs are what each team needs: the issuer's
// URLs for relying parties, and per workload (and per workflow) its subject, binding, role and
// service account.

import * as pulumi from "@pulumi/pulumi";
import { type GcpCredentialConfiguration, gcpCredentialConfiguration } from "@worker-identity/sdk";
import { bundleIssuer, bundleWorker, MIDDLEWARE_MODULE } from "../worker/build/bundle.js";
import type { StackConfig, WorkloadConfig } from "../worker/config/types.js";
import { type AnthropicConsoleTrust, anthropicConsoleTrust } from "../worker/console-trust/anthropic.js";
import { type OpenAiConsoleTrust, openaiConsoleTrust } from "../worker/console-trust/openai.js";
import { DISCOVERY_PATH, INTROSPECTION_PATH, JWKS_PATH, REVOCATIONS_PATH } from "../worker/http/routes.js";
import { runtimeConfigOf } from "../worker/runtime-config/compute.js";
import { AwsFederation } from "./aws/federation.js";
import { AzureFederation, type AzureWorkloadOutputs } from "./azure/federation.js";
import { issuerBindingFor, wranglerBindingSnippet, wranglerWorkflowBindingSnippet } from "./cloudflare/bindings.js";
import { EdgeMiddleware } from "./cloudflare/edge-middleware.js";
import { IssuerWorker } from "./cloudflare/issuer-worker.js";
import { type WranglerSnippets, type WranglerVar, wranglerSnippets } from "./cloudflare/wrangler-config.js";
import type { FederationArgs } from "./federation-args.js";
import { GcpFederation } from "./gcp/federation.js";
import { MTLS_BINDING_NAME } from "./mtls/bindings.js";
import { type WorkloadCertificateOutputs, WorkloadCertificates } from "./mtls/workload-certificates.js";
import { VaultFederation, type VaultWorkloadOutputs } from "./vault/federation.js";

export interface WorkerIdentityArgs {
  readonly stack: string;
  readonly config: StackConfig;
  /** The deploy's clock, ms since the epoch (default now), for the mTLS certificates' renewal windows. */
  readonly nowMs?: number;
}

export interface WorkloadOutputs {
  readonly subject: string;
  readonly entrypoint: string;
  readonly audiences: readonly string[];
  readonly wranglerBinding: string;
  readonly awsRoleArn?: pulumi.Output<string>;
  readonly gcpServiceAccount?: pulumi.Output<string>;
  readonly gcpPrincipal?: pulumi.Output<string>;
  readonly gcpProviderResourceName?: pulumi.Output<string>;
  /**
   * The `external_account` configuration google-auth-library takes (with the SDK's
   * gcpSubjectTokenSupplier as its subject_token_supplier): the provider and the service account.
   */
  readonly gcpCredentialConfiguration?: pulumi.Output<GcpCredentialConfiguration>;
  /** Its wrangler configuration, JSONC and TOML: the issuer binding, the SDK's vars, the mTLS binding. */
  readonly wrangler: pulumi.Output<WranglerSnippets>;
  /** The workload's client certificate (mTLS): binding, SPIFFE ID, thumbprint, renewal date. */
  readonly mtls?: WorkloadCertificateOutputs;
  /** The Cloudflare-native (oidc_tokens) identity its role and service account also trust, when it has `native`. */
  readonly native?: NativeTrustOutputs;
  /** Its Entra identity (application or managed identity) and tenant: what azureAccessToken names. */
  readonly azure?: AzureWorkloadOutputs;
  /** Its Vault role and mount: what vaultToken names. */
  readonly vault?: VaultWorkloadOutputs;
  /** The issuer and federation rule to enter in the Claude Console (no provider manages them). */
  readonly anthropic?: AnthropicConsoleTrust;
  /** The identity provider and mapping to enter in the OpenAI Platform (no provider manages them). */
  readonly openai?: OpenAiConsoleTrust;
}

/** What a native workload's clouds trust of its native tokens: exactly this issuer and subject. */
export interface NativeTrustOutputs {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  /** The native issuer's IAM OIDC provider (when the workload has aws). */
  readonly awsProviderArn?: pulumi.Output<string>;
  /** The native issuer's pool provider, the STS audience for native tokens (when the workload has gcp). */
  readonly gcpProviderResourceName?: pulumi.Output<string>;
  readonly gcpPrincipal?: pulumi.Output<string>;
}

export interface WorkflowOutputs {
  /** workflow/<account_id>/<name>/<instance id>: the instance id varies, so clouds trust the prefix. */
  readonly subjectPattern: string;
  readonly script: string;
  readonly entrypoint: string;
  readonly audiences: readonly string[];
  readonly wranglerBinding: string;
  readonly awsRoleArn?: pulumi.Output<string>;
  readonly gcpServiceAccount?: pulumi.Output<string>;
  /** principalSet://…/attribute.workflow/<name>: every instance of the workflow. */
  readonly gcpPrincipalSet?: pulumi.Output<string>;
}

export class WorkerIdentity extends pulumi.ComponentResource {
  readonly issuer: IssuerWorker;
  readonly aws?: AwsFederation;
  readonly gcp?: GcpFederation;
  readonly azure?: AzureFederation;
  readonly vault?: VaultFederation;
  /** The stack's mTLS CA and workload certificates, when the config has `mtls`. */
  readonly mtls?: WorkloadCertificates;
  /** The relying-party Worker in front of an API, when `edgeMiddleware` is configured. */
  readonly edgeMiddleware?: EdgeMiddleware;
  readonly issuerUrl: string;
  readonly jwksUri: string;
  readonly discoveryUrl: string;
  readonly workloads: Record<string, WorkloadOutputs>;
  readonly workflows: Record<string, WorkflowOutputs>;
  /** POST here (RFC 7662) with a client's HTTP Basic credentials; and the published revocation list. */
  readonly introspectionUrl: string;
  readonly revocationsUrl: string;

  constructor(name: string, args: WorkerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("worker-identity:index:WorkerIdentity", name, {}, opts);
    const { config } = args;
    if (config.mtls) {
      this.mtls = new WorkloadCertificates(
        "mtls",
        { config, ...(args.nowMs === undefined ? {} : { nowMs: args.nowMs }) },
        { parent: this },
      );
    }
    // The runtime config is built into the bundle (worker/runtime-config), so the bundle waits for
    // the certificates' thumbprints: the tokens of an mTLS workload carry its certificate's.
    const thumbprints = this.mtls?.thumbprints ?? pulumi.output<Readonly<Record<string, string>>>({});
    const bundle = thumbprints.apply((known) => bundleIssuer(config, runtimeConfigOf(config, known)));
    this.issuer = new IssuerWorker("issuer", { config, bundle }, { parent: this });
    const federation: FederationArgs = {
      issuer: config.issuer,
      workloads: config.workloads,
      workflows: config.workflows,
      stack: args.stack,
    };
    // The clouds fetch discovery and JWKS from the issuer: federate once its hostname serves it.
    const afterIssuer = { parent: this, dependsOn: [this.issuer] };
    if (config.aws) this.aws = new AwsFederation("aws", { ...federation, aws: config.aws }, afterIssuer);
    if (config.gcp) this.gcp = new GcpFederation("gcp", { ...federation, gcp: config.gcp }, afterIssuer);
    if (config.azure) this.azure = new AzureFederation("azure", { ...federation, azure: config.azure }, afterIssuer);
    if (config.vault) this.vault = new VaultFederation("vault", { ...federation, vault: config.vault }, afterIssuer);
    if (config.edgeMiddleware) {
      const edge = config.edgeMiddleware;
      this.edgeMiddleware = new EdgeMiddleware(
        "edge-middleware",
        {
          accountId: config.issuer.accountId,
          scriptName: edge.scriptName,
          issuerUrl: config.issuer.issuerUrl,
          issuerScriptName: config.issuer.scriptName,
          audiences: edge.audiences,
          workloads: config.workloads,
          rules: edge.rules,
          origin: edge.origin,
          route: edge.route,
          forwardAuthorization: edge.forwardAuthorization,
          revocationList: edge.revocationList,
          clientCertificates: edge.clientCertificates,
          ...(edge.introspectionClient !== undefined
            ? {
                introspection: {
                  clientId: edge.introspectionClient,
                  clientSecret: this.issuer.introspectionSecrets.apply(
                    (secrets) => secrets[edge.introspectionClient!] ?? "",
                  ),
                },
              }
            : {}),
          bundle: pulumi.output(bundleWorker(MIDDLEWARE_MODULE)),
        },
        afterIssuer,
      );
    }

    this.issuerUrl = config.issuer.issuerUrl;
    this.jwksUri = `${config.issuer.issuerUrl}${JWKS_PATH}`;
    this.discoveryUrl = `${config.issuer.issuerUrl}${DISCOVERY_PATH}`;
    this.workloads = {};
    for (const workload of config.workloads) {
      const gcpWorkload = this.gcp?.workloads[workload.name];
      this.workloads[workload.name] = {
        subject: workload.subject,
        entrypoint: workload.entrypoint,
        audiences: workload.audiences,
        wranglerBinding: wranglerBindingSnippet(workload, config.issuer.scriptName),
        ...(this.aws?.roles[workload.name] ? { awsRoleArn: this.aws.roles[workload.name]!.arn } : {}),
        ...(gcpWorkload && this.gcp
          ? {
              gcpServiceAccount: gcpWorkload.serviceAccountEmail,
              gcpPrincipal: gcpWorkload.principal,
              // The provider's own name: GCP's project number, never the configured one.
              gcpProviderResourceName: this.gcp.providerName,
              gcpCredentialConfiguration: pulumi
                .all([this.gcp.providerName, gcpWorkload.serviceAccountEmail])
                .apply(([provider, email]) => gcpCredentialConfiguration(provider, email)),
            }
          : {}),
        ...(this.mtls?.workloads[workload.name] ? { mtls: this.mtls.workloads[workload.name] } : {}),
        ...(workload.native === undefined ? {} : { native: this.#nativeOutputs(workload) }),
        ...this.#relyingPartyOutputs(workload, config),
        wrangler: this.#wranglerSnippets(workload, config.issuer.scriptName),
      };
    }
    this.workflows = {};
    for (const workflow of config.workflows) {
      const gcpWorkflow = this.gcp?.workflows[workflow.name];
      this.workflows[workflow.name] = {
        subjectPattern: `${workflow.subjectPrefix}<instance id>`,
        script: workflow.script,
        entrypoint: workflow.entrypoint,
        audiences: workflow.audiences,
        wranglerBinding: wranglerWorkflowBindingSnippet(workflow, config.issuer.scriptName),
        ...(this.aws?.workflowRoles[workflow.name] ? { awsRoleArn: this.aws.workflowRoles[workflow.name]!.arn } : {}),
        ...(gcpWorkflow
          ? { gcpServiceAccount: gcpWorkflow.serviceAccountEmail, gcpPrincipalSet: gcpWorkflow.principal }
          : {}),
      };
    }
    this.introspectionUrl = `${config.issuer.issuerUrl}${INTROSPECTION_PATH}`;
    this.revocationsUrl = `${config.issuer.issuerUrl}${REVOCATIONS_PATH}`;
    this.registerOutputs({
      issuerUrl: this.issuerUrl,
      jwksUri: this.jwksUri,
      workloads: this.workloads,
      workflows: this.workflows,
    });
  }

  /** Each relying party beyond AWS and GCP the workload federates into: provisioned, or printed for its console. */
  #relyingPartyOutputs(
    workload: WorkloadConfig,
    config: StackConfig,
  ): Pick<WorkloadOutputs, "azure" | "vault" | "anthropic" | "openai"> {
    const azure = this.azure?.workloads[workload.name];
    const vault = this.vault?.workloads[workload.name];
    const anthropic = anthropicConsoleTrust(config.issuer, workload, config.stack);
    const openai = openaiConsoleTrust(config.issuer, workload, config.stack);
    return {
      ...(azure === undefined ? {} : { azure }),
      ...(vault === undefined ? {} : { vault }),
      ...(anthropic === undefined ? {} : { anthropic }),
      ...(openai === undefined ? {} : { openai }),
    };
  }

  #nativeOutputs(workload: WorkloadConfig): NativeTrustOutputs {
    const native = workload.native!;
    const awsProvider = workload.aws === undefined ? undefined : this.aws?.nativeProviders[native.issuer];
    const gcpWorkload = this.gcp?.workloads[workload.name];
    return {
      issuer: native.issuer,
      subject: native.subject,
      audiences: native.audiences,
      ...(awsProvider === undefined ? {} : { awsProviderArn: awsProvider.arn }),
      ...(gcpWorkload?.nativeProviderName === undefined
        ? {}
        : { gcpProviderResourceName: gcpWorkload.nativeProviderName }),
      ...(gcpWorkload?.nativePrincipal === undefined ? {} : { gcpPrincipal: gcpWorkload.nativePrincipal }),
    };
  }

  /** The workload's wrangler snippets, once its role, service account and certificate are known. */
  #wranglerSnippets(workload: WorkloadConfig, issuerScriptName: string): pulumi.Output<WranglerSnippets> {
    const gcp = this.gcp?.workloads[workload.name];
    return pulumi
      .all([
        this.aws?.roles[workload.name]?.arn,
        gcp && this.gcp?.providerName,
        gcp?.serviceAccountEmail,
        this.mtls?.workloads[workload.name]?.certificateId,
        this.azure?.workloads[workload.name]?.azureAccessToken,
        this.vault?.workloads[workload.name]?.vaultToken,
      ])
      .apply(([roleArn, provider, serviceAccount, certificateId, azure, vault]) => {
        const vars: Record<string, WranglerVar> = {};
        if (roleArn !== undefined) vars.AWS_ROLE_ARN = roleArn;
        if (provider !== undefined && serviceAccount !== undefined) {
          vars.GCP_PROVIDER = provider;
          vars.GCP_SERVICE_ACCOUNT = serviceAccount;
          vars.GCP_CREDENTIAL_CONFIGURATION = { ...gcpCredentialConfiguration(provider, serviceAccount) };
        }
        // The options of the SDK call each relying party needs, as one object var each:
        // identity(env.ISSUER).vaultToken(env.VAULT_TOKEN_OPTIONS), and so on (Entra's adds a scope).
        if (azure !== undefined) vars.AZURE_TOKEN_OPTIONS = { ...azure };
        if (vault !== undefined) vars.VAULT_TOKEN_OPTIONS = { ...vault };
        const anthropic = workload.anthropic;
        if (anthropic !== undefined) {
          vars.ANTHROPIC_TOKEN_OPTIONS = {
            organizationId: anthropic.organizationId,
            serviceAccountId: anthropic.serviceAccountId,
            federationRuleId: anthropic.federationRuleId,
            ...(anthropic.workspaceId === undefined ? {} : { workspaceId: anthropic.workspaceId }),
            audience: anthropic.audience,
          };
        }
        const openai = workload.openai;
        if (openai !== undefined) {
          vars.OPENAI_TOKEN_OPTIONS = {
            identityProviderId: openai.identityProviderId,
            serviceAccountId: openai.serviceAccountId,
            audience: openai.audience,
          };
        }
        const binding = issuerBindingFor(workload, issuerScriptName);
        return wranglerSnippets({
          worker: workload.name,
          services: [{ binding: binding.name, service: binding.service, entrypoint: binding.entrypoint }],
          vars,
          mtlsCertificates:
            certificateId === undefined ? [] : [{ binding: MTLS_BINDING_NAME, certificate_id: certificateId }],
        });
      });
  }
}
