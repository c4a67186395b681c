// Every algorithm the verifier can allow, signed by jose (an independent signer) and verified by
// our WebCrypto path: a valid token passes, the same token with one signature bit flipped fails,
// and a token cannot borrow a key of another algorithm under the same kid.

import assert from "node:assert/strict";
import { createVerifier, type VerificationErrorCode, type Verifier } from "@worker-identity/verifier";
import { AUDIENCE, LocalIssuer, T0, type TestAlgorithm, type TestKey, testKey } from "./local-issuer.js";
import { verificationError } from "./refusals.js";

const ALGORITHMS: TestAlgorithm[] = ["RS256", "ES256", "PS256", "EdDSA"];

async function refusal(promise: Promise<unknown>): Promise<VerificationErrorCode> {
  return (await verificationError(promise)).code;
}

function flipSignatureBit(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const bytes = Buffer.from(signature, "base64url");
  bytes[bytes.length >> 1]! ^= 0x01;
  return `${header}.${payload}.${bytes.toString("base64url")}`;
}

describe("verifier: signature algorithms", () => {
  for (const alg of ALGORITHMS) {
    describe(alg, () => {
      let local: LocalIssuer;
      before(async () => {
        local = await LocalIssuer.start([await testKey(alg)]);
      });
      after(() => local.stop());

      it("verifies a token jose signed", async () => {
        const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, algorithms: [alg], now: () => T0 });
        const claims = local.claims(T0);
        const identity = await verifier.verify(await local.sign(claims));
        assert.equal(identity.header.alg, alg);
        assert.equal(identity.jti, claims.jti);
      });

      it("refuses the same token with one signature bit flipped", async () => {
        const verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, algorithms: [alg], now: () => T0 });
        const token = flipSignatureBit(await local.sign(local.claims(T0)));
        assert.equal(await refusal(verifier.verify(token)), "ERR_TOKEN_SIGNATURE");
      });
    });
  }

  /** Runs `test` with a verifier allowing RS256 and PS256, against an issuer publishing `key`. */
  async function withRsaVerifier(key: TestKey, test: (verifier: Verifier, local: LocalIssuer) => Promise<void>) {
    const local = await LocalIssuer.start([key]);
    try {
      await test(
        createVerifier({ issuer: local.issuer, audience: AUDIENCE, algorithms: ["RS256", "PS256"], now: () => T0 }),
        local,
      );
    } finally {
      await local.stop();
    }
  }

  it("refuses a PS256 token under a kid whose key declares RS256", async () => {
    const pss = await testKey("PS256");
    await withRsaVerifier({ ...pss, publicJwk: { ...pss.publicJwk, alg: "RS256" } }, async (verifier, local) => {
      assert.equal(await refusal(verifier.verify(await local.sign(local.claims(T0), pss))), "ERR_TOKEN_ALGORITHM");
    });
  });

  it("does not pass a PSS signature off as RS256 under a key that declares no alg", async () => {
    const pss = await testKey("PS256");
    const { alg: _declared, ...undeclared } = pss.publicJwk;
    await withRsaVerifier({ ...pss, publicJwk: undeclared }, async (verifier, local) => {
      const payload = Buffer.from(JSON.stringify(local.claims(T0))).toString("base64url");
      const pssSigned = async (alg: string) => {
        const input = `${Buffer.from(JSON.stringify({ alg, kid: pss.kid, typ: "JWT" })).toString("base64url")}.${payload}`;
        const signature = await crypto.subtle.sign(
          { name: "RSA-PSS", saltLength: 32 },
          pss.privateKey,
          new TextEncoder().encode(input),
        );
        return `${input}.${Buffer.from(signature).toString("base64url")}`;
      };
      assert.equal(await refusal(verifier.verify(await pssSigned("RS256"))), "ERR_TOKEN_SIGNATURE");
      // The same signing under its true name passes: the refusal above is the algorithm's.
      assert.equal((await verifier.verify(await pssSigned("PS256"))).header.alg, "PS256");
    });
  });
});
