// The local stack with the issuer's PUBLISHED binding wrapped so that every KV read rejects while
// writes reach the real namespace (bound to the wrapper as INNER): the key store still publishes,
// and every reader of a published document meets a failing KV.

import { Miniflare, type WorkerOptions } from "miniflare";
import { type LocalStackInput, localStack } from "../../worker/local/stack.js";
import { collectRuntimeLines } from "./runtime-logs.js";

export const FAILING_READS_KV_WORKER = "failing-reads-kv";

const FAILING_READS_KV = `
export default function (env) {
  const refuse = () => Promise.reject(new Error("KV read refused (test)"));
  return {
    get: refuse,
    getWithMetadata: refuse,
    list: refuse,
    put: (...args) => env.INNER.put(...args),
    delete: (...args) => env.INNER.delete(...args),
  };
}
`;

/** Starts `input`'s local stack with PUBLISHED's reads failing; runtime output lines go to `logs`. */
export async function startWithFailingKvReads(input: LocalStackInput, logs: string[]): Promise<Miniflare> {
  const { options } = await localStack(input);
  const [issuer, ...others] = options.workers as WorkerOptions[];
  const namespaces = issuer?.kvNamespaces as Record<string, string> | undefined;
  if (issuer === undefined || namespaces?.PUBLISHED === undefined)
    throw new Error("the local stack binds no PUBLISHED KV");
  const { kvNamespaces: _, ...rest } = issuer;
  const wrapper: WorkerOptions = {
    name: FAILING_READS_KV_WORKER,
    modules: [{ type: "ESModule", path: "kv.js", contents: FAILING_READS_KV }],
    kvNamespaces: { INNER: namespaces.PUBLISHED },
  };
  const mf = new Miniflare({
    ...options,
    workers: [{ ...rest, wrappedBindings: { PUBLISHED: { scriptName: FAILING_READS_KV_WORKER } } }, wrapper, ...others],
    handleRuntimeStdio: collectRuntimeLines(logs),
  });
  await mf.ready;
  return mf;
}
