// Verification with a warm JWKS, in workerd: the verifier against raw WebCrypto verification of
// the same token with the same key, for a token it has seen (the common case: workloads reuse
// their tokens) and for tokens it has not; and against the seed-003 pattern (a remote key set
// built per request). Verifications are fast next to a request, so rounds are long enough that
// the request's own overhead does not blur the ratio.

import { driver, workloadBindings } from "./drivers.js";
import { compare, type Measurement, throughputRow } from "./measure.js";
import { startStack } from "./stack.js";

const OPS_PER_ROUND = 2_000;
const SEED003_OPS_PER_ROUND = 1_000;

export async function measureVerification(port: number): Promise<Measurement[]> {
  const stack = await startStack({
    algorithm: "RS256",
    port,
    drivers: async (context) => [
      await driver({
        name: "bench-verify",
        source: "verify-driver.ts",
        routes: ["*/bench-verify/*"],
        ...workloadBindings(context),
      }),
    ],
  });
  const { mf, issuerUrl: url } = stack;
  try {
    const raw = { path: "bench-verify/raw" };
    const [known, rawForKnown] = await compare(mf, url, { path: "bench-verify/verifier" }, raw, OPS_PER_ROUND);
    const [distinct, rawForDistinct] = await compare(mf, url, { path: "bench-verify/distinct" }, raw, OPS_PER_ROUND);
    const [distinctAgain, jose] = await compare(
      mf,
      url,
      { path: "bench-verify/distinct" },
      { path: "bench-verify/jose" },
      OPS_PER_ROUND,
    );
    const [againstSeed, seed003] = await compare(
      mf,
      url,
      { path: "bench-verify/verifier" },
      { path: "bench-verify/seed003" },
      SEED003_OPS_PER_ROUND,
    );
    return [
      throughputRow(
        "verification, warm JWKS, a token seen before (verifier)",
        known,
        "raw WebCrypto RS256 verification",
        rawForKnown,
        0.7,
      ),
      throughputRow(
        "verification, warm JWKS, every token new (verifier)",
        distinct,
        "raw WebCrypto RS256 verification",
        rawForDistinct,
        0.7,
      ),
      {
        ...throughputRow(
          "verification, every token new (verifier)",
          distinctAgain,
          "jose jwtVerify, key in hand (reference)",
          jose,
          0,
        ),
        target: "report",
      },
      throughputRow(
        "verification, warm JWKS, a token seen before (verifier)",
        againstSeed,
        "seed-003: remote key set per request",
        seed003,
        20,
      ),
    ];
  } finally {
    await stack.dispose();
  }
}
