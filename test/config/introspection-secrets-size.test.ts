// introspectionClients is bounded by the INTROSPECTION_SECRETS secret it becomes: JSON
// {clientId: 48-character secret} in one Worker variable, at most 5 KB (5,120 bytes) on Cloudflare.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { expectOneIssue, OPTIONS, PROJECT, withKey } from "./fixtures.js";

/** Ids of the given lengths, distinct (a counter in front, padded with 'a'). */
const ids = (lengths: readonly number[]) => lengths.map((length, i) => `c${i}`.padEnd(length, "a"));

/** The secret as the program writes it, built here independently: 48 characters per client. */
const secretBytes = (clients: readonly string[]) =>
  Buffer.byteLength(JSON.stringify(Object.fromEntries(clients.map((id) => [id, "s".repeat(48)]))));

describe("validateStackConfig: introspectionClients within Cloudflare's 5 KB per variable", () => {
  // 50 clients: 19 ids of 49 characters and 31 of 48 make the secret exactly 5,120 bytes.
  const exact = ids([...Array<number>(19).fill(49), ...Array<number>(31).fill(48)]);

  it("accepts clients whose secret is exactly 5,120 bytes", () => {
    assert.equal(secretBytes(exact), 5_120);
    assert.equal(validateStackConfig(withKey("introspectionClients", exact), OPTIONS).introspectionClients.length, 50);
  });

  it("refuses one byte more, with the size, the limit and the fix", () => {
    const over = [...exact.slice(0, -1), `${exact.at(-1)!}a`];
    assert.equal(secretBytes(over), 5_121);
    const issue = expectOneIssue(
      withKey("introspectionClients", over),
      `${PROJECT}:introspectionClients`,
      /INTROSPECTION_SECRETS secret \(\{clientId: 48-character secret\}\) would be 5121 bytes, more than the 5120/,
    );
    assert.match(issue.message, /remove clients .* or shorten their ids/);
  });
});
