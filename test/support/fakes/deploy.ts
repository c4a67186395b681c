// One deploy against the fake cloud (engine.ts): it answers the Pulumi mocks' registrations and
// calls from the providers' fakes, acts on the resource options the program registers (protect,
// retainOnDelete, replaceOnChanges, deleteBeforeReplace, aliases) as Pulumi's engine does, and at
// finish() commits what it declared and returns the plan Pulumi would show.

import type * as pulumi from "@pulumi/pulumi";
import { awsFake } from "./aws.js";
import { azureFake } from "./azure.js";
import { certificateExpiry, cloudflareFake, MTLS_CERTIFICATE, WORKERS_SCRIPT } from "./cloudflare.js";
import { gcpFake, POOL, POOL_PROVIDER } from "./gcp.js";
import {
  type CloudflareScriptState,
  type DeployView,
  type FunctionFake,
  NO_OPTIONS,
  type Properties,
  type RegisteredOptions,
  type ResourceFake,
  type StoredResource,
} from "./model.js";
import type { OptionsSink, Registration } from "./monitor.js";
import { changedProperties, holdsSecret, unwrapSecrets } from "./properties.js";
import { randomFake } from "./random.js";
import { ProviderRefusal, type Refuser, refuser } from "./refusal.js";
import { checkReplacement, keyOf, protectedDeletion, replacesOnChange, StateClaims } from "./resource-options.js";
import { timeFake } from "./time.js";
import { vaultFake } from "./vault.js";

type MockResourceArgs = pulumi.runtime.MockResourceArgs;
type MockCallArgs = pulumi.runtime.MockCallArgs;

const PROVIDERS = [cloudflareFake, awsFake, gcpFake, azureFake, vaultFake, randomFake, timeFake];
const RESOURCES: Readonly<Record<string, ResourceFake>> = Object.assign({}, ...PROVIDERS.map((p) => p.resources));
const FUNCTIONS: Readonly<Record<string, FunctionFake>> = Object.assign({}, ...PROVIDERS.map((p) => p.functions));

export interface PlanEntry {
  readonly type: string;
  readonly name: string;
  /** Updated or replaced: the input properties that changed. */
  readonly properties?: readonly string[];
  /** Found in state under this name through an alias: the same resource, renamed. */
  readonly renamedFrom?: string;
  /** Replaced: Pulumi's default creates the new one first; deleteBeforeReplace deletes first. */
  readonly order?: "create-before-delete" | "delete-before-create";
}

export interface Plan {
  readonly nowMs: number;
  readonly created: readonly PlanEntry[];
  readonly updated: readonly PlanEntry[];
  readonly replaced: readonly PlanEntry[];
  readonly deleted: readonly PlanEntry[];
  /** Deleted or replaced with retainOnDelete: out of the stack's state, still in the account. */
  readonly retained: readonly PlanEntry[];
  readonly unchanged: readonly PlanEntry[];
  readonly refusals: readonly ProviderRefusal[];
  /** What the deploy did that it must never do (a live certificate deleted). */
  readonly violations: readonly string[];
}

export interface CloudState {
  readonly resources: ReadonlyMap<string, StoredResource>;
  readonly retained: readonly StoredResource[];
  readonly projects: Readonly<Record<string, string>>;
  readonly deletions: ReadonlyMap<string, number>;
  nextGeneration(key: string): number;
  bytes(label: string, length: number): Buffer;
  commit(
    resources: Map<string, StoredResource>,
    retained: readonly StoredResource[],
    generations: Map<string, number>,
    deletions: Map<string, number>,
  ): void;
}

interface Declared extends StoredResource {
  readonly change: "created" | "updated" | "replaced" | "unchanged";
  readonly properties: readonly string[];
  /** The state key it was found under, when an alias found it. */
  readonly renamedFrom?: string;
}

