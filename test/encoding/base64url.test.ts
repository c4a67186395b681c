// The base64url encoder and decoder against Node's (an independent implementation), and the
// decoder's refusals: anything but the canonical unpadded URL-safe spelling of some bytes. The
// native paths (Uint8Array.fromBase64 / toBase64) run where the runtime has them: in workerd,
// the hostile-token suite and every issuer test exercise them.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeBase64url,
  decodeBase64urlPortable,
  encodeBase64url,
  encodeBase64urlPortable,
} from "../../worker/encoding/base64url.js";

describe("base64url encoding", () => {
  it("encodes as Node does, for every length and byte", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const expected = Buffer.from(bytes).toString("base64url");
        assert.equal(encodeBase64url(bytes), expected);
        assert.equal(encodeBase64urlPortable(bytes), expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("base64url decoding", () => {
  it("decodes what Node encodes, for every length and byte", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString("base64url");
        assert.deepEqual(decodeBase64url(encoded), new Uint8Array(bytes));
        assert.deepEqual(decodeBase64urlPortable(encoded), new Uint8Array(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every spelling of the same bytes but the canonical one", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((b) => b.length % 3 !== 0),
        (bytes) => {
          const canonical = Buffer.from(bytes).toString("base64url");
          const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
          let spellings = 0;
          for (const last of alphabet) {
            const spelling = canonical.slice(0, -1) + last;
            // Node ignores the unused bits, so these all decode to the same bytes there.
            if (spelling === canonical || !Buffer.from(spelling, "base64url").equals(Buffer.from(bytes))) continue;
            spellings++;
            assert.equal(decodeBase64url(spelling), undefined, spelling);
          }
          assert.equal(spellings, bytes.length % 3 === 1 ? 15 : 3);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses padding, the standard alphabet, whitespace, non-ASCII and impossible lengths", () => {
    for (const text of ["YQ==", "YQ=", "+/8", "a b", "YWJj\n", "YWé", "Y", "YWJjZ", "\u0000\u0000"]) {
      assert.equal(decodeBase64url(text), undefined, JSON.stringify(text));
    }
  });

  it("decodes the empty string to no bytes", () => {
    assert.deepEqual(decodeBase64url(""), new Uint8Array(0));
  });
});
