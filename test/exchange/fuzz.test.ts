// POST /token under random input: forms of random parameters, repeated and percent-encoded
// garbage, random content types and bodies of random bytes, and mutations of a real native token.
// Every answer is a 4xx problem+json with an OAuth `error` and a `code`, never a 5xx, and no
// answer holds the presented token.

import assert from "node:assert/strict";
import { AWS_AUDIENCE } from "../support/stack-fixture.js";
import { ExchangeStack, JWT_TYPE, TOKEN_EXCHANGE } from "./exchange-stack.js";

/** A small deterministic generator, so a failure repeats with the seed it prints. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const PARAMETERS = [
  "grant_type",
  "subject_token",
  "subject_token_type",
  "audience",
  "resource",
  "scope",
  "requested_token_type",
  "x",
];
const CONTENT_TYPES = [
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "application/x-www-form-urlencoded; charset=latin1",
  "application/json",
  "text/plain",
  "",
];

describe("token exchange: random input", function () {
  this.timeout(120_000);
  let stack: ExchangeStack;
  before(async () => {
    stack = await ExchangeStack.start();
  });
  after(async () => stack?.dispose());

  it("answers every random request with a 4xx problem+json carrying error and code", async () => {
    const seed = Date.now() % 100_000;
    const next = random(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const native = await stack.nativeToken("billing");
    // Never the last character (its unused bits may not change the signature), never a no-op.
    const mutate = (text: string) => {
      const at = Math.floor(next() * (text.length - 1));
      const mutated = text.slice(0, at) + pick(["", ".", "%", "A", "\u0000", "é", "=="]) + text.slice(at + 1);
      return mutated === text ? `${text}x` : mutated;
    };
    for (let i = 0; i < 150; i++) {
      const parts: string[] = [];
      const good = next() < 0.5;
      if (good) {
        parts.push(
          `grant_type=${encodeURIComponent(TOKEN_EXCHANGE)}`,
          `subject_token=${encodeURIComponent(mutate(native))}`,
          `subject_token_type=${encodeURIComponent(JWT_TYPE)}`,
          `audience=${encodeURIComponent(AWS_AUDIENCE)}`,
        );
      }
      for (let n = Math.floor(next() * 4); n > 0; n--) {
        const value = Array.from({ length: Math.floor(next() * 40) }, () =>
          String.fromCharCode(Math.floor(next() * 0x250)),
        ).join("");
        parts.push(`${pick(PARAMETERS)}=${next() < 0.7 ? encodeURIComponent(value) : value}`);
      }
      const contentType = good ? CONTENT_TYPES[0]! : pick(CONTENT_TYPES);
      const response = await fetch(`${stack.url}/token`, {
        method: "POST",
        headers: contentType === "" ? {} : { "content-type": contentType },
        body: parts.join("&"),
      });
      const text = await response.text();
      const context = `seed ${seed}, request ${i}: ${response.status} ${text.slice(0, 200)}`;
      assert.ok(response.status >= 400 && response.status < 500, context);
      assert.equal(response.headers.get("content-type"), "application/problem+json", context);
      const body = JSON.parse(text) as { error?: unknown; code?: unknown };
      assert.equal(typeof body.error, "string", context);
      assert.match(String(body.code), /^ERR_[A-Z_]+$/, context);
      assert.ok(!text.includes(native.split(".")[2]!), context);
    }
  });
});
