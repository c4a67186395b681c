// The `keyEncryptionKey` stack key (the KEK generations the issuer script binds): what resolves,
// and one broken field per test, each asserting the issue's key and that its message names the fix.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { checkRuntimeConfig } from "../../worker/runtime-config/check.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { expectOneIssue, happyRaw, OPTIONS, PROJECT, withKey } from "./fixtures.js";

const key = (path: string) => `${PROJECT}:${path}`;
const withKek = (value: unknown) => withKey("keyEncryptionKey", value);
const kekOf = (value: unknown) => validateStackConfig(withKek(value), OPTIONS).keyEncryptionKey;

describe("validateStackConfig: keyEncryptionKey, what resolves", () => {
  it("is generation 1 with no previous when unset: the KEK every stack made first", () => {
    assert.deepEqual(validateStackConfig(happyRaw(), OPTIONS).keyEncryptionKey, { generation: 1 });
  });

  it("a generation alone, and a generation with the one before it as previous", () => {
    assert.deepEqual(kekOf({ generation: 1 }), { generation: 1 });
    assert.deepEqual(kekOf({ generation: 2 }), { generation: 2 });
    assert.deepEqual(kekOf({ generation: 2, previous: 1 }), { generation: 2, previous: 1 });
    assert.deepEqual(kekOf({ generation: 17, previous: 16 }), { generation: 17, previous: 16 });
  });

  it("as pulumi config set stores it: JSON text, or numbers as decimal text", () => {
    assert.deepEqual(kekOf('{"generation":3,"previous":2}'), { generation: 3, previous: 2 });
    assert.deepEqual(kekOf({ generation: "3", previous: "2" }), { generation: 3, previous: 2 });
  });

  it("is not in the runtime config: changing it changes the script's secrets, never its bundle", () => {
    const before = runtimeConfigOf(validateStackConfig(happyRaw(), OPTIONS), {});
    const after = runtimeConfigOf(validateStackConfig(withKek({ generation: 2, previous: 1 }), OPTIONS), {});
    assert.deepEqual(after, before);
    assert.ok(!JSON.stringify(checkRuntimeConfig(JSON.parse(JSON.stringify(after)))).includes("generation"));
  });
});

describe("validateStackConfig: keyEncryptionKey, refused", () => {
  it("an empty key, naming the rotation and the default", () => {
    expectOneIssue(
      withKek(null),
      key("keyEncryptionKey"),
      /is empty; write keyEncryptionKey: \{generation: 2, previous: 1\}.*delete the line to keep generation 1/,
    );
  });

  it("a bare number, a list, or text that is not JSON", () => {
    expectOneIssue(withKek(2), key("keyEncryptionKey"), /is 2, but must be a map like \{generation: 2, previous: 1\}/);
    expectOneIssue(withKek([2, 1]), key("keyEncryptionKey"), /is a list, but must be a map like/);
    expectOneIssue(withKek("{generation: 2"), key("keyEncryptionKey"), /not valid JSON/);
  });

  it("a missing generation, with the command that sets it", () => {
    expectOneIssue(
      withKek({ previous: 1 }),
      key("keyEncryptionKey.generation"),
      /is missing; .*pulumi config set --path keyEncryptionKey.generation 2/,
    );
  });

  it("a generation that is not a whole number from 1", () => {
    for (const bad of [0, -1, 1.5, "two", true, 10_000]) {
      expectOneIssue(
        withKek({ generation: bad }),
        key("keyEncryptionKey.generation"),
        /but must be a whole number from 1 to 9999 \(1 is the KEK the stack generated first; each KEK rotation adds one\)/,
      );
    }
  });

  it("a previous that is not a whole number from 1", () => {
    expectOneIssue(
      withKek({ generation: 2, previous: 0 }),
      key("keyEncryptionKey.previous"),
      /is 0, but must be a whole number/,
    );
    expectOneIssue(
      withKek({ generation: 2, previous: "1.0" }),
      key("keyEncryptionKey.previous"),
      /is "1.0", but must be a whole number/,
    );
  });

  it("a previous at generation 1, which has none before it", () => {
    expectOneIssue(
      withKek({ generation: 1, previous: 1 }),
      key("keyEncryptionKey.previous"),
      /is 1, but generation 1 is the first KEK and has none before it; remove previous, or set generation to 2 with previous: 1/,
    );
  });

  it("a previous at or after the generation", () => {
    expectOneIssue(
      withKek({ generation: 2, previous: 2 }),
      key("keyEncryptionKey.previous"),
      /is 2, but must be the generation before generation 2: .*write previous: 1$/,
    );
    expectOneIssue(
      withKek({ generation: 2, previous: 3 }),
      key("keyEncryptionKey.previous"),
      /is 3, but must be the generation before generation 2: .*write previous: 1$/,
    );
  });

  it("a previous more than one generation back: rotate one generation at a time", () => {
    expectOneIssue(
      withKek({ generation: 3, previous: 1 }),
      key("keyEncryptionKey.previous"),
      /is 1, but must be 2, the generation before 3: the stack keeps only the KEK the current one replaced\. Rotate one generation at a time: go back to \{generation: 2, previous: 1\} and run `wid keys rewrap` until it reports removable/,
    );
  });

  it("an unknown field, with a suggestion", () => {
    expectOneIssue(
      withKek({ generation: 2, previos: 1 }),
      key("keyEncryptionKey.previos"),
      /did you mean 'previous'\?/,
    );
    expectOneIssue(
      withKek({ generation: 2, current: 2 }),
      key("keyEncryptionKey.current"),
      /is not a keyEncryptionKey field; remove it \(known: generation, previous\)/,
    );
  });

  it("an encrypted value: the generation is no secret", () => {
    expectOneIssue(withKek({ secure: "v1:abc" }), key("keyEncryptionKey"), /is an encrypted secret \(secure:\)/);
  });

  it("a misspelt top-level key, with a suggestion", () => {
    const raw = { ...happyRaw(), [key("keyEncryptionKeys")]: { generation: 2 } };
    expectOneIssue(raw, key("keyEncryptionKeys"), /did you mean 'keyEncryptionKey'\?/);
  });
});
