import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

/**
 * The workspace packages resolve to their TypeScript sources (the "@worker-identity/source"
 * condition of their exports maps), as in the npm scripts, .mocharc.json and Pulumi.yaml.
 */
export const SOURCE_CONDITION_FLAG = "--conditions=@worker-identity/source";

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript entry point of the repository in Node with tsx, as the npm scripts do. */
export function runTsx(entry: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return finished(spawnTsx(entry, args, env));
}

/** What a spawned child printed, and its exit code, once it has closed. */
export function finished(child: ChildProcess): Promise<Finished> {
  return new Promise((resolveRun, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}

export function spawnTsx(entry: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", SOURCE_CONDITION_FLAG, resolve(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
