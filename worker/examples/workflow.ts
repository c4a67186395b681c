// The example Workflow Worker: a WorkflowEntrypoint whose instances get their own token from the
// issuer (through the script's binding to the workflow's Workflow_<name> entrypoint), then wait
// for an event that decides how they end, so a caller controls each instance's life. The local
// stack exports the class under every className registered for the script and binds:
//   ISSUER_<name>    the issuer's Workflow_<name> entrypoint (the workflow's identity)
//   WORKFLOW_<name>  the workflow itself (to create and steer instances)
//   RESULTS          KV: the token each instance got, under token/<instance id>
// HTTP (routes */workflows/<name>/*):
//   POST /workflows/<name>/instances            {id?, audience, lifetimeSeconds?} → {id}
//   GET  /workflows/<name>/instances/<id>        → {status}
//   GET  /workflows/<name>/instances/<id>/token  → the token the instance got (404 until then)
//   POST /workflows/<name>/instances/<id>/finish {outcome: "complete" | "error"}
//   POST /workflows/<name>/instances/<id>/terminate | /pause | /resume

import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";

export interface ExampleParams {
  /** The workflow's name: picks the ISSUER_<name> binding (a script can define several workflows). */
  readonly workflow: string;
  readonly audience: string;
  readonly lifetimeSeconds?: number;
}

interface IssuerBinding {
  workflowToken(
    instanceId: string,
    audience: string,
    options?: { lifetimeSeconds?: number },
  ): Promise<{ token: string; expiresAt: number }>;
}

interface Env {
  readonly RESULTS: KVNamespace;
  readonly [binding: string]: unknown;
}

const identifier = (name: string): string => name.replaceAll("-", "_");

export class ExampleWorkflow extends WorkflowEntrypoint<Env, ExampleParams> {
  override async run(event: Readonly<WorkflowEvent<ExampleParams>>, step: WorkflowStep): Promise<unknown> {
    const { workflow, audience, lifetimeSeconds } = event.payload;
    const issuer = this.env[`ISSUER_${identifier(workflow)}`] as IssuerBinding | undefined;
    if (!issuer) throw new Error(`no ISSUER_${identifier(workflow)} binding`);
    const issued = await step.do("get a token", { retries: { limit: 0, delay: 0 } }, async () => {
      const options = lifetimeSeconds === undefined ? undefined : { lifetimeSeconds };
      const result = await issuer.workflowToken(event.instanceId, audience, options);
      await this.env.RESULTS.put(`token/${event.instanceId}`, JSON.stringify(result));
      return { expiresAt: result.expiresAt };
    });
    const finish = await step.waitForEvent<{ outcome?: string }>("wait for the end", {
      type: "finish",
      timeout: "1 hour",
    });
    if (finish.payload.outcome === "error") throw new Error("asked to fail");
    return { expiresAt: issued.expiresAt };
  }
}

interface WorkflowBinding {
  create(options: { id?: string; params: ExampleParams }): Promise<{ id: string }>;
  get(id: string): Promise<{
    status(): Promise<{ status: string }>;
    sendEvent(event: { type: string; payload: unknown }): Promise<void>;
    terminate(): Promise<void>;
    pause(): Promise<void>;
    resume(): Promise<void>;
  }>;
}

export default {
  async fetch(request, env) {
    const match = /^\/workflows\/([^/]+)\/instances(?:\/([^/]+)(?:\/([a-z]+))?)?$/.exec(new URL(request.url).pathname);
    if (!match?.[1]) return Response.json({ error: "not found" }, { status: 404 });
    const name = decodeURIComponent(match[1]);
    const binding = env[`WORKFLOW_${identifier(name)}`] as WorkflowBinding | undefined;
    if (!binding) return Response.json({ error: `no workflow ${name} here` }, { status: 404 });
    const [id, action] = [match[2], match[3]];
    try {
      if (id === undefined && request.method === "POST") {
        const body = (await request.json()) as { id?: string; audience: string; lifetimeSeconds?: number };
        const params: ExampleParams = {
          workflow: name,
          audience: body.audience,
          ...(body.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: body.lifetimeSeconds }),
        };
        const instance = await binding.create({ ...(body.id === undefined ? {} : { id: body.id }), params });
        return Response.json({ id: instance.id });
      }
      if (id === undefined) return Response.json({ error: "POST to create an instance" }, { status: 405 });
      if (action === "token") {
        const stored = await env.RESULTS.get(`token/${id}`, "text");
        return stored === null ? Response.json({ error: "no token yet" }, { status: 404 }) : new Response(stored);
      }
      const instance = await binding.get(id);
      if (action === undefined) return Response.json(await instance.status());
      if (action === "finish") await instance.sendEvent({ type: "finish", payload: await request.json() });
      else if (action === "terminate") await instance.terminate();
      else if (action === "pause") await instance.pause();
      else if (action === "resume") await instance.resume();
      else return Response.json({ error: `unknown action ${action}` }, { status: 404 });
      return Response.json({ ok: true });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Env>;
