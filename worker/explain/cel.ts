// The subset of CEL (github.com/google/cel-spec, langdef.md) that GCP attribute mappings and
// conditions of worker-identity's own providers use: `assertion` and field access on it, has(),
// the ternary, ==, &&, ||, `in` a list literal, startsWith(), string literals (with CEL's
// escapes) and true/false. Anything else is refused at parse time with CelUnsupportedError. At
// run time CEL's semantics hold: a missing field or a wrong type is an error (GCP then refuses the
// token), && and || absorb an error when the other side decides (false && error is false), and ==
// across types is false (heterogeneous equality).

import { UnsupportedTrustError } from "./unsupported.js";

export class CelUnsupportedError extends UnsupportedTrustError {
  constructor(expression: string, what: string) {
    super(`the CEL ${what} in ${JSON.stringify(expression)}`);
    this.name = "CelUnsupportedError";
  }
}

/** A CEL run-time error: GCP refuses the token when a mapping or its condition ends in one. */
export class CelEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CelEvaluationError";
  }
}

type Node =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "ident"; readonly name: string }
  | { readonly kind: "field"; readonly target: Node; readonly field: string }
  | { readonly kind: "has"; readonly target: Node; readonly field: string }
  | { readonly kind: "startsWith"; readonly target: Node; readonly argument: Node }
  | { readonly kind: "list"; readonly items: readonly Node[] }
  | { readonly kind: "binary"; readonly operator: "==" | "&&" | "||" | "in"; readonly left: Node; readonly right: Node }
  | { readonly kind: "ternary"; readonly condition: Node; readonly then: Node; readonly otherwise: Node };

type Token =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "ident"; readonly value: string }
  | { readonly kind: "punct"; readonly value: string };

const PUNCTUATION = ["==", "&&", "||", "(", ")", "[", "]", ",", ".", "?", ":"];

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const char = expression[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '"' || char === "'") {
      const [value, end] = stringLiteral(expression, i);
      tokens.push({ kind: "string", value });
      i = end;
    } else if (/[A-Za-z_]/.test(char)) {
      const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i))![0];
      tokens.push({ kind: "ident", value: ident });
      i += ident.length;
    } else {
      const punct = PUNCTUATION.find((p) => expression.startsWith(p, i));
      if (punct === undefined) throw new CelUnsupportedError(expression, `token ${JSON.stringify(char)}`);
      tokens.push({ kind: "punct", value: punct });
      i += punct.length;
    }
  }
  return tokens;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "`": "`",
  "?": "?",
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** A quoted CEL string (no raw, triple-quoted or byte literals: our documents write none). */
function stringLiteral(expression: string, start: number): [string, number] {
  const quote = expression[start]!;
  if (expression.startsWith(quote.repeat(3), start)) throw new CelUnsupportedError(expression, "triple-quoted string");
  let value = "";
  let i = start + 1;
  while (i < expression.length) {
    const char = expression[i]!;
    if (char === quote) return [value, i + 1];
    if (char === "\n" || char === "\r") break;
    if (char !== "\\") {
      value += char;
      i += char.length;
      continue;
    }
    const escaped = expression[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[escaped];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    const width = escaped === "u" ? 4 : escaped === "U" ? 8 : escaped === "x" || escaped === "X" ? 2 : 0;
    const digits = expression.slice(i + 2, i + 2 + width);
    if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits)) {
      throw new CelUnsupportedError(expression, `escape \\${escaped}`);
    }
    const code = Number.parseInt(digits, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new CelUnsupportedError(expression, `escape \\${escaped}${digits}`);
    }
    value += String.fromCodePoint(code);
    i += 2 + width;
  }
  throw new CelUnsupportedError(expression, "unterminated string");
}

