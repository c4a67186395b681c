#!/usr/bin/env node
// The `wid` command of @worker-identity/cli. A checkout (the TypeScript source beside this folder)
// runs the source through tsx, even when a dist/ was built, so it never runs a stale bundle; an
// installed package, which ships no source, runs its bundle ../dist/main.js.

import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

const source = new URL("../main.ts", import.meta.url);
const bundle = new URL("../dist/main.js", import.meta.url);
const SOURCE_CONDITION_HOOK = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "@worker-identity/source"] });
}`;

async function loadMain() {
  if (!existsSync(fileURLToPath(source))) return import(bundle.href);
  const { register } = await import("tsx/esm/api");
  register();
  // The workspace packages the source imports resolve to their TypeScript sources, as under the
  // npm scripts' --conditions=@worker-identity/source; registered last, this hook runs first.
  module.register(`data:text/javascript,${encodeURIComponent(SOURCE_CONDITION_HOOK)}`);
  return import(source.href);
}

const { run } = await loadMain();
process.exitCode = await run(process.argv.slice(2));
