// Config keys as a user writes them: `worker-identity:workloads.billing.audiences[2]`, the path
// syntax of `pulumi config set --path`. Segments that this syntax cannot spell bare (dots,
// brackets, spaces, quotes) are written `["..."]`, as Pulumi accepts them.

const BARE_SEGMENT = /^[A-Za-z0-9_$-]+$/;

/** `<namespace>:<name>`, a top-level key of the stack file's `config:` map. */
export function topLevelKey(namespace: string, name: string): string {
  return `${namespace}:${name}`;
}

/** The key of a map member under `parent`. */
export function memberKey(parent: string, name: string): string {
  return BARE_SEGMENT.test(name) ? `${parent}.${name}` : `${parent}[${JSON.stringify(name)}]`;
}

/** The key of a list element under `parent`. */
export function elementKey(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
