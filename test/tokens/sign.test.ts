// The issuer's signer against jose's verifier (an independent implementation): both algorithms,
// the exact protected header, and claims with non-ASCII text surviving as UTF-8.

import assert from "node:assert/strict";
import { type CryptoKey, compactVerify, decodeProtectedHeader, generateKeyPair, jwtVerify } from "jose";
import type { SigningAlgorithm } from "../../worker/config/types.js";
import { signToken, type TokenSigningKey } from "../../worker/tokens/sign.js";

async function keyPair(alg: SigningAlgorithm): Promise<{ signing: TokenSigningKey; publicKey: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { signing: { kid: `kid-${crypto.randomUUID()}`, alg, key: privateKey }, publicKey };
}

describe("signToken", () => {
  for (const alg of ["RS256", "ES256"] as const) {
    it(`signs ${alg} tokens jose verifies, with exactly alg, kid and typ in the header`, async () => {
      const { signing, publicKey } = await keyPair(alg);
      const claims = {
        iss: "https://id.example",
        sub: "worker/a/b",
        aud: "x",
        iat: 1,
        exp: 4_000_000_000,
        team: "zürich ☃",
        n: [1, { m: null }],
      };
      const token = await signToken(claims, signing);
      assert.deepEqual(decodeProtectedHeader(token), { alg, kid: signing.kid, typ: "JWT" });
      const { payload } = await jwtVerify(token, publicKey, { algorithms: [alg] });
      assert.deepEqual(payload, claims);
      // A second token with the same key carries the same header and a signature of its own.
      const again = await signToken({ ...claims, jti: "2" }, signing);
      assert.equal(again.split(".")[0], token.split(".")[0]);
      assert.notEqual(again.split(".")[2], token.split(".")[2]);
    });
  }

  it("signs with the key it is given: another key's public half does not verify it", async () => {
    const first = await keyPair("ES256");
    const second = await keyPair("ES256");
    const token = await signToken({ sub: "s" }, first.signing);
    await assert.rejects(compactVerify(token, second.publicKey), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    await compactVerify(token, first.publicKey);
  });
});