export class FakeDeploy implements DeployView, OptionsSink {
  readonly nowMs: number;
  readonly refusals: ProviderRefusal[] = [];
  /** Every registration the monitor answered, components included, in order. */
  readonly registrations: Registration[] = [];
  readonly #cloud: CloudState;
  readonly #declared = new Map<string, Declared>();
  readonly #options = new Map<string, RegisteredOptions>();
  readonly #dependencies = new Map<string, readonly string[]>();
  readonly #byUrn = new Map<string, Registration>();
  readonly #claims: StateClaims;
  #finished = false;
  #onRefusal: ((refusal: ProviderRefusal) => void)[] = [];

  constructor(cloud: { readonly state: CloudState }, nowMs: number) {
    this.#cloud = cloud.state;
    this.#claims = new StateClaims(this.#cloud.resources);
    this.nowMs = nowMs;
  }

  // ---- DeployView ----
  declared(type: string): readonly StoredResource[] {
    return [...this.#declared.values()].filter((r) => r.type === type);
  }
  committed(type: string): readonly StoredResource[] {
    return [...this.#cloud.resources.values(), ...this.#cloud.retained].filter((r) => r.type === type);
  }
  claimed(type: string): ReadonlySet<string> {
    return this.#claims.names(type);
  }
  bytes(label: string, length: number): Buffer {
    return this.#cloud.bytes(label, length);
  }
  created(type: string): readonly StoredResource[] {
    return [...this.#declared.values()].filter(
      (r) => r.type === type && (r.change === "created" || r.change === "replaced"),
    );
  }
  projectNumber(projectId: string): string | undefined {
    return Object.hasOwn(this.#cloud.projects, projectId) ? this.#cloud.projects[projectId] : undefined;
  }
  deletedAt(kind: "pool" | "provider", key: string): number | undefined {
    return this.#cloud.deletions.get(`${kind}:${key}`);
  }
  script(accountId: string, scriptName: string): CloudflareScriptState | undefined {
    const named = this.committed(WORKERS_SCRIPT).filter(
      (s) => s.inputs.accountId === accountId && s.inputs.scriptName === scriptName,
    );
    const script = named.find((s) => s.retained !== true) ?? named[0];
    if (script === undefined) return undefined;
    const tag = script.outputs.migrationTag;
    return {
      ...(typeof tag === "string" ? { migrationTag: tag } : {}),
      durableObjectClasses: (script.outputs.durableObjectClasses as string[] | undefined) ?? [],
    };
  }

  /** Resolves with the first refusal of this deploy (tests race it against the program's outputs). */
  refused(): Promise<ProviderRefusal> {
    const first = this.refusals[0];
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => this.#onRefusal.push(resolve));
  }

  #refuse(refusal: ProviderRefusal): never {
    this.refusals.push(refusal);
    for (const listener of this.#onRefusal.splice(0)) listener(refusal);
    throw refusal;
  }

  // ---- the mocks ----

  /** The monitor answered a registration (monitor.ts calls this after `register`). */
  registered(registration: Registration): void {
    this.registrations.push(registration);
    this.#byUrn.set(registration.urn, registration);
  }

  /** The URNs `type`/`name` waits for (monitor.ts calls this before `register`). */
  dependencies(type: string, name: string, urns: readonly string[]): void {
    this.#dependencies.set(keyOf(type, name), urns);
  }

  /** The resources this deploy declared that `key` waits for, directly or through what they wait for. */
  #waitsFor(key: string): StoredResource[] {
    const found: StoredResource[] = [];
    const seen = new Set<string>();
    const pending = [...(this.#dependencies.get(key) ?? [])];
    for (let urn = pending.pop(); urn !== undefined; urn = pending.pop()) {
      if (seen.has(urn)) continue;
      seen.add(urn);
      const registration = this.#byUrn.get(urn);
      if (registration === undefined) continue;
      const resource = this.#declared.get(keyOf(registration.type, registration.name));
      if (resource !== undefined) found.push(resource);
      pending.push(...registration.dependencies);
    }
    return found;
  }

  /** The options the program registered `type`/`name` with (monitor.ts calls this before `register`). */
  options(type: string, name: string, options: RegisteredOptions): void {
    this.#options.set(keyOf(type, name), options);
  }

  register(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    if (this.#finished) throw new Error(`${args.type} '${args.name}' was declared after the deploy finished`);
    if (args.custom === false || args.type.startsWith("pulumi:providers:"))
      return { id: undefined, state: args.inputs as Record<string, unknown> };
    const key = keyOf(args.type, args.name);
    const refusing: Refuser = refuser(key);
    const refuse = refusing.refuse;
    try {
      const fake = RESOURCES[args.type];
      if (fake === undefined)
        return refusing.refuse(
          `no fake models ${args.type}: add one under test/support/fakes/ before the program declares it`,
          "test/support/fakes (every declared type has a provider fake)",
        );
      if (args.id !== undefined && args.id !== "")
        refuse("reading or importing an existing resource is not modelled", "test/support/fakes");
      if (this.#declared.has(key))
        refuse(
          "Duplicate resource URN: declared twice in one program",
          "Pulumi engine: resource names are unique per type and parent",
        );
      const inputs = unwrapSecrets(args.inputs) as Properties;
      const options = this.#options.get(key) ?? NO_OPTIONS;
      const found = this.#claims.claim(key, options, (k) => this.#declared.has(k), refuse);
      const prior = found?.prior;
      const properties = prior === undefined ? [] : changedProperties(prior.inputs, inputs);
      const replacing =
        prior !== undefined &&
        (properties.some((p) => fake.replaceOn.includes(p)) || replacesOnChange(options.replaceOnChanges, properties));
      if (replacing) checkReplacement(key, prior, options, refuse);
      const generation =
        prior !== undefined && !replacing
          ? prior.generation
          : Math.max(this.#cloud.nextGeneration(key), (prior?.generation ?? 0) + 1);
      const outputs = fake.register({
        type: args.type,
        name: args.name,
        inputs,
        replacing,
        deleteBeforeReplace: options.deleteBeforeReplace,
        generation,
        deploy: this,
        refuse,
        waitsFor: () => this.#waitsFor(key),
        ...(prior !== undefined ? { prior } : {}),
      });
      const id =
        prior !== undefined && !replacing
          ? prior.id
          : generation === 1
            ? `${args.name}-id`
            : `${args.name}-id-${generation}`;
      const change =
        prior === undefined ? "created" : replacing ? "replaced" : properties.length > 0 ? "updated" : "unchanged";
      this.#declared.set(key, {
        type: args.type,
        name: args.name,
        id,
        inputs,
        outputs,
        generation,
        change,
        properties,
        options,
        ...(found !== undefined && found.key !== key ? { renamedFrom: found.key } : {}),
      });
      // Secret inputs stay secret in the outputs, as the engine keeps them.
      const state: Record<string, unknown> = { ...outputs };
      for (const [k, v] of Object.entries(args.inputs as Record<string, unknown>)) if (holdsSecret(v)) state[k] = v;
      return { id, state };
    } catch (error) {
      if (error instanceof ProviderRefusal) this.#refuse(error);
      throw error;
    }
  }

  call(args: MockCallArgs): Record<string, unknown> {
    const refusing: Refuser = refuser(args.token);
    const refuse = refusing.refuse;
    try {
      const fake = FUNCTIONS[args.token];
      if (fake === undefined)
        return refusing.refuse(
          `no fake answers the function ${args.token}: add one under test/support/fakes/ before the program calls it`,
          "test/support/fakes (every provider function the program calls has a fake)",
        );
      return fake(unwrapSecrets(args.inputs) as Properties, this, refuse);
    } catch (error) {
      if (error instanceof ProviderRefusal) this.#refuse(error);
      throw error;
    }
  }

  /**
   * Commits what the deploy declared and returns the plan. Deletes run last, and not at all after
   * a refusal; deleting a resource its state protects refuses the deploy (`pulumi destroy` too);
   * one deleted or replaced with retainOnDelete leaves the state and stays in the account.
   */
  finish(): Plan {
    if (this.#finished) throw new Error("the deploy has already finished");
    this.#finished = true;
    const declared = [...this.#declared.values()];
    const entry = (r: Declared): PlanEntry => ({
      type: r.type,
      name: r.name,
      ...(r.properties.length > 0 ? { properties: r.properties } : {}),
      ...(r.renamedFrom !== undefined ? { renamedFrom: r.renamedFrom.split("::").at(-1)! } : {}),
      ...(r.change === "replaced"
        ? { order: r.options?.deleteBeforeReplace === true ? "delete-before-create" : "create-before-delete" }
        : {}),
    });
    const unclaimed = [...this.#cloud.resources.entries()].filter(([key]) => !this.#claims.has(key)).map(([, r]) => r);
    if (this.refusals.length === 0) {
      for (const r of unclaimed) {
        const refusal = protectedDeletion(r);
        if (refusal !== undefined)
          this.refusals.push(new ProviderRefusal(keyOf(r.type, r.name), refusal.detail, refusal.source));
      }
    }
    const failed = this.refusals.length > 0;
    const removed = failed ? [] : unclaimed;
    const replacedPriors = failed
      ? []
      : declared
          .filter((r) => r.change === "replaced")
          .map((r) => this.#cloud.resources.get(r.renamedFrom ?? keyOf(r.type, r.name))!);

    const violations: string[] = [];
    const deletions = new Map<string, number>();
    const retained: StoredResource[] = [];
    for (const gone of [...removed, ...replacedPriors]) {
      // The old resource's own options decide, as the engine's delete step reads them from state.
      if (gone.options?.retainOnDelete === true) {
        retained.push(gone);
        continue;
      }
      if (gone.type === MTLS_CERTIFICATE) {
        const expiry = certificateExpiry(gone.outputs);
        if (expiry > this.nowMs) {
          violations.push(
            `MtlsCertificate '${gone.name}' (id ${gone.id}) deleted at ${new Date(this.nowMs).toISOString()} while valid until ${new Date(expiry).toISOString()}`,
          );
        }
      }
      if (gone.type === POOL)
        deletions.set(`pool:${String(gone.inputs.project)}/${String(gone.inputs.workloadIdentityPoolId)}`, this.nowMs);
      if (gone.type === POOL_PROVIDER) {
        deletions.set(
          `provider:${String(gone.inputs.project)}/${String(gone.inputs.workloadIdentityPoolId)}/${String(gone.inputs.workloadIdentityPoolProviderId)}`,
          this.nowMs,
        );
      }
    }
    const plan: Plan = {
      nowMs: this.nowMs,
      created: declared.filter((r) => r.change === "created").map(entry),
      updated: declared.filter((r) => r.change === "updated").map(entry),
      replaced: declared.filter((r) => r.change === "replaced").map(entry),
      deleted: removed.filter((r) => r.options?.retainOnDelete !== true).map((r) => ({ type: r.type, name: r.name })),
      retained: retained.map((r) => ({ type: r.type, name: r.name })),
      unchanged: declared.filter((r) => r.change === "unchanged").map(entry),
      refusals: [...this.refusals],
      violations,
    };
    const next = new Map<string, StoredResource>(failed ? this.#cloud.resources : []);
    const generations = new Map<string, number>();
    for (const r of declared) {
      const { change: _change, properties: _properties, renamedFrom, ...stored } = r;
      if (renamedFrom !== undefined) next.delete(renamedFrom);
      next.set(keyOf(r.type, r.name), stored);
      generations.set(keyOf(r.type, r.name), r.generation);
    }
    this.#cloud.commit(next, retained, generations, deletions);
    return plan;
  }
}
