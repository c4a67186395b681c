// The shape of one provider fake: the resource types it models, for each the properties whose
// change forces a replacement (from the provider's schema), the checks the real API makes, and the
// outputs it answers with. The engine (engine.ts) keeps state and computes each deploy's plan.

import type { Refuser } from "./refusal.js";

export type Properties = Record<string, unknown>;

/** A resource as the fake cloud holds it after a deploy. */
export interface StoredResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Properties;
  readonly outputs: Properties;
  /** Counts replacements: random values and ids are derived from it. */
  readonly generation: number;
}

/** What a check can see of the deploy under way. */
export interface DeployView {
  /** The deploy's clock, ms since the epoch. */
  readonly nowMs: number;
  /** Resources declared so far in this deploy (inputs as the provider received them). */
  declared(type: string): readonly StoredResource[];
  /** Resources the cloud held when the deploy started. */
  committed(type: string): readonly StoredResource[];
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
  /** The same resource as the previous deploy left it (undefined when it is new). */
  readonly prior?: StoredResource;
  /** True when this registration replaces `prior`. */
  readonly replacing: boolean;
  readonly generation: number;
  readonly deploy: DeployView;
  readonly refuse: Refuser["refuse"];
}

export interface ResourceFake {
  /** Input properties whose change makes the provider create a new resource (ForceNew / RequiresReplace). */
  readonly replaceOn: readonly string[];
  /** Throws ProviderRefusal for what the real provider refuses; returns the outputs. */
  register(context: RegisterContext): Properties;
}

export interface FunctionFake {
  (inputs: Properties, deploy: DeployView, refuse: Refuser["refuse"]): Properties;
}

export interface ProviderFake {
  readonly resources: Readonly<Record<string, ResourceFake>>;
  readonly functions: Readonly<Record<string, FunctionFake>>;
}
