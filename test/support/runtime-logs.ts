// What the Workers print (console.log of structured JSON lines), collected from workerd's output
// for tests that assert on logs: one refusal line per refusal, never a token.

import type { Readable } from "node:stream";

/** Appends every complete line of the runtime's stdout and stderr to `lines`. */
export function collectRuntimeLines(lines: string[]): (stdout: Readable, stderr: Readable) => void {
  const collect = (stream: Readable) => {
    let pending = "";
    stream.on("data", (chunk: Buffer) => {
      const parts = (pending + chunk.toString("utf8")).split("\n");
      pending = parts.pop() ?? "";
      lines.push(...parts);
    });
  };
  return (stdout, stderr) => {
    collect(stdout);
    collect(stderr);
  };
}

/** The structured log lines (JSON with an `event` field) of one kind. */
export function structuredEvents(lines: readonly string[], kind: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const line of lines) {
    const start = line.indexOf("{");
    if (start < 0) continue;
    try {
      const parsed = JSON.parse(line.slice(start)) as Record<string, unknown>;
      if (parsed.event === kind) found.push(parsed);
    } catch {
      // not a structured line
    }
  }
  return found;
}

/** Log lines arrive asynchronously: wait for the runtime's output to catch up. */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
