// The wid CLI run in this process through its run(argv) (what bin/wid.js calls), with its output
// captured and its environment given: a usage or help test costs no Node start-up.

import { type CliIo, run } from "../../../worker/cli/main.js";
import { REPO_ROOT } from "../../support/run-tsx.js";

export interface WidRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wid <argv>` with only `env` for environment (no WID_ISSUER or WID_ADMIN_TOKEN of the caller's). */
export async function wid(
  argv: readonly string[],
  env: Record<string, string> = {},
  cwd: string = REPO_ROOT,
): Promise<WidRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** The one JSON document a --json run printed on stdout. */
export function jsonOf(run: WidRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
