// The worker-identity issuers a stack deploys, recognised from the stack's own resources, so the
// pack knows the stack's issuer without being told (`pulumi preview --policy-pack policies` with
// no policy config). The rule, in full:
//   an issuer script is a WorkersScript the pack recognises as a worker-identity issuer
//   (policies/cloudflare/issuer-script.ts: the KeyStore Durable Object, KEY_ENCRYPTION_KEY);
//   its URL is https://<hostname> of every WorkersCustomDomain whose `service` is that script,
//   and, when a WorkersScriptSubdomain enables that script on workers.dev, every
//   https://<script>.<subdomain>.workers.dev (the account's subdomain is in no resource, so any
//   single label is taken: a provider trusting another account's script of that name without a
//   condition is no safer).
// Pure: a function of the resources' type tokens and plain inputs.

import { bindingsOf, isIssuerScript } from "../cloudflare/issuer-script.js";
import type { PlainInputs } from "../resource-policy.js";

const WORKERS_SCRIPT_TYPE = "cloudflare:index/workersScript:WorkersScript";
const WORKERS_CUSTOM_DOMAIN_TYPE = "cloudflare:index/workersCustomDomain:WorkersCustomDomain";
const WORKERS_SCRIPT_SUBDOMAIN_TYPE = "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain";

export interface StackResource {
  readonly type: string;
  readonly props: PlainInputs;
}

/** Whether an issuer URL (`https://<host>`, any case, trailing slash or not) is one of the stack's issuers. */
export type StackIssuerTest = (issuerUri: string) => boolean;

export function stackIssuers(resources: readonly StackResource[]): StackIssuerTest {
  const scripts = new Set<string>();
  for (const resource of resources) {
    if (resource.type !== WORKERS_SCRIPT_TYPE) continue;
    const bindings = bindingsOf(resource.props);
    const name = resource.props.scriptName;
    if (bindings !== undefined && typeof name === "string" && isIssuerScript(bindings)) scripts.add(name.toLowerCase());
  }
  const hosts = new Set<string>();
  const workersDevScripts = new Set<string>();
  for (const { type, props } of resources) {
    if (
      type === WORKERS_CUSTOM_DOMAIN_TYPE &&
      typeof props.service === "string" &&
      scripts.has(props.service.toLowerCase()) &&
      typeof props.hostname === "string"
    ) {
      hosts.add(props.hostname.toLowerCase().replace(/\.$/, ""));
    }
    if (
      type === WORKERS_SCRIPT_SUBDOMAIN_TYPE &&
      typeof props.scriptName === "string" &&
      scripts.has(props.scriptName.toLowerCase()) &&
      props.enabled !== false
    ) {
      workersDevScripts.add(props.scriptName.toLowerCase());
    }
  }
  return (issuerUri) => {
    const host = httpsHost(issuerUri);
    if (host === undefined) return false;
    if (hosts.has(host)) return true;
    const labels = host.split(".");
    return labels.length === 4 && labels[2] === "workers" && labels[3] === "dev" && workersDevScripts.has(labels[0]!);
  };
}

/** The host of `https://<host>` (a trailing slash allowed, as GCP allows it), or undefined. */
function httpsHost(issuerUri: string): string | undefined {
  const match = /^https:\/\/([^/?#:@]+)\/?$/i.exec(issuerUri.trim());
  return match?.[1]?.toLowerCase().replace(/\.$/, "");
}
