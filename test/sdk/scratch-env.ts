import { Miniflare } from "miniflare";
const mf = new Miniflare({ workers: [
 { name: "a", modules: true, script: `let last; let lastEnv; export default { async fetch(req, env) { const same = last === env.B; const sameEnv = lastEnv === env; last = env.B; lastEnv = env; const wm = new WeakMap(); wm.set(env.B, 1); return new Response(JSON.stringify({same, sameEnv, t: typeof env.B})); } }`, serviceBindings: { B: "b" }, compatibilityDate: "2026-04-01" },
 { name: "b", modules: true, script: `export default { fetch() { return new Response("b"); } }`, compatibilityDate: "2026-04-01" },
]});
for (let i = 0; i < 3; i++) console.log(await (await mf.dispatchFetch("http://x/")).text());
await mf.dispose();
