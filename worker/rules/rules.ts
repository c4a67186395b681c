// The edge middleware's authorization rules document (format: worker/middleware/README.md),
// validated once at startup by the middleware and at preview by the stack validator.
// `parseRules` is pure: it returns frozen, compiled rules or throws a RulesError that lists every
// problem with its JSON path and the fix. What the rules mean per request is
// worker/middleware/authorize.ts.

import { deepFreeze } from "../deep-freeze.js";
import { isRecord } from "../options/is-record.js";
import { isJsonValue, type JsonValue } from "../options/json-value.js";
import { OptionsError } from "../options/options-error.js";
import { compilePattern, coversPattern, type RoutePattern } from "./route-pattern.js";

const RULE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type RuleMethod = (typeof RULE_METHODS)[number];

/** Who a protected rule admits. Every present condition must hold; a list holds when any entry does. */
export interface AllowConditions {
  /** Script names: the token's `worker` claim. */
  readonly workloads?: readonly string[];
  /** Exact subjects: worker/<account_id>/<script_name> or workflow/<account_id>/<workflow>/<instance>. */
  readonly subjects?: readonly string[];
  /** The token's `aud`: each must be one of the middleware's audiences. */
  readonly audiences?: readonly string[];
  /** Claims that must be present with exactly these JSON values. */
  readonly claims?: Readonly<Record<string, JsonValue>>;
}

export type Allow = "authenticated" | AllowConditions;

interface RuleBase {
  /** Position in the document, for logs and messages. */
  readonly index: number;
  readonly methods: "*" | readonly RuleMethod[];
  readonly path: string;
  readonly pattern: RoutePattern;
  /**
   * Read a POST body (at most 64 KiB) for a `_method` parameter that could widen the rule
   * (worker/middleware/method-override-body.ts). Default true; false when the origin honours no
   * `_method` body parameter, so large form, multipart and JSON POSTs stream through unread.
   */
  readonly readBodyForMethodOverride: boolean;
  readonly description?: string;
}

/** Forwarded without authentication (identity headers are still stripped). */
export interface PublicRule extends RuleBase {
  readonly public: true;
}

export interface ProtectedRule extends RuleBase {
  readonly public: false;
  readonly allow: Allow;
  /**
   * Admit certificate-bound tokens (`cnf.x5t#S256`) that arrive without their client certificate,
   * as plain bearer tokens: the named opt-out of RFC 8705 §3 for this route. Default false.
   */
  readonly acceptBoundTokensWithoutCertificate: boolean;
}

export type Rule = PublicRule | ProtectedRule;

export interface Rules {
  readonly rules: readonly Rule[];
}

export interface RulesProblem {
  /** JSON path of the offending value, such as $.rules[2].methods[0]. */
  readonly path: string;
  /** What is wrong and how to fix it. */
  readonly fix: string;
}

export class RulesError extends OptionsError {
  readonly problems: readonly RulesProblem[];

  constructor(problems: readonly RulesProblem[]) {
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    super(
      problems.map((p) => ({ path: p.path, problem: p.fix })),
      { heading: `invalid rules document (${count})`, separator: ": " },
    );
    this.name = "RulesError";
    this.problems = problems;
  }
}

const MAX_RULES = 256;
const MAX_LIST_ENTRIES = 100;
const RULE_FIELDS = new Set([
  "methods",
  "path",
  "allow",
  "public",
  "acceptBoundTokensWithoutCertificate",
  "readBodyForMethodOverride",
  "description",
]);
const ALLOW_FIELDS = new Set(["workloads", "subjects", "audiences", "claims"]);
const SCRIPT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SUBJECT = /^(?:worker\/[^/\s]+\/[^/\s]+|workflow\/[^/\s]+\/[^/\s]+\/[^/\s]+)$/;
const parsed = new WeakSet<Rules>();

/** Whether `value` came from parseRules (createMiddleware accepts nothing else). */
export function isParsedRules(value: unknown): value is Rules {
  return typeof value === "object" && value !== null && parsed.has(value as Rules);
}

