// The local stand-in native issuer: its discovery and JWKS, the native-interface bindings the
// example workloads get (getToken(): one audience per binding, a new JWT each call, standard
// claims only), the subjects it signs (configured, or the local form), and `npm start` offering
// it all, its exchange at the issuer included.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { StackConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { localNative, nativeBindingsOf, withLocalNativeTrust } from "../../worker/local/native-stand-in.js";
import { ExchangeStack } from "../exchange/exchange-stack.js";
import { freePort } from "../support/free-port.js";
import { startLocal, stopLocal } from "../support/local-start.js";
import { ACCOUNT_ID, AWS_AUDIENCE, PROJECT, rawStackConfig, STACK } from "../support/stack-fixture.js";

describe("local stand-in native issuer", function () {
  this.timeout(90_000);

  describe("in workerd", () => {
    let stack: ExchangeStack;
    before(async () => {
      stack = await ExchangeStack.start();
    });
    after(async () => stack?.dispose());

    it("publishes a discovery document and a JWKS with one public ES256 key", async () => {
      const discovery = (await (await fetch(`${stack.native.issuer}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
        jwks_uri: string;
      };
      assert.equal(discovery.issuer, `${stack.url}/native-issuer`);
      assert.equal(discovery.jwks_uri, `${stack.url}/native-issuer/.well-known/jwks.json`);
      const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0]!.kty, "EC");
      assert.equal(jwks.keys[0]!.crv, "P-256");
      assert.equal(jwks.keys[0]!.d, undefined);
    });

    it("gives a workload without native settings a binding whose getToken() signs a new JWT each call, in the local subject form", async () => {
      const first = await stack.nativeToken("billing");
      const second = await stack.nativeToken("billing");
      assert.notEqual(first, second);
      const keys = createRemoteJWKSet(new URL(`${stack.native.issuer}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(first, keys, {
        issuer: `${stack.url}/native-issuer`,
        audience: stack.url,
      });
      assert.equal(protectedHeader.alg, "ES256");
      assert.equal(payload.sub, `local-native/${ACCOUNT_ID}/billing`);
      assert.deepEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "iss", "jti", "nbf", "sub"]);
      assert.equal(payload.exp! - payload.iat!, 300);
      assert.notEqual(decodeJwt(second).jti, payload.jti);
    });

    it("has no binding for an audience the workload's native settings do not list", async () => {
      const response = await fetch(`${stack.url}/workloads/billing/native-token?audience=${AWS_AUDIENCE}`);
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { code: string }).code, "ERR_INVALID_OPTIONS");
    });
  });

  describe("a workload with native settings in the stack config", () => {
    const subject = "cf:billing-5a6b7c8d";
    let stack: ExchangeStack;
    before(async () => {
      const workloads = rawStackConfig()["worker-identity:workloads"] as Record<string, Record<string, unknown>>;
      const native = { issuer: "https://oidc.cloudflare.example/accounts/0123", subject, audiences: [AWS_AUDIENCE] };
      stack = await ExchangeStack.start({
        config: rawStackConfig({
          "worker-identity:workloads": { ...workloads, billing: { ...workloads.billing, native } },
        }),
      });
    });
    after(async () => stack?.dispose());

    it("gets its configured subject from the stand-in, a binding per native audience, and its exchange", async () => {
      const forAws = decodeJwt(await stack.nativeToken("billing", AWS_AUDIENCE));
      assert.equal(forAws.sub, subject);
      assert.equal(forAws.aud, AWS_AUDIENCE);
      assert.equal(forAws.iss, `${stack.url}/native-issuer`);
      const response = await stack.exchangeToken(await stack.nativeToken("billing"), AWS_AUDIENCE);
      assert.equal(response.status, 200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      assert.equal(decodeJwt(token).sub, `worker/${ACCOUNT_ID}/billing`);
    });
  });

  describe("subjects and bindings", () => {
    const config = validateStackConfig(rawStackConfig(), {
      project: PROJECT,
      stack: STACK,
      localIssuerUrl: "http://127.0.0.1:8787",
    });
    const configured = `workers/${ACCOUNT_ID}/billing/5a6b7c8d`;
    /** billing with native settings, set on the validated config (the validator's reading is another change). */
    const withNative: StackConfig = {
      ...config,
      workloads: config.workloads.map((w) =>
        w.name === "billing"
          ? {
              ...w,
              native: { issuer: "https://native.example.test", subject: configured, audiences: [AWS_AUDIENCE] },
            }
          : w,
      ),
    };

    it("signs a workload's configured native subject, with a binding per native audience and one for the issuer", async () => {
      const native = await localNative(withNative, "http://127.0.0.1:8787");
      assert.equal(native.subjects.billing, configured);
      assert.equal(native.subjects["ledger-sync"], `local-native/${ACCOUNT_ID}/ledger-sync`);
      const billing = withNative.workloads.find((w) => w.name === "billing")!;
      assert.deepEqual(nativeBindingsOf(withNative, native, billing).audiences, {
        NATIVE_EXCHANGE: "http://127.0.0.1:8787",
        NATIVE_TOKEN_0: AWS_AUDIENCE,
      });
    });

    it("makes the local issuer trust the stand-in for every workload, under the subject it signs", async () => {
      const native = await localNative(withNative, "http://127.0.0.1:8787");
      const trusted = withLocalNativeTrust(withNative, native);
      for (const workload of trusted.workloads) {
        assert.equal(workload.native?.issuer, "http://127.0.0.1:8787/native-issuer", workload.name);
        assert.equal(workload.native?.subject, native.subjects[workload.name], workload.name);
      }
      const none = withLocalNativeTrust(withNative, native, { subjects: { billing: null } });
      assert.equal(none.workloads.find((w) => w.name === "billing")!.native, undefined);
    });
  });

  it("npm start prints the stand-in and each workload's exchange, which works as printed", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "wid-native-"));
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const started = await startLocal(port, stateDir, [], 30_000);
    try {
      assert.match(started.banner, new RegExp(`stand-in issuer ${issuer}/native-issuer`));
      const printed = new RegExp(`curl '(${issuer}/workloads/ledger-sync/exchange\\?audience=[^']+)'`).exec(
        started.banner,
      );
      assert.ok(printed, started.banner);
      const response = await fetch(printed[1]!);
      assert.equal(response.status, 200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      assert.equal(decodeProtectedHeader(token).typ, "JWT");
      assert.equal(decodeJwt(token).sub, `worker/${decodeJwt(token).account_id}/ledger-sync`);
    } finally {
      await stopLocal(started.child);
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
