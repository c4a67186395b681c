// Every way a token is refused, against a local issuer whose keys the test holds, so that each
// token differs from a valid one in exactly one respect. Every refusal is also checked for the
// message rule: no segment of the token and no claim value from it appears in the message.

import assert from "node:assert/strict";
import {
  createVerifier,
  type VerificationError,
  type VerificationErrorCode,
  type Verifier,
  type VerifierOptions,
} from "@worker-identity/verifier";
import { compactVerify, importJWK, type JWTPayload, SignJWT } from "jose";
import { ACCOUNT, AUDIENCE, b64url, LocalIssuer, signRaw, T0, type TestKey, testKey } from "./local-issuer.js";
import { refusedWith } from "./refusals.js";

describe("verifier: token checks", () => {
  let local: LocalIssuer;
  let es: TestKey;
  let rs: TestKey;
  let unpublished: TestKey;
  let verifier: Verifier;
  const now = T0 + 1_000;

  before(async () => {
    es = await testKey("ES256");
    rs = await testKey("RS256");
    unpublished = await testKey("ES256");
    local = await LocalIssuer.start([es, rs]);
    verifier = verifierWith();
  });
  after(() => local.stop());

  function verifierWith(changes: Partial<VerifierOptions> = {}): Verifier {
    return createVerifier({ issuer: local.issuer, audience: AUDIENCE, now: () => now, ...changes });
  }

  function claims(changes: Record<string, unknown> = {}): JWTPayload {
    return local.claims(now, changes);
  }

  async function refused(
    token: string,
    code: VerificationErrorCode,
    pattern?: RegExp,
    using = verifier,
  ): Promise<VerificationError> {
    const error = await refusedWith(using.verify(token), code, pattern);
    assertNoTokenContent(token, error);
    return error;
  }

  function assertNoTokenContent(token: string, error: Error): void {
    const text = `${error.message} ${error.stack ?? ""}`;
    if (typeof token !== "string") return;
    assert.ok(token.length < 8 || !text.includes(token), "the message contains the token");
    for (const segment of token.split(".")) {
      if (segment.length >= 8)
        assert.ok(!text.includes(segment), `the message contains a token segment: ${error.message}`);
    }
    for (const value of [
      `worker/${ACCOUNT}/billing`,
      ACCOUNT,
      "payments",
      "not-the-issuer",
      "https://elsewhere.example",
    ]) {
      assert.ok(!error.message.includes(value), `the message contains a claim value (${value}): ${error.message}`);
    }
  }

  it("verifies a valid ES256 token and yields the workload identity", async () => {
    const payload = claims();
    const identity = await verifier.verify(await local.sign(payload));
    assert.equal(identity.subject, `worker/${ACCOUNT}/billing`);
    assert.equal(identity.workload, "billing");
    assert.equal(identity.accountId, ACCOUNT);
    assert.equal(identity.jti, payload.jti);
    assert.equal(identity.expiresAt, payload.exp);
    assert.equal(identity.claims.team, "payments");
    assert.equal(identity.header.kid, es.kid);
    assert.ok(Object.isFrozen(identity) && Object.isFrozen(identity.claims));
  });

  it("verifies a valid RS256 token, and omits workload and accountId when the token has none", async () => {
    const identity = await verifier.verify(await local.sign(claims({ worker: undefined, account_id: undefined }), rs));
    assert.equal(identity.header.alg, "RS256");
    assert.ok(!("workload" in identity) && !("accountId" in identity));
  });

  describe("size and structure", () => {
    it("refuses a token longer than maxTokenBytes before parsing it", async () => {
      await refused("a".repeat(8193), "ERR_TOKEN_TOO_LARGE", /8192 bytes/);
      const big = await local.sign(claims({ padding: "x".repeat(600) }));
      await refused(big, "ERR_TOKEN_TOO_LARGE", /512 bytes/, verifierWith({ maxTokenBytes: 512 }));
      await verifier.verify(big); // the same token fits the default limit
    });

    const malformed: [string, string][] = [
      ["an empty string", ""],
      ["one segment", "abcdefgh"],
      ["two segments", "abcdefgh.ijklmnop"],
      ["four segments", "a.b.c.d"],
      ["characters outside base64url", "eyJhbGciOiJFUzI1NiJ9+/.eyJ9.sig"],
      ["a header that is not JSON", `${b64url("not json")}.${b64url("{}")}.c2ln`],
      ["a header that is a JSON array", `${b64url("[1]")}.${b64url("{}")}.c2ln`],
      ["a payload that is not an object", `${b64url('{"alg":"ES256","kid":"k"}')}.${b64url("42")}.c2ln`],
      [
        "a payload that is not UTF-8",
        `${b64url('{"alg":"ES256","kid":"k"}')}.${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.c2ln`,
      ],
      ["a segment of impossible length", `${b64url('{"alg":"ES256","kid":"k"}')}.a.c2ln`],
      ["an empty payload", `${b64url('{"alg":"ES256","kid":"k"}')}..c2ln`],
      ["padding in a segment", `${b64url('{"alg":"ES256","kid":"k"}')}.e30=.c2ln`],
    ];
    for (const [what, token] of malformed) {
      it(`refuses ${what} as malformed`, () => refused(token, "ERR_TOKEN_MALFORMED").then(() => undefined));
    }

    it("refuses a value that is not a string", async () => {
      await refused(42 as unknown as string, "ERR_TOKEN_MALFORMED", /must be a string/);
    });

    it("refuses duplicate names in a validly signed payload, which jose alone accepts", async () => {
      const header = JSON.stringify({ alg: "ES256", kid: es.kid, typ: "JWT" });
      const payload = JSON.stringify(claims()).replace(/^\{/, `{"sub":"worker/${ACCOUNT}/admin",`);
      const token = await signRaw(header, payload, es);
      // The precondition: jose verifies the signature and would read the last "sub".
      await compactVerify(token, await importJWK(es.publicJwk, "ES256"));
      await refused(token, "ERR_TOKEN_MALFORMED", /payload has duplicate member names/);
    });

    it("refuses duplicate names in a validly signed header, even spelt with an escape", async () => {
      const header = `{"alg":"ES256","kid":"${es.kid}","\\u006bid":"${rs.kid}"}`;
      await refused(
        await signRaw(header, JSON.stringify(claims()), es),
        "ERR_TOKEN_MALFORMED",
        /header has duplicate member names/,
      );
    });
  });

  describe("header", () => {
    it("refuses alg none", async () => {
      const token = `${b64url(JSON.stringify({ alg: "none", kid: es.kid }))}.${b64url(JSON.stringify(claims()))}.`;
      await refused(token, "ERR_TOKEN_ALGORITHM", /alg "none" is not allowed; this verifier accepts RS256, ES256/);
    });

    it("refuses HS256, even signed with the issuer's public key as the secret", async () => {
      const secret = new TextEncoder().encode(JSON.stringify(es.publicJwk));
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: es.kid }).sign(secret);
      await refused(token, "ERR_TOKEN_ALGORITHM", /"HS256" is not allowed/);
    });

    it("refuses an allowed-by-jose algorithm this verifier was not configured for", async () => {
      await refused(
        await local.sign(claims(), rs),
        "ERR_TOKEN_ALGORITHM",
        /"RS256"/,
        verifierWith({ algorithms: ["ES256"] }),
      );
    });

    it("refuses a missing alg and does not echo an unregistered one", async () => {
      await refused(
        await signRaw(JSON.stringify({ kid: es.kid }), JSON.stringify(claims()), es),
        "ERR_TOKEN_ALGORITHM",
        /no alg/,
      );
      const error = await refused(
        await signRaw(JSON.stringify({ alg: "<script>", kid: es.kid }), "{}", es),
        "ERR_TOKEN_ALGORITHM",
      );
      assert.ok(!error.message.includes("<script>"));
    });

    it("refuses an alg that does not fit the key its kid names", async () => {
      const token = await signRaw(JSON.stringify({ alg: "ES256", kid: rs.kid }), JSON.stringify(claims()), es);
      await refused(token, "ERR_TOKEN_ALGORITHM", /does not fit the issuer's key/);
    });

    for (const name of ["jku", "x5u", "jwk", "x5c", "crit"]) {
      it(`refuses a header carrying "${name}"`, async () => {
        const value =
          name === "crit"
            ? ["exp"]
            : name === "jwk"
              ? unpublished.publicJwk
              : name === "x5c"
                ? ["MIIB"]
                : "https://evil.example/keys";
        const token = await signRaw(
          JSON.stringify({ alg: "ES256", kid: es.kid, [name]: value }),
          JSON.stringify(claims()),
          es,
        );
        await refused(token, "ERR_TOKEN_HEADER", new RegExp(`"${name}"`));
      });
    }

    it("refuses a token without kid, or with a typ other than JWT", async () => {
      await refused(
        await signRaw(JSON.stringify({ alg: "ES256" }), JSON.stringify(claims()), es),
        "ERR_TOKEN_HEADER",
        /kid/,
      );
      await refused(await local.sign(claims(), es, { typ: "at+jwt" }), "ERR_TOKEN_HEADER", /typ/);
    });
  });

  describe("key and signature", () => {
    it("refuses a kid the issuer never published", async () => {
      await refused(await local.sign(claims(), unpublished), "ERR_TOKEN_KEY_UNKNOWN", /no key with the token's kid/);
    });

    it("refuses a signature made by another key under a published kid", async () => {
      const forged = await signRaw(
        JSON.stringify({ alg: "ES256", kid: es.kid }),
        JSON.stringify(claims()),
        unpublished,
      );
      await refused(forged, "ERR_TOKEN_SIGNATURE");
    });

    it("refuses a genuine signature moved onto another payload", async () => {
      const [header, , signature] = (await local.sign(claims())).split(".");
      const [, payload] = (await local.sign(claims({ worker: "ledger-sync" }))).split(".");
      await refused(`${header}.${payload}.${signature}`, "ERR_TOKEN_SIGNATURE");
    });
  });

  describe("claims", () => {
    it("refuses an expired token, and accepts one expired within the clock tolerance", async () => {
      const at = Math.floor(now / 1000);
      await refused(
        await local.sign(claims({ iat: at - 400, nbf: at - 400, exp: at - 31 })),
        "ERR_TOKEN_EXPIRED",
        /expired 31 s ago/,
      );
      await verifier.verify(await local.sign(claims({ iat: at - 400, nbf: at - 400, exp: at - 29 })));
    });

    it("refuses nbf or iat in the future beyond the tolerance", async () => {
      const at = Math.floor(now / 1000);
      await refused(
        await local.sign(claims({ nbf: at + 60, exp: at + 400 })),
        "ERR_TOKEN_NOT_YET_VALID",
        /"nbf" lies 60 s in the future/,
      );
      await refused(
        await local.sign(claims({ nbf: undefined, iat: at + 60, exp: at + 400 })),
        "ERR_TOKEN_NOT_YET_VALID",
        /"iat"/,
      );
      await verifier.verify(await local.sign(claims({ nbf: at + 29, iat: at + 29, exp: at + 400 })));
    });

    it("refuses another issuer", async () => {
      await refused(await local.sign(claims({ iss: "https://not-the-issuer.example" })), "ERR_TOKEN_ISSUER");
    });

    it("refuses another audience", async () => {
      await refused(
        await local.sign(claims({ aud: "https://elsewhere.example" })),
        "ERR_TOKEN_AUDIENCE",
        /another audience/,
      );
    });

    it("refuses an aud array by default, even one containing the expected audience", async () => {
      const token = await local.sign(claims({ aud: [AUDIENCE, "https://elsewhere.example"] }));
      await refused(token, "ERR_TOKEN_AUDIENCE", /several audiences/);
      await createVerifier({
        issuer: local.issuer,
        audience: AUDIENCE,
        now: () => now,
        allowAudienceArray: true,
      }).verify(token);
      const other = await local.sign(claims({ aud: ["https://elsewhere.example"] }));
      await refused(
        other,
        "ERR_TOKEN_AUDIENCE",
        /none of the token's audiences/,
        verifierWith({ allowAudienceArray: true }),
      );
    });

    it("accepts any of several configured audiences", async () => {
      await verifierWith({ audience: ["https://other.example", AUDIENCE] }).verify(await local.sign(claims()));
    });

    const wrong: [string, Record<string, unknown>, RegExp][] = [
      ["a missing sub", { sub: undefined }, /no "sub" claim/],
      ["a missing jti", { jti: undefined }, /no "jti" claim/],
      ["a missing iat", { iat: undefined }, /no "iat" claim/],
      ["a missing exp", { exp: undefined }, /no "exp" claim/],
      ["a missing aud", { aud: undefined }, /no "aud" claim/],
      ["a sub that is a number", { sub: 7 }, /"sub" claim must be a non-empty string/],
      ["an exp that is a string", { exp: "tomorrow" }, /"exp" claim must be a NumericDate/],
      ["an nbf that is null", { nbf: null }, /"nbf" claim must be a NumericDate/],
      ["a worker that is an object", { worker: { name: "billing" } }, /"worker" claim must be a non-empty string/],
      ["an aud that is a number", { aud: 5 }, /"aud" claim must be a string/],
      ["an exp before iat", { exp: Math.floor(T0 / 1000) - 10 }, /"exp" is not after its "iat"/],
    ];
    for (const [what, changes, pattern] of wrong) {
      it(`refuses ${what}`, async () => {
        await refused(await local.sign(claims(changes)), "ERR_TOKEN_CLAIMS", pattern);
      });
    }

    it("refuses a token without a claim the verifier requires", async () => {
      const token = await local.sign(claims({ environment: undefined }));
      await verifier.verify(token);
      await refused(
        token,
        "ERR_TOKEN_CLAIMS",
        /no "environment" claim/,
        verifierWith({ requiredClaims: ["environment"] }),
      );
    });
  });

  describe("matchers", () => {
    it("admits the configured subject, exactly or by a RegExp over the whole subject", async () => {
      const token = await local.sign(claims());
      await verifierWith({ subject: `worker/${ACCOUNT}/billing` }).verify(token);
      await verifierWith({ subject: /worker\/[0-9a-f]{32}\/billing/ }).verify(token);
      await refused(token, "ERR_TOKEN_SUBJECT", /"sub"/, verifierWith({ subject: `worker/${ACCOUNT}/ledger-sync` }));
      await refused(token, "ERR_TOKEN_SUBJECT", /"sub"/, verifierWith({ subject: /billing/ }));
    });

    it("admits only the listed workloads", async () => {
      const token = await local.sign(claims());
      await verifierWith({ workloads: ["ledger-sync", "billing"] }).verify(token);
      await refused(token, "ERR_TOKEN_SUBJECT", /"worker"/, verifierWith({ workloads: ["ledger-sync"] }));
      await refused(
        await local.sign(claims({ worker: undefined })),
        "ERR_TOKEN_SUBJECT",
        /"worker"/,
        verifierWith({ workloads: ["billing"] }),
      );
    });

    it("admits only exact claim values, compared as JSON", async () => {
      const token = await local.sign(claims({ tags: { tier: [1, 2], on: true } }));
      await verifierWith({ claims: { team: "payments", tags: { on: true, tier: [1, 2] } } }).verify(token);
      await refused(token, "ERR_TOKEN_SUBJECT", /"team" claim/, verifierWith({ claims: { team: "platform" } }));
      await refused(token, "ERR_TOKEN_SUBJECT", /"tags" claim/, verifierWith({ claims: { tags: { tier: [1, 2] } } }));
      await refused(token, "ERR_TOKEN_SUBJECT", /"absent" claim/, verifierWith({ claims: { absent: null } }));
    });

    it("answers a failed matcher with 403 and a failed authentication with 401", async () => {
      const subject = await refused(
        await local.sign(claims()),
        "ERR_TOKEN_SUBJECT",
        undefined,
        verifierWith({ workloads: ["x"] }),
      );
      assert.equal(subject.status, 403);
      const expired = await refused(await local.sign(claims({ iat: 1, nbf: 1, exp: 2 })), "ERR_TOKEN_EXPIRED");
      assert.equal(expired.status, 401);
    });
  });
});