/** Validates and compiles a rules document (the parsed JSON, not its text). */
export function parseRules(json: unknown): Rules {
  const problems: RulesProblem[] = [];
  const problem: Problem = Object.assign((path: string, fix: string) => void problems.push({ path, fix }), {
    count: () => problems.length,
  });
  if (typeof json === "string")
    throw new RulesError([{ path: "$", fix: "pass the parsed document (JSON.parse(text)), not its text" }]);
  if (!isRecord(json)) throw new RulesError([{ path: "$", fix: 'must be an object: { "rules": [ ... ] }' }]);
  for (const key of Object.keys(json))
    if (key !== "rules") problem(member("$", key), 'is not a field of the document; it has only "rules"');
  const list = json.rules;
  if (!Array.isArray(list) || list.length === 0) {
    problem("$.rules", "must be a non-empty array of rules; with no rule every request is refused");
  } else if (list.length > MAX_RULES) {
    problem("$.rules", `has ${list.length} rules; at most ${MAX_RULES} (merge rules with wildcards or parameters)`);
  }
  const rules: Rule[] = [];
  for (const [index, raw] of (Array.isArray(list) ? list.slice(0, MAX_RULES) : []).entries()) {
    const rule = parseRule(raw, index, `$.rules[${index}]`, problem);
    if (rule === undefined) continue;
    const earlier = rules.find((r) => coversRoute(r, rule));
    if (earlier !== undefined) {
      problem(
        `$.rules[${index}]`,
        `can never match: rules[${earlier.index}] (${describeRoute(earlier)}) comes first and matches every request it would; put the more specific rule first, or remove one`,
      );
    }
    rules.push(rule);
  }
  if (problems.length > 0) throw new RulesError(problems);
  const result: Rules = Object.freeze({ rules: Object.freeze(rules) });
  parsed.add(result);
  return result;
}

/** "GET,HEAD /reports/*": a rule's route, for messages and logs. */
function describeRoute(rule: Pick<Rule, "methods" | "path">): string {
  return `${rule.methods === "*" ? "*" : rule.methods.join(",")} ${rule.path}`;
}

/** Records a problem; `count` says how many so far (a rule with any is not compiled). */
type Problem = ((path: string, fix: string) => void) & { readonly count: () => number };

function parseRule(raw: unknown, index: number, at: string, problem: Problem): Rule | undefined {
  if (!isRecord(raw)) return void problem(at, 'must be an object: { "methods": [...], "path": "/...", "allow": ... }');
  const before = problem.count();
  for (const key of Object.keys(raw)) {
    if (!RULE_FIELDS.has(key))
      problem(member(at, key), `is not a field of a rule; its fields are ${[...RULE_FIELDS].join(", ")}`);
  }
  const methods = parseMethods(raw.methods, `${at}.methods`, problem);
  let pattern: RoutePattern | undefined;
  if (typeof raw.path !== "string") problem(`${at}.path`, 'must be a path pattern string, such as "/reports/*"');
  else {
    const compiled = compilePattern(raw.path);
    if ("problem" in compiled) problem(`${at}.path`, compiled.problem);
    else pattern = compiled;
  }
  if (raw.description !== undefined && (typeof raw.description !== "string" || raw.description.length > 500)) {
    problem(`${at}.description`, "must be a string of at most 500 characters");
  }
  const isPublic = raw.public !== undefined;
  if (isPublic && raw.public !== true)
    problem(`${at}.public`, "may only be true; omit it for a rule that needs a token");
  let allow: Allow | undefined;
  if (isPublic && raw.allow !== undefined) {
    problem(`${at}.allow`, "cannot be combined with public: a public rule admits everyone; remove one of them");
  } else if (!isPublic) {
    allow = parseAllow(raw.allow, `${at}.allow`, problem);
  }
  const acceptUnbound = raw.acceptBoundTokensWithoutCertificate;
  if (acceptUnbound !== undefined && typeof acceptUnbound !== "boolean") {
    problem(
      `${at}.acceptBoundTokensWithoutCertificate`,
      "must be true or false (omit it: bound tokens need their certificate)",
    );
  } else if (isPublic && acceptUnbound !== undefined) {
    problem(
      `${at}.acceptBoundTokensWithoutCertificate`,
      "cannot be combined with public: a public rule reads no token; remove it",
    );
  }
  const readBody = raw.readBodyForMethodOverride;
  if (readBody !== undefined && typeof readBody !== "boolean") {
    problem(`${at}.readBodyForMethodOverride`, "must be true or false (omit it: POST bodies are read for _method)");
  }
  if (problem.count() !== before || methods === undefined || pattern === undefined) return undefined;
  const base = {
    index,
    methods,
    path: pattern.source,
    pattern,
    readBodyForMethodOverride: readBody !== false,
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
  };
  return Object.freeze(
    isPublic
      ? { ...base, public: true as const }
      : { ...base, public: false as const, allow: allow!, acceptBoundTokensWithoutCertificate: acceptUnbound === true },
  );
}

