// The fake cloud behind the Pulumi mocks: one state that carries every resource (ids, inputs,
// outputs, random values, certificates, Cloudflare scripts' migration tags) from one deploy to
// the next, and per deploy the plan Pulumi would show: created, updated (which properties),
// replaced (a change to a property the provider replaces on; Pulumi creates the replacement
// before it deletes the old one), deleted, plus what the providers refused and what a deploy
// must never do (delete an mTLS certificate before it expires). It acts on the resource options
// the program registers (monitor.ts hands them over) as Pulumi's engine does: protect,
// retainOnDelete, replaceOnChanges, deleteBeforeReplace and aliases.
// The deploy itself (the plan, the options it acts on): deploy.ts.

import { createHash } from "node:crypto";
import { type CloudState, FakeDeploy, type Plan } from "./deploy.js";
import { NO_OPTIONS, type Properties, type StoredResource } from "./model.js";
import { keyOf } from "./resource-options.js";

export { FakeDeploy, type Plan, type PlanEntry } from "./deploy.js";

/** The fake organization's projects (projectId → number): the dev stack's project is there. */
const PROJECTS: Readonly<Record<string, string>> = Object.freeze({ "example-identity-dev": "123456789012" });

/** Seeds every random value and id: every fake cloud generates the same values. */
const SEED = "worker-identity fake cloud";

export class FakeCloud {
  #resources = new Map<string, StoredResource>();
  #retained: StoredResource[] = [];
  readonly #generations = new Map<string, number>();
  readonly #deletions = new Map<string, number>();

  /** Starts a deploy at `nowMs`; its `finish()` commits what it declared and returns the plan. */
  begin(nowMs: number): FakeDeploy {
    return new FakeDeploy(this, nowMs);
  }

  resources(type?: string): StoredResource[] {
    return [...this.#resources.values()].filter((r) => type === undefined || r.type === type);
  }

  resource(type: string, name: string): StoredResource | undefined {
    return this.#resources.get(keyOf(type, name));
  }

  /** Resources the stack no longer manages that the account still holds (retainOnDelete). */
  retained(type?: string): StoredResource[] {
    return this.#retained.filter((r) => type === undefined || r.type === type);
  }

  /** `pulumi destroy`: a deploy that declares nothing. */
  destroy(nowMs: number): Plan {
    return this.begin(nowMs).finish();
  }

  /**
   * `pulumi state rename <urn> <new name>`: the same resource (id, inputs, outputs) under another
   * name in the stack's state, as a release that named it differently left it.
   */
  renameInState(type: string, from: string, to: string): void {
    const resource = this.resource(type, from);
    if (resource === undefined) throw new Error(`renameInState: the stack's state holds no ${type} '${from}'`);
    if (this.resource(type, to) !== undefined)
      throw new Error(`renameInState: the stack's state already holds a ${type} '${to}'`);
    this.#resources.delete(keyOf(type, from));
    this.#resources.set(keyOf(type, to), { ...resource, name: to });
  }

  /** `pulumi state unprotect <urn>`: the state no longer marks the resource protected. */
  unprotect(type: string, name: string): void {
    const resource = this.resource(type, name);
    if (resource === undefined) throw new Error(`unprotect: the stack's state holds no ${type} '${name}'`);
    this.#resources.set(keyOf(type, name), {
      ...resource,
      options: { ...(resource.options ?? NO_OPTIONS), protect: false },
    });
  }

  /** A change made outside Pulumi (wrangler, the dashboard): the provider's side of a resource now reads `outputs`. */
  changeOutside(type: string, name: string, outputs: Properties): void {
    const resource = this.resource(type, name);
    if (resource === undefined) throw new Error(`changeOutside: the cloud holds no ${type} '${name}'`);
    this.#resources.set(keyOf(type, name), { ...resource, outputs: { ...resource.outputs, ...outputs } });
  }

  /** @internal the deploy's view of the cloud. */
  get state(): CloudState {
    return {
      resources: this.#resources,
      retained: this.#retained,
      projects: PROJECTS,
      deletions: this.#deletions,
      nextGeneration: (key) => (this.#generations.get(key) ?? 0) + 1,
      bytes: (label, length) => {
        const out: Buffer[] = [];
        for (let i = 0; out.length * 32 < length; i++)
          out.push(createHash("sha256").update(`${SEED}\0${label}\0${i}`).digest());
        return Buffer.concat(out).subarray(0, length);
      },
      commit: (resources, retained, generations, deletions) => {
        this.#resources = resources;
        this.#retained = [...this.#retained, ...retained.map((r): StoredResource => ({ ...r, retained: true }))];
        for (const [key, generation] of generations) this.#generations.set(key, generation);
        for (const [key, at] of deletions) this.#deletions.set(key, at);
      },
    };
  }
}
