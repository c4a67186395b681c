// The record of a running local stack: `npm start` writes it to the state directory once the stack
// listens and removes it when the stack stops, so the CLI finds the issuer's URL (its port among
// it) instead of assuming one. A record whose process is gone is stale (a stack killed with
// SIGKILL leaves one): the CLI says so rather than call a port nothing listens on.
// Node built-ins only: the CLI imports this module, and its bundle must not pull in Miniflare.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface RunningStackRecord {
  /** The issuer's URL, as `npm start` prints it (http://127.0.0.1:<port>). */
  readonly issuerUrl: string;
  readonly port: number;
  /** The `npm start` process, to tell a running stack from a stale record. */
  readonly pid: number;
  /** ISO 8601. */
  readonly startedAt: string;
}

export type RunningStackLookup =
  | { readonly kind: "running"; readonly path: string; readonly record: RunningStackRecord }
  | { readonly kind: "stale"; readonly path: string; readonly record: RunningStackRecord }
  | { readonly kind: "damaged"; readonly path: string; readonly problem: string }
  | { readonly kind: "none"; readonly path: string };

export function runningStackPath(stateDir: string): string {
  return join(stateDir, "running.json");
}

export function recordRunningStack(stateDir: string, record: RunningStackRecord): string {
  const path = runningStackPath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** Removes the record if it is this process's: a second stack on the same state dir keeps its own. */
export function removeRunningStack(stateDir: string, pid: number = process.pid): void {
  const found = findRunningStack(stateDir, () => true);
  if (found.kind === "running" && found.record.pid === pid) rmSync(found.path, { force: true });
}

/** The recorded stack, running or stale by whether its pid is alive (`isAlive`, injected in tests). */
export function findRunningStack(stateDir: string, isAlive: (pid: number) => boolean = pidAlive): RunningStackLookup {
  const path = runningStackPath(stateDir);
  if (!existsSync(path)) return { kind: "none", path };
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { kind: "damaged", path, problem: error instanceof Error ? error.message : String(error) };
  }
  const record = asRecord(document);
  if (record === undefined) {
    return { kind: "damaged", path, problem: "not a record of {issuerUrl, port, pid, startedAt}" };
  }
  return { kind: isAlive(record.pid) ? "running" : "stale", path, record };
}

function asRecord(document: unknown): RunningStackRecord | undefined {
  if (typeof document !== "object" || document === null) return undefined;
  const { issuerUrl, port, pid, startedAt } = document as Record<string, unknown>;
  if (typeof issuerUrl !== "string" || typeof startedAt !== "string") return undefined;
  if (!Number.isInteger(port) || !Number.isInteger(pid) || (pid as number) <= 0) return undefined;
  return { issuerUrl, port: port as number, pid: pid as number, startedAt };
}

/** Signal 0 checks that the process exists; EPERM means it does, under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}
