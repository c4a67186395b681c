#!/usr/bin/env node
// The `wid` command of @worker-identity/cli. An installed package runs its bundle, ../dist/main.js;
// a checkout, where nothing is built, runs the TypeScript source through tsx. Only that bundle's
// absence falls back: a bundle that fails to load for any other reason says so.

import module from "node:module";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/main.js", import.meta.url);
const SOURCE_CONDITION_HOOK = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "@worker-identity/source"] });
}`;

async function loadMain() {
  try {
    return await import(bundle.href);
  } catch (error) {
    if (!isMissing(error, bundle)) throw error;
  }
  const { register } = await import("tsx/esm/api");
  register();
  // The workspace packages the source imports resolve to their TypeScript sources, as under the
  // npm scripts' --conditions=@worker-identity/source; registered last, this hook runs first.
  module.register(`data:text/javascript,${encodeURIComponent(SOURCE_CONDITION_HOOK)}`);
  return import(new URL("../main.ts", import.meta.url).href);
}

/** Node's ERR_MODULE_NOT_FOUND for that very file, not for a module the bundle imports. */
function isMissing(error, url) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") return false;
  if (error.url !== undefined) return error.url === url.href;
  return String(error.message).includes(`'${fileURLToPath(url)}'`);
}

const { run } = await loadMain();
process.exitCode = await run(process.argv.slice(2));
