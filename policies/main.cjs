// Entry point of the pack for Pulumi's policy runner (@pulumi/pulumi/cmd/run-policy-pack), which
// loads a pack with require() and registers only ts-node. The pack is ESM TypeScript like the
// rest of this repository, so this CommonJS shim registers tsx's ESM loader and imports it; the
// runner awaits the exported promise, so a pack that fails to load fails the preview.
// (tsx's `register` is imported as ESM: its CommonJS build resolves its own loader wrongly.)
// source-condition.mjs is registered after tsx, so it runs first and hands tsx the workspace
// packages' source condition: no `dist/` build is needed (a fresh `npm ci` has none).
const { register: registerHooks } = require("node:module");
const { pathToFileURL } = require("node:url");

module.exports = import("tsx/esm/api").then(({ register }) => {
  register();
  registerHooks("./source-condition.mjs", pathToFileURL(__filename));
  return import("./index.ts");
});
