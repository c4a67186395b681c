// Shared by the method-override tests: one rule set in which methods find different rules on
// the same path, and the override check run against it (headers, the query, or found overrides).

import assert from "node:assert/strict";
import { findRule } from "../../worker/middleware/authorize.js";
import {
  checkMethodOverride,
  headerOverrides,
  type NamedOverride,
  type OverrideCheck,
  queryOverrides,
} from "../../worker/middleware/method-override.js";
import { canonicalPath } from "../../worker/rules/request-path.js";
import { parseRules } from "../../worker/rules/rules.js";

export const RULES = parseRules({
  rules: [
    { methods: ["GET", "HEAD"], path: "/health", public: true },
    { methods: ["DELETE"], path: "/items/:id", allow: { workloads: ["admin"] } },
    { methods: ["POST", "DELETE"], path: "/items/*", allow: "authenticated" },
    { methods: ["GET"], path: "/reports/*", allow: "authenticated" },
    { methods: "*", path: "/any/*", allow: "authenticated" },
    { methods: ["DELETE"], path: "/only-delete", public: true },
    { methods: ["DELETE"], path: "/mixed/locked", allow: { workloads: ["admin"] } },
    { methods: "*", path: "/mixed/*", allow: "authenticated" },
  ],
});

export function ruleForPath(path: string) {
  const canonical = canonicalPath(path);
  assert.ok(canonical.ok);
  return (m: string) => findRule(RULES, m, canonical.segments);
}

export function check(
  method: string,
  path: string,
  headers: [string, string][],
  more: readonly NamedOverride[] = [],
): OverrideCheck {
  const ruleFor = ruleForPath(path);
  return checkMethodOverride([...headerOverrides(new Headers(headers)), ...more], method, ruleFor(method), ruleFor);
}

/** The check with the overrides of a query string only. */
export function checkQuery(method: string, path: string, query: string): OverrideCheck {
  return check(method, path, [], queryOverrides(query));
}

export const refusal = (result: OverrideCheck) => (result.ok ? "forwarded" : result.refuse);
