// Pulumi mocks for tests of the whole program: records every resource, echoes inputs as
// outputs with plausible ids and ARNs, and refuses any provider function call (the program
// must not depend on one).

import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

export const recorded: RecordedResource[] = [];

function outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      // AWS names a provider after its URL's host (the condition keys follow it).
      return { ...inputs, arn: `arn:aws:iam::111122223333:oidc-provider/${new URL(String(inputs.url)).host}` };
    case "aws:iam/role:Role":
      return { ...inputs, arn: `arn:aws:iam::111122223333:role/${String(inputs.name ?? name)}` };
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return { ...inputs, name: `projects/123456789012/locations/global/workloadIdentityPools/${String(inputs.workloadIdentityPoolId)}` };
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return {
        ...inputs,
        name: `projects/123456789012/locations/global/workloadIdentityPools/${String(inputs.workloadIdentityPoolId)}/providers/${String(inputs.workloadIdentityPoolProviderId)}`,
      };
    case "gcp:serviceaccount/account:Account":
      return { ...inputs, email: `${String(inputs.accountId)}@${String(inputs.project ?? "project")}.iam.gserviceaccount.com` };
    case "random:index/randomBytes:RandomBytes":
      return { ...inputs, base64: Buffer.alloc(Number(inputs.length)).toString("base64") };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: "x".repeat(Number(inputs.length)) };
    default:
      return inputs;
  }
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs as the program wrote them: the engine's secret wrappers removed, recursively. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] !== undefined && "value" in record) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

export function installMocks(project: string, stack: string): void {
  recorded.length = 0;
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) as Record<string, unknown> });
        return { id: `${args.name}-id`, state: outputsFor(args.type, args.name, args.inputs as Record<string, unknown>) };
      },
      call(args) {
        throw new Error(`the program called ${args.token}; it must not depend on provider functions`);
      },
    },
    project,
    stack,
    false,
  );
}

/** Resolves an Output (or plain value) in a test. */
export function resolved<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T | undefined)));
}

export function ofType(type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}
