// Verification with a warm JWKS: the verifier against raw WebCrypto verification of the same
// token with the same key, and against the seed-003 pattern (a remote key set built per request).

import { compare, throughputRow, type Measurement } from "./measure.js";
import { driver, workloadBindings } from "./drivers.js";
import { startStack } from "./stack.js";

export async function measureVerification(port: number): Promise<Measurement[]> {
  const stack = await startStack({
    algorithm: "RS256",
    port,
    drivers: async (context) => [
      await driver({ name: "bench-verify", source: "verify-driver.ts", routes: ["*/bench-verify/*"], ...workloadBindings(context) }),
    ],
  });
  const { mf, issuerUrl: url } = stack;
  try {
    const [verified, raw] = await compare(mf, url, { path: "bench-verify/verifier" }, { path: "bench-verify/raw" });
    const [verifiedAgain, seed003] = await compare(mf, url, { path: "bench-verify/verifier" }, { path: "bench-verify/seed003" });
    return [
      throughputRow("verification, warm JWKS (verifier)", verified, "raw WebCrypto RS256 verification", raw, 0.7),
      throughputRow("verification, warm JWKS (verifier)", verifiedAgain, "seed-003: remote key set per request", seed003, 20),
    ];
  } finally {
    await stack.dispose();
  }
}
