// The rules document: what parseRules accepts (the example file included) and what it compiles it
// to. The refusals, one per kind of mistake: rules-refusals.test.ts; what the rules mean for a
// request: rule-matching.test.ts.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseRules } from "../../worker/rules/rules.js";
import { REPO_ROOT } from "../support/run-tsx.js";
import { ACCOUNT } from "./rules-documents.js";

describe("parseRules", () => {
  it("accepts the example rules file that npm start uses", () => {
    const document = JSON.parse(
      readFileSync(resolve(REPO_ROOT, "worker/middleware/rules.example.json"), "utf8"),
    ) as unknown;
    const { rules } = parseRules(document);
    assert.equal(rules.length, 5);
    assert.ok(
      rules.some(
        (r) =>
          !r.public && r.allow !== "authenticated" && r.allow.audiences?.includes("https://api.internal.example.dev"),
      ),
    );
  });

  it("compiles every field and freezes the result", () => {
    const rules = parseRules({
      rules: [
        { methods: ["GET", "HEAD"], path: "/health", public: true, description: "probe" },
        {
          methods: "*",
          path: "/a/:x/b/*",
          allow: {
            workloads: ["w"],
            subjects: [`worker/${ACCOUNT}/w`],
            audiences: ["aud"],
            claims: { team: "t", tier: [1, { n: null }] },
          },
        },
      ],
    });
    const [health, wide] = rules.rules;
    assert.deepEqual(
      [health?.index, health?.methods, health?.path, health?.public, health?.description],
      [0, ["GET", "HEAD"], "/health", true, "probe"],
    );
    assert.ok(wide && !wide.public);
    assert.equal(wide.methods, "*");
    assert.deepEqual(wide.pattern.segments, [
      { kind: "literal", value: "a" },
      { kind: "param", name: "x" },
      { kind: "literal", value: "b" },
    ]);
    assert.equal(wide.pattern.prefix, true);
    assert.deepEqual(wide.allow, {
      workloads: ["w"],
      subjects: [`worker/${ACCOUNT}/w`],
      audiences: ["aud"],
      claims: { team: "t", tier: [1, { n: null }] },
    });
    assert.ok(
      Object.isFrozen(rules) && Object.isFrozen(rules.rules) && Object.isFrozen(wide) && Object.isFrozen(wide.allow),
    );
  });

  it("accepts percent-escapes of reserved and non-ASCII characters, and a trailing slash", () => {
    assert.doesNotThrow(() =>
      parseRules({ rules: [{ methods: ["GET"], path: "/caf%C3%A9/a%20b/", allow: "authenticated" }] }),
    );
  });

  it("spells literal segments as the canonical request path does: escapes in any case, one spelling per character", () => {
    const literals = (path: string) =>
      parseRules({ rules: [{ methods: ["GET"], path, allow: "authenticated" }] }).rules[0]!.pattern.segments;
    const literal = (value: string) => ({ kind: "literal", value });
    assert.deepEqual(literals("/a%3Ab/%41dmin/caf%c3%a9/a%20b/%2A"), [
      literal("a:b"),
      literal("Admin"),
      literal("caf%C3%A9"),
      literal("a%20b"),
      literal("*"),
    ]);
    assert.deepEqual(literals("/a:b/Admin/caf%C3%A9"), literals("/%61%3a%62/%41dmin/caf%C3%a9"));
    assert.deepEqual(literals("/%3Aid"), [literal(":id")], "an escaped ':' is a literal, not a parameter");
  });
});
