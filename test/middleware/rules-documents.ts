// Shared by the rules-document tests (rules, rules-refusals, rule-matching): an account id, a valid
// document to change one thing in, and the single problem parseRules reports for a document.

import assert from "node:assert/strict";
import { parseRules, RulesError } from "../../worker/rules/rules.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";

export type Doc = { rules: Record<string, unknown>[] } & Record<string, unknown>;

export function valid(): Doc {
  return {
    rules: [
      { methods: ["GET"], path: "/health", public: true },
      { methods: ["GET", "POST"], path: "/reports/*", allow: { workloads: ["edge-api"] } },
      { methods: "*", path: "/accounts/:id/ledger", allow: "authenticated", description: "any valid token" },
    ],
  };
}

/** The single problem parseRules reports for `doc`. */
export function refusal(doc: unknown): { path: string; fix: string } {
  try {
    parseRules(doc);
  } catch (error) {
    assert.ok(error instanceof RulesError && error instanceof TypeError);
    assert.equal(error.problems.length, 1, error.message);
    return error.problems[0]!;
  }
  assert.fail("parseRules accepted the document");
}
