// The Pulumi engine's own limit on a stack config: it hands the whole config to the program in
// one environment variable (PULUMI_CONFIG), and Linux refuses one over MAX_ARG_STRLEN.

import { PULUMI_ENGINE } from "../../../worker/config/provider-limits.js";

export class EngineRefusal extends Error {
  readonly code = "ERR_ENGINE_REFUSAL";
  constructor(
    message: string,
    readonly bytes: number,
    readonly source: string,
  ) {
    super(message);
    this.name = "EngineRefusal";
  }
}

/**
 * Bytes of the PULUMI_CONFIG environment string (`NAME=value` and its NUL) the engine hands the
 * program. worker/config/warnings.ts engineConfigBytes computes the same for the validator's
 * warning; this copy is kept on purpose (a fake is an independent model of the engine, not a
 * re-export of the code it checks), and engine-config.test.ts pins both to a count made by hand.
 */
export function configEnvironmentBytes(config: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(`PULUMI_CONFIG=${JSON.stringify(config)}`, "utf8") + 1;
}

/**
 * Refuses, before the program runs, a stack config the engine cannot hand over: Linux refuses an
 * environment string over MAX_ARG_STRLEN, and `pulumi up` fails with "argument list too long".
 */
export function checkEngineConfig(config: Readonly<Record<string, string>>): void {
  const bytes = configEnvironmentBytes(config);
  const limit = PULUMI_ENGINE.configEnvironmentBytes;
  if (bytes > limit.value) {
    throw new EngineRefusal(
      `fork/exec node: argument list too long (the stack config's PULUMI_CONFIG is ${bytes} bytes; Linux allows ${limit.value} per environment string)`,
      bytes,
      limit.source,
    );
  }
}
