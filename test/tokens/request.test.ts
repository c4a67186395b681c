import assert from "node:assert/strict";
import type { IssuerSettings, WorkloadConfig } from "../../worker/config/types.js";
import {
  AudienceNotAllowedError,
  InvalidRequestError,
  type IssuerError,
  LifetimeTooLongError,
} from "../../worker/errors.js";
import { authorizeTokenRequest, MIN_REQUESTED_LIFETIME_SECONDS } from "../../worker/tokens/request.js";
import { issuerSettings } from "../support/issuer-settings.js";

const AWS = "sts.amazonaws.com";
const API = "https://api.internal.example.dev";

const ISSUER: IssuerSettings = issuerSettings();

const BILLING: WorkloadConfig = {
  name: "billing",
  subject: "worker/0123456789abcdef0123456789abcdef/billing",
  entrypoint: "Workload_billing",
  audiences: [AWS, API],
  tokenLifetimeSeconds: 240,
  maxTokenLifetimeSeconds: 900,
  claims: {},
};

function refusal<E extends IssuerError>(
  errorClass: new (detail: string) => E,
  code: string,
  ...message: RegExp[]
): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.startsWith(`[${code}] `), error.message);
    for (const pattern of message) assert.match(error.message, pattern);
    return true;
  };
}

describe("authorizeTokenRequest: audience", () => {
  it("accepts every audience on the workload's allow-list", () => {
    assert.deepEqual(authorizeTokenRequest(ISSUER, BILLING, AWS, undefined), {
      audience: AWS,
      lifetimeSeconds: 240,
      fresh: false,
    });
    assert.deepEqual(authorizeTokenRequest(ISSUER, BILLING, API, undefined), {
      audience: API,
      lifetimeSeconds: 240,
      fresh: false,
    });
  });

  it("refuses an audience outside the allow-list and names the config key that would allow it", () => {
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, "https://other.example", undefined),
      refusal(
        AudienceNotAllowedError,
        "ERR_AUDIENCE_NOT_ALLOWED",
        /https:\/\/other\.example/,
        /workloads\.billing\.audiences/,
      ),
    );
  });

  it("matches audiences exactly (no prefix or case folding)", () => {
    for (const near of ["STS.amazonaws.com", "sts.amazonaws.com/", `${API}/v1`, " sts.amazonaws.com"]) {
      assert.throws(() => authorizeTokenRequest(ISSUER, BILLING, near, undefined), AudienceNotAllowedError, near);
    }
  });

  it("refuses a non-string audience as an invalid request listing the allowed audiences", () => {
    for (const audience of [undefined, null, 42, [AWS], { aud: AWS }]) {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, audience, undefined),
        refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /non-empty string/, /sts\.amazonaws\.com/),
      );
    }
  });

  it("refuses an empty audience", () => {
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, "", undefined),
      refusal(InvalidRequestError, "ERR_INVALID_REQUEST"),
    );
  });

  it("accepts a 255-character audience and refuses a 256-character one as invalid", () => {
    const at255 = `https://${"a".repeat(247)}`;
    const at256 = `${at255}b`;
    assert.equal(at255.length, 255);
    const workload: WorkloadConfig = { ...BILLING, audiences: [at255, at256] };
    assert.equal(authorizeTokenRequest(ISSUER, workload, at255, undefined).audience, at255);
    assert.throws(
      () => authorizeTokenRequest(ISSUER, workload, at256, undefined),
      refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /at most 255 characters/),
    );
  });
});

describe("authorizeTokenRequest: lifetime", () => {
  it("uses the workload's default lifetime when no options are given", () => {
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, undefined).lifetimeSeconds, 240);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, null).lifetimeSeconds, 240);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, {}).lifetimeSeconds, 240);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: undefined }).lifetimeSeconds, 240);
  });

  it("never hands out a default above the caps, whatever the settings say", () => {
    // A validated config never has one; a default above the caps must still not widen a token.
    const longDefault = { ...BILLING, tokenLifetimeSeconds: 7_200 };
    assert.equal(authorizeTokenRequest(ISSUER, longDefault, AWS, undefined).lifetimeSeconds, 900);
    const issuerCap = { ...ISSUER, maxTokenLifetimeSeconds: 600 };
    assert.equal(authorizeTokenRequest(issuerCap, longDefault, AWS, undefined).lifetimeSeconds, 600);
  });

  it("grants a shorter requested lifetime as asked", () => {
    assert.deepEqual(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 120 }), {
      audience: AWS,
      lifetimeSeconds: 120,
      fresh: false,
    });
  });

  it("caps at the workload's max when it is below the issuer's", () => {
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 900 }).lifetimeSeconds, 900);
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 901 }),
      refusal(
        LifetimeTooLongError,
        "ERR_LIFETIME_TOO_LONG",
        /cap of 900 s/,
        /ask for 900 or less/,
        /workloads\.billing\.maxTokenLifetimeSeconds/,
      ),
    );
  });

  it("caps at the issuer's max when it is below the workload's", () => {
    const issuer: IssuerSettings = { ...ISSUER, maxTokenLifetimeSeconds: 600 };
    const workload: WorkloadConfig = { ...BILLING, maxTokenLifetimeSeconds: 3600 };
    assert.equal(authorizeTokenRequest(issuer, workload, AWS, { lifetimeSeconds: 600 }).lifetimeSeconds, 600);
    assert.throws(
      () => authorizeTokenRequest(issuer, workload, AWS, { lifetimeSeconds: 601 }),
      refusal(
        LifetimeTooLongError,
        "ERR_LIFETIME_TOO_LONG",
        /cap of 600 s/,
        /ask for 600 or less/,
        /the issuer's maxTokenLifetimeSeconds/,
      ),
    );
  });

  it(`accepts exactly MIN_REQUESTED_LIFETIME_SECONDS (${MIN_REQUESTED_LIFETIME_SECONDS}) and refuses one second less`, () => {
    assert.equal(MIN_REQUESTED_LIFETIME_SECONDS, 30);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 30 }).lifetimeSeconds, 30);
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 29 }),
      refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /integer of at least 30/),
    );
  });

  it("refuses a lifetime that is not a positive integer", () => {
    for (const lifetimeSeconds of [0, -60, 120.5, Number.NaN, Number.POSITIVE_INFINITY, "300", null, true]) {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds }),
        refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /lifetimeSeconds must be an integer/),
        String(lifetimeSeconds),
      );
    }
  });
});

