// Pieces the workerd tests share: a test Worker bundled as the one module Miniflare runs, and a
// fetch Response handed back to workerd as a service binding's answer.

import { basename } from "node:path";
import { Response as MiniflareResponse } from "miniflare";
import { bundleWorker } from "../../worker/build/bundle.js";

/** The Worker at `source` (a .ts file) bundled as Miniflare's one ES module, named `path`. */
export async function bundledModules(
  source: string,
  path: string = basename(source).replace(/\.ts$/, ".js"),
): Promise<{ type: "ESModule"; path: string; contents: string }[]> {
  return [{ type: "ESModule", path, contents: await bundleWorker(source) }];
}

/** `response` as a service binding answers workerd: its status and headers, and its body (none on a 304). */
export async function toMiniflareResponse(response: Response): Promise<MiniflareResponse> {
  const body = response.status === 304 ? null : await response.arrayBuffer();
  return new MiniflareResponse(body, { status: response.status, headers: Object.fromEntries(response.headers) });
}
