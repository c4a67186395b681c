// The workload-facing RPC surface. Public methods of this class are callable by any service
// binding to it, so it holds nothing but `token` and `workflowToken` (IssuerRpc, declared in
// tokens/rpc.ts); the work happens in tokens/issue.ts and workflows/issue.ts. Per-workload and
// per-workflow subclasses are generated into the bundle (worker/build/entrypoints.ts) and set the
// static `workload` or `workflow`.

import { WorkerEntrypoint } from "cloudflare:workers";
import type { IssuerEnv } from "../bindings/env.js";
import { issueWorkloadToken } from "../tokens/issue.js";
import type { IssuedToken, IssuerRpc, TokenOptions } from "../tokens/rpc.js";
import { instanceStatus } from "../workflows/instance.js";
import { issueWorkflowToken } from "../workflows/issue.js";
import { type BindingIdentity, refuseWorkflowBindingForToken, resolveWorkflow, resolveWorkload } from "./identity.js";
import { issueLoggingRefusals } from "./issuance.js";

export class Issuer extends WorkerEntrypoint<IssuerEnv> implements IssuerRpc {
  /** The workload a generated per-workload entrypoint stands for; the generic entrypoint reads props. */
  static readonly workload: string | undefined = undefined;
  /** The workflow a generated per-workflow entrypoint stands for. */
  static readonly workflow: string | undefined = undefined;

  /** A token naming the calling workload, for `audience`. */
  async token(audience: string, options?: TokenOptions): Promise<IssuedToken> {
    const request = { requester: "workload", channel: "rpc", audience, waitUntil: this.#waitUntil } as const;
    return issueLoggingRefusals(this.env, request, ({ config, named, context }) => {
      refuseWorkflowBindingForToken(this.#binding());
      const workload = resolveWorkload(config, (this.constructor as typeof Issuer).workload, this.ctx.props);
      named(workload);
      const { certificateThumbprint } = workload;
      return issueWorkloadToken(
        { ...context(), ...(certificateThumbprint === undefined ? {} : { certificateThumbprint }) },
        workload,
        audience,
        options,
      );
    });
  }

  /**
   * A token for a running instance of the calling workflow (the binding names the workflow),
   * for `audience`: `sub` = workflow/<account_id>/<workflow>/<instanceId>.
   */
  async workflowToken(instanceId: string, audience: string, options?: TokenOptions): Promise<IssuedToken> {
    const request = { requester: "workflow", channel: "workflow", audience, waitUntil: this.#waitUntil } as const;
    return issueLoggingRefusals(this.env, request, ({ config, named, context }) => {
      const workflow = resolveWorkflow(config, this.#binding());
      named(workflow);
      return issueWorkflowToken(
        { ...context(), instanceStatus: (wf, id) => instanceStatus(this.env, wf, id) },
        workflow,
        instanceId,
        audience,
        options,
      );
    });
  }

  /** The issuance log's sends outlive the answer (worker/activity/reporter.ts). */
  readonly #waitUntil = (promise: Promise<unknown>): void => this.ctx.waitUntil(promise);

  #binding(): BindingIdentity {
    const entrypoint = this.constructor as typeof Issuer;
    return { workload: entrypoint.workload, workflow: entrypoint.workflow, props: this.ctx.props };
  }
}
