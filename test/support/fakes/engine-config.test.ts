// The PULUMI_CONFIG byte count is computed twice on purpose: by the fake engine (an independent
// model of what Linux refuses) and by the stack validator's warning (worker/config/warnings.ts).
// Both are pinned to one count made by hand, so neither can drift from it, nor from the other.

import assert from "node:assert/strict";
import { engineConfigBytes } from "../../../worker/config/warnings.js";
import { configEnvironmentBytes } from "./engine-config.js";

/**
 * PULUMI_CONFIG={"a:b":"é"} is 14 characters of `PULUMI_CONFIG=` and 11 of JSON, 25 characters;
 * "é" is 2 bytes in UTF-8, so 26 bytes, and the NUL that ends an environment string makes 27.
 */
const TINY = { "a:b": "é" };
const TINY_BYTES = 27;

/** An empty map: `PULUMI_CONFIG={}`, 16 characters, one byte each, and the NUL: 17. */
const EMPTY_BYTES = 17;

describe("the PULUMI_CONFIG environment string's size, counted by hand", () => {
  it("the fake engine counts UTF-8 bytes of NAME=value and the terminating NUL", () => {
    assert.equal(configEnvironmentBytes(TINY), TINY_BYTES);
    assert.equal(configEnvironmentBytes({}), EMPTY_BYTES);
  });

  it("the stack validator's warning counts the same", () => {
    assert.equal(engineConfigBytes(TINY), TINY_BYTES);
    assert.equal(engineConfigBytes({}), EMPTY_BYTES);
  });
});
