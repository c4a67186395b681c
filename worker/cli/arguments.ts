// One command's command line read against its own options: an option it does not take, a value
// missing or given to a flag, a missing or extra positional argument is a UsageError naming it
// (exit 2), never parseArgs' stack trace. A value starting with "-" is taken only when written
// --option=<value>, so a forgotten value never swallows the next option.

import { parseArgs } from "node:util";
import { UsageError } from "./failure.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** `--name <value>` in the help; a boolean option has none. */
  readonly value?: string;
  readonly description: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface ParsedLine {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandLine(command: string, args: readonly string[], options: OptionTable): ParsedLine {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...args],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const wid = `wid ${command}`;
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (spec === undefined) {
      throw new UsageError(`${wid}: unknown option '${token.rawName}'`, command);
    }
    if (spec.type === "boolean") {
      if (token.value !== undefined) {
        throw new UsageError(`${wid}: ${token.rawName} takes no value; got '${token.value}'`, command);
      }
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
      throw new UsageError(
        `${wid}: ${token.rawName} needs a value: ${token.rawName} ${spec.value ?? "<value>"} ` +
          `(write ${token.rawName}=<value> for a value starting with "-")`,
        command,
      );
    }
    if (values[token.name] !== undefined) {
      throw new UsageError(`${wid}: ${token.rawName} is given twice`, command);
    }
    values[token.name] = token.value;
  }
  return { values, positionals };
}