function parseMethods(raw: unknown, at: string, problem: Problem): "*" | readonly RuleMethod[] | undefined {
  if (raw === "*") return "*";
  const fix = `must be "*" or a non-empty array of ${RULE_METHODS.join(", ")}`;
  if (!Array.isArray(raw) || raw.length === 0) return void problem(at, fix);
  const seen = new Set<string>();
  for (const [i, method] of raw.entries()) {
    if (
      typeof method === "string" &&
      RULE_METHODS.includes(method.toUpperCase() as RuleMethod) &&
      method !== method.toUpperCase()
    ) {
      problem(`${at}[${i}]`, `must be written in upper case: "${method.toUpperCase()}"`);
    } else if (!RULE_METHODS.includes(method as RuleMethod)) {
      problem(
        `${at}[${i}]`,
        `is not a method a rule can name; use ${RULE_METHODS.join(", ")} (or "*" for every method)`,
      );
    } else if (seen.has(method as string)) {
      problem(`${at}[${i}]`, `repeats ${method as string}; list each method once`);
    }
    seen.add(method as string);
  }
  return Object.freeze([...seen]) as readonly RuleMethod[];
}

function parseAllow(raw: unknown, at: string, problem: Problem): Allow | undefined {
  if (raw === "authenticated") return raw;
  const fix =
    'must be "authenticated" or an object with workloads, subjects, audiences and/or claims (or set "public": true)';
  if (!isRecord(raw)) return void problem(at, fix);
  const keys = Object.keys(raw);
  if (keys.length === 0) return void problem(at, `must not be empty; write "authenticated" to admit every valid token`);
  for (const key of keys) {
    if (!ALLOW_FIELDS.has(key))
      problem(member(at, key), `is not a condition; the conditions are ${[...ALLOW_FIELDS].join(", ")}`);
  }
  const conditions: Record<string, unknown> = {};
  const lists = [
    ["workloads", SCRIPT_NAME, "a Worker script name (lowercase letters, digits, '-' or '_')"],
    [
      "subjects",
      SUBJECT,
      "a subject: worker/<account_id>/<script_name> or workflow/<account_id>/<workflow>/<instance>",
    ],
    ["audiences", /^\S+$/, "an audience: a non-empty string without spaces"],
  ] as const;
  for (const [name, shape, what] of lists) {
    const value = raw[name];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_ENTRIES) {
      problem(`${at}.${name}`, `must be a non-empty array (at most ${MAX_LIST_ENTRIES} entries); omit it to admit any`);
      continue;
    }
    for (const [i, entry] of value.entries()) {
      if (typeof entry !== "string" || !shape.test(entry)) problem(`${at}.${name}[${i}]`, `must be ${what}`);
      else if (value.indexOf(entry) !== i) problem(`${at}.${name}[${i}]`, "repeats an earlier entry; list each once");
    }
    conditions[name] = Object.freeze([...value]);
  }
  if (raw.claims !== undefined) {
    if (!isRecord(raw.claims) || Object.keys(raw.claims).length === 0) {
      problem(
        `${at}.claims`,
        "must be a non-empty object of claim name to the exact JSON value required; omit it to require none",
      );
    } else {
      for (const [name, value] of Object.entries(raw.claims)) {
        if (name === "") problem(`${at}.claims`, "has an empty claim name");
        else if (!isJsonValue(value))
          problem(
            member(`${at}.claims`, name),
            "must be a JSON value (string, finite number, boolean, null, array or object)",
          );
      }
      conditions.claims = deepFreeze(structuredClone(raw.claims));
    }
  }
  return Object.freeze(conditions) as AllowConditions;
}

function coversRoute(earlier: Rule, later: Rule): boolean {
  const methods =
    earlier.methods === "*" || (later.methods !== "*" && later.methods.every((m) => earlier.methods.includes(m)));
  return methods && coversPattern(earlier.pattern, later.pattern);
}

function member(at: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${at}.${name}` : `${at}[${JSON.stringify(name)}]`;
}