describe("authorizeTokenRequest: options", () => {
  it("refuses every option other than lifetimeSeconds and fresh, saying identity comes from the binding", () => {
    for (const key of [
      "workload",
      "sub",
      "subject",
      "audience",
      "claims",
      "lifetime",
      "LifetimeSeconds",
      "__proto__x",
    ]) {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 120, [key]: "x" }),
        refusal(
          InvalidRequestError,
          "ERR_INVALID_REQUEST",
          new RegExp(`unknown option "${key}"`),
          /the options are lifetimeSeconds and fresh/,
          /identity comes from the service binding/,
        ),
        key,
      );
    }
  });

  it("reads fresh as a boolean, false when absent, and refuses any other value", () => {
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, undefined).fresh, false);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 60 }).fresh, false);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { fresh: true }).fresh, true);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { fresh: true, lifetimeSeconds: 60 }).fresh, true);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { fresh: false }).fresh, false);
    for (const fresh of ["true", 1, null, {}]) {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, AWS, { fresh }),
        refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /fresh must be true/),
        String(fresh),
      );
    }
  });

  it("refuses an unknown option even when its value is undefined", () => {
    assert.throws(() => authorizeTokenRequest(ISSUER, BILLING, AWS, { workload: undefined }), InvalidRequestError);
  });

  it("refuses options that are not an object, showing the expected shape", () => {
    for (const options of [300, "lifetimeSeconds=300", true, [300], [{ lifetimeSeconds: 300 }]]) {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, AWS, options),
        refusal(
          InvalidRequestError,
          "ERR_INVALID_REQUEST",
          /options must be a plain object such as \{ lifetimeSeconds: 300 \}/,
        ),
        JSON.stringify(options),
      );
    }
  });

  it("accepts a plain object and one made with Object.create(null), honouring its lifetime", () => {
    const bare = Object.assign(Object.create(null) as object, { lifetimeSeconds: 60 });
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, { lifetimeSeconds: 60 }).lifetimeSeconds, 60);
    assert.equal(authorizeTokenRequest(ISSUER, BILLING, AWS, bare).lifetimeSeconds, 60);
  });

  class LifetimeOptions {
    lifetimeSeconds = 60;
  }
  const notPlain: [string, unknown, RegExp][] = [
    ["a Map holding lifetimeSeconds", new Map([["lifetimeSeconds", 60]]), /got a Map$/],
    ["a Set", new Set(["lifetimeSeconds"]), /got a Set$/],
    ["a Date", new Date(60_000), /got a Date$/],
    ["an empty array", [], /got an Array$/],
    ["a typed array", new Uint8Array([60]), /got a Uint8Array$/],
    ["a RegExp", /lifetimeSeconds/, /got a RegExp$/],
    ["an Error carrying lifetimeSeconds", Object.assign(new Error("x"), { lifetimeSeconds: 60 }), /got an Error$/],
    ["a class instance with an own lifetimeSeconds", new LifetimeOptions(), /got an instance of a class$/],
    [
      "an object inheriting lifetimeSeconds",
      Object.create({ lifetimeSeconds: 60 }) as object,
      /got an instance of a class$/,
    ],
    [
      "a function with a lifetimeSeconds property",
      Object.assign(() => 60, { lifetimeSeconds: 60 }),
      /got a function or an RPC stub$/,
    ],
    ["a boxed number", new Number(60), /got a Number object \(a boxed primitive\)$/],
    ["a boxed string", new String("lifetimeSeconds"), /got a String object \(a boxed primitive\)$/],
  ];
  for (const [name, options, shape] of notPlain) {
    it(`refuses options that are ${name}, naming what was passed and the shape to pass`, () => {
      assert.throws(
        () => authorizeTokenRequest(ISSUER, BILLING, AWS, options),
        refusal(
          InvalidRequestError,
          "ERR_INVALID_REQUEST",
          /^\[ERR_INVALID_REQUEST\] token\(audience, options\): options must be a plain object such as \{ lifetimeSeconds: 300 \}, or omitted/,
          shape,
        ),
      );
    });
  }

  it("refuses an option keyed by a symbol", () => {
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, AWS, { [Symbol("lifetimeSeconds")]: 60 }),
      refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /unknown option Symbol\(lifetimeSeconds\)/),
    );
  });

  it("refuses a String object as the audience, though it would coerce to an allowed one", () => {
    assert.throws(
      () => authorizeTokenRequest(ISSUER, BILLING, new String(AWS), undefined),
      refusal(InvalidRequestError, "ERR_INVALID_REQUEST", /audience must be a non-empty string/),
    );
  });
});
