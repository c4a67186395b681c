// Test-only Worker that uses the workload SDK over its real issuer bindings, as a workload would:
// ISSUER names the workload "billing", OTHER names "reports-exporter". The test moves the SDK's
// clock (`shiftSeconds`) and reads how many RPC calls reached the issuer through COUNTED, a thin
// wrapper over ISSUER that counts them. Cloud calls go to the global fetch (the test's outbound
// service stands in for AWS and GCP).

import {
  CloudServiceError,
  type IssuerBinding,
  IssuerRefusalError,
  identity,
  WorkloadIdentityError,
} from "@worker-identity/sdk";

interface Env {
  readonly ISSUER: IssuerBinding;
  readonly OTHER: IssuerBinding;
}

interface Call {
  readonly op: "token" | "aws" | "gcp";
  readonly binding: "ISSUER" | "OTHER" | "COUNTED";
  readonly args: Record<string, unknown>;
  readonly shiftSeconds?: number;
}

let shiftMs = 0;
let rpcCalls = 0;
let counted: IssuerBinding | undefined;
/** The binding objects seen so far: the SDK keys its isolate cache by the binding object. */
const seen = new WeakSet<object>();

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const call = (await request.json()) as Call;
    shiftMs = (call.shiftSeconds ?? 0) * 1_000;
    counted ??= {
      token: (audience, options) => {
        rpcCalls += 1;
        return env.ISSUER.token(audience, options);
      },
    };
    const binding = call.binding === "COUNTED" ? counted : env[call.binding];
    const bindingSeenBefore = seen.has(binding);
    seen.add(binding);
    const id = identity(binding, { now: () => Date.now() + shiftMs });
    try {
      const result = await run(id, call);
      return Response.json({ result, rpcCalls, bindingSeenBefore });
    } catch (error) {
      if (!(error instanceof WorkloadIdentityError)) throw error;
      return Response.json({
        error: {
          name: error.name,
          code: error.code,
          message: error.message,
          issuerCode: error instanceof IssuerRefusalError ? error.issuerCode : null,
          serviceCode: error instanceof CloudServiceError ? error.serviceCode : null,
        },
        rpcCalls,
        bindingSeenBefore,
      });
    }
  },
};

async function run(id: ReturnType<typeof identity>, call: Call): Promise<unknown> {
  const args = call.args;
  if (call.op === "token")
    return id.token(args.audience as string, args.options as { lifetimeSeconds?: number } | undefined);
  if (call.op === "gcp") return id.gcpAccessToken(args as never);
  const credentials = await id.awsCredentials(args as never);
  const signed = await id
    .awsClient(args as never)
    .fetch("https://dynamodb.us-east-1.amazonaws.com/", { method: "POST", body: "{}" });
  return { accessKeyId: credentials.accessKeyId, expiresAt: credentials.expiresAt, signedStatus: signed.status };
}
