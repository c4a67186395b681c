// Entry point of the pack for Pulumi's policy runner (@pulumi/pulumi/cmd/run-policy-pack), which
// loads a pack with require() and registers only ts-node. The pack is ESM TypeScript like the
// rest of this repository, so this CommonJS shim registers tsx's ESM loader and imports it; the
// runner awaits the exported promise, so a pack that fails to load fails the preview.
// (tsx's `register` is imported as ESM: its CommonJS build resolves its own loader wrongly.)
module.exports = import("tsx/esm/api").then(({ register }) => {
  register();
  return import("./index.ts");
});
