// A trust statement's Condition block, one clause per (operator, key). What makes a clause bind
// a key: a positive string comparison (StringEquals or StringLike, or ForAnyValue: of either),
// never `...IfExists` (true when the key is absent) nor `ForAllValues:` (true when the request
// has no value for the key at all), with at least one value.

import { isRecord, listOf } from "../inputs.js";
import type { TrustStatement } from "./trust-document.js";

export interface ConditionClause {
  /** As written: `ForAnyValue:StringLike`. */
  readonly operator: string;
  /** Without set qualifier and IfExists: `StringLike`. */
  readonly base: string;
  readonly setQualifier: "ForAnyValue" | "ForAllValues" | undefined;
  readonly ifExists: boolean;
  readonly key: string;
  readonly values: readonly unknown[];
}

const BINDING_OPERATORS = new Set(["stringequals", "stringlike"]);

export function conditionClauses(statement: TrustStatement): readonly ConditionClause[] {
  const condition = statement.fields.Condition;
  if (!isRecord(condition)) return [];
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isRecord(keys)) continue;
    const qualifier = /^(ForAnyValue|ForAllValues):/i.exec(operator)?.[1];
    const unqualified = qualifier === undefined ? operator : operator.slice(qualifier.length + 1);
    const ifExists = /IfExists$/i.test(unqualified);
    const base = ifExists ? unqualified.slice(0, -"IfExists".length) : unqualified;
    const setQualifier =
      qualifier === undefined ? undefined : qualifier.toLowerCase() === "foranyvalue" ? "ForAnyValue" : "ForAllValues";
    for (const [key, values] of Object.entries(keys)) {
      clauses.push({ operator, base, setQualifier, ifExists, key, values: listOf(values) });
    }
  }
  return clauses;
}

/** Condition keys are case-insensitive: `ID.example.dev:SUB` is `id.example.dev:sub`. */
export function isKey(clause: ConditionClause, host: string, claim: string): boolean {
  return clause.key.toLowerCase() === `${host}:${claim}`.toLowerCase();
}

export function bindsKey(clause: ConditionClause): boolean {
  return (
    comparesPositively(clause) &&
    clause.setQualifier !== "ForAllValues" &&
    !clause.ifExists &&
    clause.values.length > 0 &&
    clause.values.every((value) => typeof value === "string")
  );
}

/** StringEquals or StringLike, whatever the qualifiers: the operators whose values admit requests. */
export function comparesPositively(clause: ConditionClause): boolean {
  return BINDING_OPERATORS.has(clause.base.toLowerCase());
}

export function isLike(clause: ConditionClause): boolean {
  return clause.base.toLowerCase() === "stringlike";
}

/** Why a clause on the key does not bind it, for the message. */
export function whyNotBinding(clause: ConditionClause): string {
  if (clause.ifExists) return `${clause.operator} passes when the token has no such key`;
  if (clause.setQualifier === "ForAllValues") return `${clause.operator} passes when the token has no such key`;
  if (!BINDING_OPERATORS.has(clause.base.toLowerCase())) return `${clause.operator} does not pin the value`;
  return `${clause.operator} has no string value`;
}