class Parser {
  #at = 0;
  constructor(
    private readonly expression: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): Node {
    const node = this.ternary();
    if (this.#at < this.tokens.length) this.fail(`token ${JSON.stringify(this.tokens[this.#at]!.value)}`);
    return node;
  }

  private fail(what: string): never {
    throw new CelUnsupportedError(this.expression, what);
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.#at];
    return token !== undefined && token.kind === "punct" && token.value === value;
  }

  private expect(value: string): void {
    if (!this.peek(value)) this.fail(`expression (expected ${JSON.stringify(value)})`);
    this.#at++;
  }

  private ternary(): Node {
    const condition = this.or();
    if (!this.peek("?")) return condition;
    this.#at++;
    const then = this.or();
    this.expect(":");
    const otherwise = this.ternary();
    return { kind: "ternary", condition, then, otherwise };
  }

  private or(): Node {
    let left = this.and();
    while (this.peek("||")) {
      this.#at++;
      left = { kind: "binary", operator: "||", left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.peek("&&")) {
      this.#at++;
      left = { kind: "binary", operator: "&&", left, right: this.relation() };
    }
    return left;
  }

  private relation(): Node {
    const left = this.member();
    const token = this.tokens[this.#at];
    if (token?.kind === "punct" && token.value === "==") {
      this.#at++;
      return { kind: "binary", operator: "==", left, right: this.member() };
    }
    if (token?.kind === "ident" && token.value === "in") {
      this.#at++;
      return { kind: "binary", operator: "in", left, right: this.member() };
    }
    return left;
  }

  private member(): Node {
    let node = this.primary();
    while (this.peek(".")) {
      this.#at++;
      const field = this.tokens[this.#at++];
      if (field?.kind !== "ident") this.fail("field name");
      if (this.peek("(")) {
        if (field.value !== "startsWith") this.fail(`method ${field.value}()`);
        this.#at++;
        const argument = this.ternary();
        this.expect(")");
        node = { kind: "startsWith", target: node, argument };
      } else {
        node = { kind: "field", target: node, field: field.value };
      }
    }
    return node;
  }

  private primary(): Node {
    const token = this.tokens[this.#at++];
    if (token === undefined) this.fail("end of expression");
    if (token.kind === "string") return { kind: "string", value: token.value };
    if (token.kind === "ident") {
      if (token.value === "true" || token.value === "false") return { kind: "bool", value: token.value === "true" };
      if (token.value === "has") {
        this.expect("(");
        const selection = this.member();
        this.expect(")");
        if (selection.kind !== "field") this.fail("has() of something other than a field selection");
        return { kind: "has", target: selection.target, field: selection.field };
      }
      if (this.peek("(")) this.fail(`function ${token.value}()`);
      if (token.value !== "assertion") this.fail(`identifier ${token.value}`);
      return { kind: "ident", name: token.value };
    }
    if (token.value === "(") {
      const inner = this.ternary();
      this.expect(")");
      return inner;
    }
    if (token.value === "[") {
      const items: Node[] = [];
      while (!this.peek("]")) {
        items.push(this.ternary());
        if (!this.peek(",")) break;
        this.#at++;
      }
      this.expect("]");
      return { kind: "list", items };
    }
    return this.fail(`token ${JSON.stringify(token.value)}`);
  }
}

/** A parsed expression, checked to use only the supported subset; evaluate it over many tokens. */
export interface CelProgram {
  readonly expression: string;
  evaluate(assertion: unknown): unknown;
}

export function compileCel(expression: string): CelProgram {
  const root = new Parser(expression, tokenize(expression)).parse();
  return { expression, evaluate: (assertion) => evaluateNode(root, assertion) };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `undefined` is not a JSON value: a claim set to it is a claim the token does not carry. */
function has(map: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(map, field) && map[field] !== undefined;
}

function evaluateNode(node: Node, assertion: unknown): unknown {
  switch (node.kind) {
    case "string":
    case "bool":
      return node.value;
    case "ident":
      return assertion;
    case "list":
      return node.items.map((item) => evaluateNode(item, assertion));
    case "field": {
      const target = evaluateNode(node.target, assertion);
      if (!isMap(target)) throw new CelEvaluationError(`no field '${node.field}' on a ${celType(target)}`);
      if (!has(target, node.field)) throw new CelEvaluationError(`no such key: ${node.field}`);
      return target[node.field];
    }
    case "has": {
      const target = evaluateNode(node.target, assertion);
      if (!isMap(target)) throw new CelEvaluationError(`has() on a ${celType(target)}`);
      return has(target, node.field);
    }
    case "startsWith": {
      const target = evaluateNode(node.target, assertion);
      const prefix = evaluateNode(node.argument, assertion);
      if (typeof target !== "string" || typeof prefix !== "string") {
        throw new CelEvaluationError(`no matching overload for ${celType(target)}.startsWith(${celType(prefix)})`);
      }
      return target.startsWith(prefix);
    }
    case "ternary": {
      const condition = evaluateNode(node.condition, assertion);
      if (typeof condition !== "boolean")
        throw new CelEvaluationError(`a ${celType(condition)} as the ternary's condition`);
      return evaluateNode(condition ? node.then : node.otherwise, assertion);
    }
    case "binary":
      return binary(node.operator, node.left, node.right, assertion);
  }
}

function binary(operator: "==" | "&&" | "||" | "in", left: Node, right: Node, assertion: unknown): unknown {
  if (operator === "&&" || operator === "||") {
    // Commutative over errors: the side that decides wins, whichever side errs.
    const decides = operator === "||";
    const [a, b] = [attempt(left, assertion), attempt(right, assertion)];
    if (a.value === decides || b.value === decides) return decides;
    for (const side of [a, b]) {
      if (side.error !== undefined) throw side.error;
      if (typeof side.value !== "boolean")
        throw new CelEvaluationError(`a ${celType(side.value)} operand of ${operator}`);
    }
    return !decides;
  }
  const a = evaluateNode(left, assertion);
  const b = evaluateNode(right, assertion);
  if (operator === "==") return celEquals(a, b);
  if (!Array.isArray(b)) throw new CelEvaluationError(`'in' a ${celType(b)}`);
  return b.some((item) => celEquals(a, item));
}

function attempt(node: Node, assertion: unknown): { value?: unknown; error?: unknown } {
  try {
    return { value: evaluateNode(node, assertion) };
  } catch (error) {
    if (error instanceof CelEvaluationError) return { error };
    throw error;
  }
}

function celEquals(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const keys = Object.keys(a).filter((k) => has(a, k));
    return (
      keys.length === Object.keys(b).filter((k) => has(b, k)).length &&
      keys.every((k) => has(b, k) && celEquals(a[k], b[k]))
    );
  }
  return a === b;
}

function celType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "map";
  if (typeof value === "number") return "double";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}
