// Which issuer a command talks to: --issuer, else WID_ISSUER, else the local stack `npm start`
// recorded in the state directory while it runs (running-stack.ts). Never a guessed port: with
// none of the three, or only the record of a stack that has stopped, the command fails and says
// how to give one.

import { findRunningStack } from "../local/running-stack.js";
import { CliFailure, UsageError } from "./failure.js";

export const ISSUER_ENV = "WID_ISSUER";

export interface IssuerSources {
  /** --issuer */
  readonly flag: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --state-dir, where `npm start` records the running stack. */
  readonly stateDir: string;
  /** Injected in tests: whether the recorded pid runs. */
  readonly isAlive?: (pid: number) => boolean;
}

/** The issuer's URL without a trailing slash. */
export function issuerUrl(sources: IssuerSources): string {
  if (sources.flag !== undefined) return checkedUrl(sources.flag, "--issuer");
  const fromEnv = sources.env[ISSUER_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return checkedUrl(fromEnv, ISSUER_ENV);
  const found = findRunningStack(sources.stateDir, sources.isAlive);
  const fix = "start the local stack with `npm start` or pass --issuer <url>";
  switch (found.kind) {
    case "running":
      return checkedUrl(found.record.issuerUrl, found.path);
    case "stale":
      throw new CliFailure(
        "no_issuer",
        `no issuer: the local stack recorded in ${found.path} (${found.record.issuerUrl}, pid ${found.record.pid}, ` +
          `started ${found.record.startedAt}) is no longer running: ${fix}`,
      );
    case "damaged":
      throw new CliFailure("no_issuer", `no issuer: ${found.path} is damaged (${found.problem}): delete it and ${fix}`);
    case "none":
      throw new CliFailure(
        "no_issuer",
        `no issuer: ${fix} (or set ${ISSUER_ENV}); no local stack is recorded in ${found.path}`,
      );
  }
}

function checkedUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} must be the issuer's URL, such as http://127.0.0.1:8787; got '${value}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${source} must be an http: or https: URL; got '${value}'`);
  }
  return value.replace(/\/+$/, "");
}
