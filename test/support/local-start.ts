// `npm start` as a child process for tests: started on a port and state directory, resolved
// once its banner is printed (with the banner), and stopped with SIGINT as Ctrl-C would.

import type { ChildProcess } from "node:child_process";
import { spawnTsx } from "./run-tsx.js";

export interface StartedLocal {
  readonly child: ChildProcess;
  /** Everything it printed up to "Ctrl-C stops" (stdout and stderr). */
  readonly banner: string;
}

export async function startLocal(
  port: number,
  stateDir: string,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<StartedLocal> {
  const child = spawnTsx("worker/local/start.ts", ["--port", String(port), "--state-dir", stateDir, ...args]);
  let banner = "";
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${banner}`)), timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      if (banner.includes("Ctrl-C stops")) {
        clearTimeout(timer);
        resolveStart();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (banner += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${banner}`));
    });
  });
  return { child, banner };
}

/** Stops a started `npm start` (nothing when it has exited already). */
export async function stopLocal(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
}
