// The shape of one provider fake: the resource types it models, for each the properties whose
// change forces a replacement (from the provider's schema), the checks the real API makes, and the
// outputs it answers with. The engine (engine.ts) keeps state and computes each deploy's plan.

import type { Refuser } from "./refusal.js";

export type Properties = Record<string, unknown>;

/** The resource options the Pulumi engine acts on, as the program registered them. */
export interface RegisteredOptions {
  /** Replacing or deleting the resource is refused while its state says so. */
  readonly protect: boolean;
  /** Deleting (or replacing) removes it from the stack and leaves it in the account. */
  readonly retainOnDelete: boolean;
  /** Input properties whose change replaces, beyond the provider's own ("*": any). */
  readonly replaceOnChanges: readonly string[];
  /** A replacement deletes the old resource before it creates the new one. */
  readonly deleteBeforeReplace: boolean;
  /** Earlier identities: a resource of that type and name in state is this one, renamed. */
  readonly aliases: readonly { readonly type: string; readonly name: string }[];
}

export const NO_OPTIONS: RegisteredOptions = Object.freeze({
  protect: false,
  retainOnDelete: false,
  replaceOnChanges: [],
  deleteBeforeReplace: false,
  aliases: [],
});

/** A resource as the fake cloud holds it after a deploy. */
export interface StoredResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Properties;
  readonly outputs: Properties;
  /** Counts replacements: random values and ids are derived from it. */
  readonly generation: number;
  /** As last registered (the engine keeps them in state); none for a resource declared without. */
  readonly options?: RegisteredOptions;
  /** Out of the stack's state but still in the account (deleted with retainOnDelete). */
  readonly retained?: true;
}

/** What a check can see of the deploy under way. */
export interface DeployView {
  /** The deploy's clock, ms since the epoch. */
  readonly nowMs: number;
  /** Resources declared so far in this deploy (inputs as the provider received them). */
  declared(type: string): readonly StoredResource[];
  /** Resources this deploy creates: new ones and replacements (what eventual consistency bites). */
  created(type: string): readonly StoredResource[];
  /** Resources the account held when the deploy started: the stack's, and those it retained. */
  committed(type: string): readonly StoredResource[];
  /** Names of committed resources this deploy has declared so far, under their name or an alias. */
  claimed(type: string): ReadonlySet<string>;
  /** Deterministic bytes for a resource generation (random values, ids). */
  bytes(label: string, length: number): Buffer;
  /** GCP projects the fake organization holds: projectId → project number. */
  projectNumber(projectId: string): string | undefined;
  /** When a GCP pool or provider id was deleted (ms), if it was. */
  deletedAt(kind: "pool" | "provider", key: string): number | undefined;
  /** The Cloudflare script as the account holds it when the deploy started. */
  script(accountId: string, scriptName: string): CloudflareScriptState | undefined;
}

export interface CloudflareScriptState {
  readonly migrationTag?: string;
  /** Durable Object classes created by the script's migrations. */
  readonly durableObjectClasses: readonly string[];
}

export interface RegisterContext {
  readonly type: string;
  readonly name: string;
  readonly inputs: Properties;
  /** The same resource as the previous deploy left it, found by name or alias (undefined when it is new). */
  readonly prior?: StoredResource;
  /** True when this registration replaces `prior`. */
  readonly replacing: boolean;
  /** The replacement deletes `prior` first (deleteBeforeReplace), so nothing of it remains. */
  readonly deleteBeforeReplace: boolean;
  readonly generation: number;
  readonly deploy: DeployView;
  /** The resources declared in this deploy that this one waits for, directly or transitively (its inputs' and dependsOn's). */
  waitsFor(): readonly StoredResource[];
  readonly refuse: Refuser["refuse"];
}

export interface ResourceFake {
  /** Input properties whose change makes the provider create a new resource (ForceNew / RequiresReplace). */
  readonly replaceOn: readonly string[];
  /** Throws ProviderRefusal for what the real provider refuses; returns the outputs. */
  register(context: RegisterContext): Properties;
}

export type FunctionFake = (inputs: Properties, deploy: DeployView, refuse: Refuser["refuse"]) => Properties;

export interface ProviderFake {
  readonly resources: Readonly<Record<string, ResourceFake>>;
  readonly functions: Readonly<Record<string, FunctionFake>>;
}
