// What Pulumi's engine decides from a resource's registered options, in its own words: which
// state entry a resource is (its URN, else the first alias found in state, each claimed by one
// resource only), whether a change replaces under replaceOnChanges, and the refusals of a
// protected resource's replacement or deletion. The fake engine (engine.ts) applies them.

import type { RegisteredOptions, StoredResource } from "./model.js";
import type { Refuser } from "./refusal.js";

/** The fakes' stand-in for a URN: resources are unique per type and name. */
export const keyOf = (type: string, name: string) => `${type}::${name}`;

const PROTECT_SOURCE = "Pulumi engine: protect (pkg/resource/deploy step_generator.go, step.go)";
const ALIAS_SOURCE =
  "Pulumi engine: an alias may be claimed by one resource only (sdk/go/common/diag errors.go 2008, 2016)";

/** Whether a change to `properties` replaces under `replaceOnChanges` (a path counts by its top-level property). */
export function replacesOnChange(replaceOnChanges: readonly string[], properties: readonly string[]): boolean {
  const tops = replaceOnChanges.map((path) => path.split(/[.[]/)[0]);
  return properties.some((p) => tops.includes("*") || tops.includes(p));
}

/** Refuses a replacement the state and the program both protect (unprotecting in the program and replacing in one update is allowed). */
export function checkReplacement(
  key: string,
  prior: StoredResource,
  options: RegisteredOptions,
  refuse: Refuser["refuse"],
): void {
  if (prior.options?.protect === true && options.protect) {
    refuse(
      `unable to replace resource "${key}"\nas it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``,
      PROTECT_SOURCE,
    );
  }
}

/** The refusal of deleting a resource its state protects, or undefined. */
export function protectedDeletion(
  resource: StoredResource,
): { readonly detail: string; readonly source: string } | undefined {
  if (resource.options?.protect !== true) return undefined;
  const key = keyOf(resource.type, resource.name);
  return {
    detail: `resource "${key}" cannot be deleted\nbecause it is protected. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${key}'\``,
    source: PROTECT_SOURCE,
  };
}

/** Which state entries a deploy's declarations take over, by URN or alias. */
export class StateClaims {
  /** State key → the key of the declared resource that took it over. */
  readonly #claims = new Map<string, string>();

  constructor(readonly state: ReadonlyMap<string, StoredResource>) {}

  /** The prior state of `key`: under its own key, else under the first alias state holds, claimed for it. */
  claim(
    key: string,
    options: RegisteredOptions,
    isDeclared: (key: string) => boolean,
    refuse: Refuser["refuse"],
  ): { readonly key: string; readonly prior: StoredResource } | undefined {
    const claimer = this.#claims.get(key);
    if (claimer !== undefined)
      refuse(`Duplicate resource URN '${key}' conflicting with alias on resource with URN '${claimer}'`, ALIAS_SOURCE);
    const own = this.state.get(key);
    if (own !== undefined) {
      this.#claims.set(key, key);
      return { key, prior: own };
    }
    for (const alias of options.aliases) {
      const aliasKey = keyOf(alias.type, alias.name);
      const prior = this.state.get(aliasKey);
      if (prior === undefined) continue;
      const other = isDeclared(aliasKey) ? aliasKey : this.#claims.get(aliasKey);
      if (other !== undefined)
        refuse(
          `Duplicate resource alias '${aliasKey}' applied to resource with URN '${key}' conflicting with resource with URN '${other}'`,
          ALIAS_SOURCE,
        );
      this.#claims.set(aliasKey, key);
      return { key: aliasKey, prior };
    }
    return undefined;
  }

  has(stateKey: string): boolean {
    return this.#claims.has(stateKey);
  }

  /** Names of the claimed state entries of `type`. */
  names(type: string): ReadonlySet<string> {
    return new Set(
      [...this.#claims.keys()]
        .map((key) => this.state.get(key)!)
        .filter((r) => r.type === type)
        .map((r) => r.name),
    );
  }
}
