// Who is calling: decided by the caller's service binding, never by its arguments.
//   - A per-workload entrypoint class (generated into the bundle from the registry) names its
//     workload itself; Pulumi-managed bindings use these (the provider has no `props`).
//   - The generic `Issuer` entrypoint reads `ctx.props.workload`, which only the binding's
//     configuration (wrangler) can set.
// The Cloudflare account is the trust boundary: anyone who can deploy a binding in the account
// can choose its props or entrypoint.

import { MissingIdentityError, UnknownWorkloadError } from "../errors.js";
import type { RuntimeSettings, RuntimeWorkload } from "../runtime-config/types.js";

export function resolveWorkload(
  config: RuntimeSettings,
  boundWorkload: string | undefined,
  props: unknown,
): RuntimeWorkload {
  const fromProps = workloadFromProps(props);
  if (boundWorkload !== undefined && fromProps !== undefined && fromProps !== boundWorkload) {
    throw new MissingIdentityError(
      `the binding names two identities: entrypoint for '${boundWorkload}' and props.workload '${fromProps}'; ` +
        "remove props from the binding, or bind to the generic Issuer entrypoint",
    );
  }
  const name = boundWorkload ?? fromProps;
  if (name === undefined) {
    throw new MissingIdentityError(
      "this service binding carries no workload identity; bind to the workload's own entrypoint " +
        '(the stack outputs name it) or set props = { workload = "<script name>" } on the binding',
    );
  }
  const workload = config.workloads.find((w) => w.name === name);
  if (!workload) {
    throw new UnknownWorkloadError(
      `workload ${JSON.stringify(name)} is not registered in stack ${config.stack}; ` +
        `add it under ${config.project}:workloads in Pulumi.${config.stack}.yaml and run \`pulumi up\``,
    );
  }
  return workload;
}

function workloadFromProps(props: unknown): string | undefined {
  if (props === undefined || props === null) return undefined;
  if (typeof props !== "object") {
    throw new MissingIdentityError('the binding\'s props must be an object such as { workload: "billing" }');
  }
  const value = (props as Record<string, unknown>).workload;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new MissingIdentityError(
      "the binding's props.workload must be the workload's script name, a non-empty string",
    );
  }
  return value;
}
