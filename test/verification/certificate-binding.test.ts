// Certificate-bound tokens at the verifier (RFC 8705 §3), as attacks: a bound token without its
// certificate, with another certificate, with a cnf the verifier cannot check, and the named
// opt-out. Thumbprints are computed here with node:crypto from certificate bytes, independently
// of the code under test; Cloudflare's hex fingerprint is converted by the code under test and
// compared with node's base64url of the same digest.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  createVerifier,
  thumbprintOfFingerprint,
  type VerificationError,
  type VerificationErrorCode,
  type Verifier,
} from "@worker-identity/verifier";
import { OptionsError } from "../../worker/options/options-error.js";
import { AUDIENCE, LocalIssuer, T0, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

/** x5t#S256 of some certificate bytes, and Cloudflare's spelling of the same digest. */
function certificate(): { readonly thumbprint: string; readonly hex: string } {
  const digest = createHash("sha256").update(randomBytes(300)).digest();
  return { thumbprint: digest.toString("base64url"), hex: digest.toString("hex") };
}

describe("verifier: certificate-bound tokens (RFC 8705 §3)", () => {
  let local: LocalIssuer;
  let verifier: Verifier;
  const now = T0 + 1_000;
  const mine = certificate();
  const other = certificate();

  before(async () => {
    local = await LocalIssuer.start([await testKey("ES256")]);
    verifier = createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => now });
  });
  after(() => local.stop());

  const bound = (cnf: unknown = { "x5t#S256": mine.thumbprint }) => local.sign(local.claims(now, { cnf }));

  async function refused(promise: Promise<unknown>, code: VerificationErrorCode): Promise<VerificationError> {
    const error = await refusedWith(promise, code);
    assert.equal(error.status, 401);
    return error;
  }

  it("refuses a bound token presented without a certificate (a stolen bearer copy)", async () => {
    const error = await refused(verifier.verify(await bound()), "ERR_TOKEN_CERTIFICATE_REQUIRED");
    assert.match(error.message, /mTLS/);
    assert.ok(!error.message.includes(mine.thumbprint), "the message names the bound thumbprint");
    await refused(verifier.verify(await bound(), {}), "ERR_TOKEN_CERTIFICATE_REQUIRED");
    await refused(
      verifier.verify(await bound(), { acceptBoundTokenWithoutCertificate: false }),
      "ERR_TOKEN_CERTIFICATE_REQUIRED",
    );
  });

  it("refuses a bound token presented with another certificate, even where the call opts out", async () => {
    for (const acceptBoundTokenWithoutCertificate of [false, true]) {
      await refused(
        verifier.verify(await bound(), { certificateThumbprint: other.thumbprint, acceptBoundTokenWithoutCertificate }),
        "ERR_TOKEN_CERTIFICATE_MISMATCH",
      );
    }
  });

  it("admits a bound token with its certificate, and says it was confirmed", async () => {
    const identity = await verifier.verify(await bound(), { certificateThumbprint: mine.thumbprint });
    assert.deepEqual(identity.certificate, { thumbprint: mine.thumbprint, confirmed: true });
  });

  it("admits a bound token without a certificate only where the call opts out by name, and says it was not confirmed", async () => {
    const identity = await verifier.verify(await bound(), { acceptBoundTokenWithoutCertificate: true });
    assert.deepEqual(identity.certificate, { thumbprint: mine.thumbprint, confirmed: false });
  });

  it("admits a bearer token (no cnf) with or without a certificate, and reports no binding", async () => {
    const token = await local.sign(local.claims(now));
    for (const presentation of [undefined, { certificateThumbprint: mine.thumbprint }]) {
      assert.equal((await verifier.verify(token, presentation)).certificate, undefined);
    }
  });

  it("refuses a cnf it cannot check rather than treating the token as a bearer token", async () => {
    const cases: unknown[] = [
      "not-an-object",
      null,
      [mine.thumbprint],
      {},
      { jkt: mine.thumbprint },
      { "x5t#S256": 42 },
      { "x5t#S256": mine.thumbprint.slice(0, 42) },
      { "x5t#S256": `${mine.thumbprint}=` },
      { "x5t#S256": mine.hex },
    ];
    for (const cnf of cases) {
      for (const presentation of [
        { acceptBoundTokenWithoutCertificate: true },
        { certificateThumbprint: mine.thumbprint },
      ]) {
        await refused(verifier.verify(await bound(cnf), presentation), "ERR_TOKEN_CLAIMS");
      }
    }
  });

  it("checks the expiry before the binding, so an expired stolen token reads as expired", async () => {
    const expired = await local.sign(local.claims(now - 7_200_000, { cnf: { "x5t#S256": mine.thumbprint } }));
    await refused(verifier.verify(expired), "ERR_TOKEN_EXPIRED");
  });

  it("refuses a misused presentation with an OptionsError (a TypeError) naming the field", async () => {
    const token = await bound();
    const misuses: [unknown, RegExp][] = [
      [{ certificateThumbprint: mine.hex }, /certificateThumbprint .*thumbprintOfFingerprint/],
      [{ certificateThumbprint: "" }, /certificateThumbprint/],
      [{ acceptBoundTokenWithoutCertificate: "yes" }, /acceptBoundTokenWithoutCertificate must be true or false/],
      [{ certificate: mine.thumbprint }, /certificate is not a presentation field/],
      [new Map([["certificateThumbprint", mine.thumbprint]]), /plain object/],
      ["thumbprint", /plain object/],
    ];
    for (const [presentation, message] of misuses) {
      await assert.rejects(
        verifier.verify(token, presentation as never),
        (e: unknown) =>
          e instanceof OptionsError &&
          e.code === "ERR_INVALID_OPTIONS" &&
          e.issues.length === 1 &&
          message.test(e.message),
      );
    }
  });

  it("converts Cloudflare's hex SHA-256 fingerprint to the x5t#S256 a token carries, and nothing else", () => {
    for (const { hex, thumbprint } of [mine, other]) {
      assert.equal(thumbprintOfFingerprint(hex), thumbprint);
      assert.equal(thumbprintOfFingerprint(hex.toUpperCase()), thumbprint);
    }
    for (const bad of [
      undefined,
      "",
      mine.hex.slice(2),
      `${mine.hex}00`,
      `${mine.hex.slice(0, 62)}zz`,
      mine.thumbprint,
      42,
      `${mine.hex}${mine.hex}`,
    ]) {
      assert.equal(thumbprintOfFingerprint(bad), undefined, String(bad));
    }
  });
});
