// A Node resolve hook for the policy pack (registered by main.cjs): every import resolves with the
// `@worker-identity/source` condition too, so the workspace packages the pack reaches through the
// config kernel (`@worker-identity/verifier`, say) load from their TypeScript sources, as they do
// for the program (Pulumi.yaml's nodeargs) and the tests (.mocharc.json). Without it they resolve
// to their `dist/` builds, which a fresh `npm ci` does not make.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes("@worker-identity/source")
    ? context.conditions
    : [...context.conditions, "@worker-identity/source"];
  return nextResolve(specifier, { ...context, conditions });
}
