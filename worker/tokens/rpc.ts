// The issuer's RPC surface, as types only: what a binding to an issuer entrypoint can call and
// what it gets back. The entrypoint class (worker/issuer/entrypoint.ts) implements IssuerRpc and
// the workload SDK (worker/sdk/issuer-token.ts) derives its binding type from it, so the two
// cannot drift apart without `tsc` failing. Nothing here runs: importing it pulls in no code.

export interface IssuedToken {
  readonly token: string;
  /** Seconds since the epoch: the token's `exp`. */
  readonly expiresAt: number;
}

export interface TokenOptions {
  /** A lifetime shorter than the workload's (or workflow's) default, in seconds. */
  readonly lifetimeSeconds?: number;
  /**
   * A newly signed token with its own `jti`, never one handed out before (the issuer otherwise
   * hands out a token again while half its life remains): for a relying party that accepts each
   * `jti` once, as the Claude API does with `check_jti`.
   */
  readonly fresh?: boolean;
}

/** The public methods of the issuer's entrypoints, callable by any service binding to them. */
export interface IssuerRpc {
  /** A token naming the calling workload, for `audience`. */
  token(audience: string, options?: TokenOptions): Promise<IssuedToken>;
  /**
   * A token for a running instance of the calling workflow (the binding names the workflow),
   * for `audience`: `sub` = workflow/<account_id>/<workflow>/<instanceId>.
   */
  workflowToken(instanceId: string, audience: string, options?: TokenOptions): Promise<IssuedToken>;
}
