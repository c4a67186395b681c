// `wid trust anthropic <workload>` and `wid trust openai <workload>` [--stack <name|path>] [--json]:
// the console trust the program outputs for a workload (worker/console-trust/), printed from the
// stack file offline: what to create in the Claude Console or the OpenAI Platform, as JSON the
// Admin APIs take, and the curl commands that create it. Exit 0 printed; 1 for a stack that is
// missing or invalid, an unknown workload, or a workload without the section.

import { existsSync } from "node:fs";
import { ConfigError } from "../config/errors.js";
import type { StackConfig, WorkloadConfig } from "../config/types.js";
import { loadStackConfigFile } from "../config-files/stack-file.js";
import { anthropicConsoleTrust } from "../console-trust/anthropic.js";
import { openaiConsoleTrust } from "../console-trust/openai.js";
import type { AdminCall, Placeholder } from "../console-trust/shell.js";
import { CliFailure, UsageError } from "./failure.js";
import { stackFilePath } from "./validate.js";

export type TrustParty = "anthropic" | "openai";

export interface TrustPrinted {
  readonly text: string;
  readonly json: unknown;
}

const PARTY: Readonly<
  Record<TrustParty, { readonly name: string; readonly console: string; readonly example: string }>
> = {
  anthropic: {
    name: "the Claude API",
    console:
      "Claude Console (Settings > Workload identity), or the Admin API with an org:admin OAuth token in $ANTHROPIC_ADMIN_TOKEN",
    example:
      "anthropic: {organizationId: <uuid>, serviceAccountId: svac_..., federationRuleId: fdrl_..., audience: https://api.anthropic.com}",
  },
  openai: {
    name: "the OpenAI API",
    console:
      "OpenAI Platform (Organization settings > Security > Workload Identity Provider), or the Admin API with an admin key in $OPENAI_ADMIN_KEY",
    example:
      "openai: {identityProviderId: <id>, serviceAccountId: <id>, projectId: proj_..., audience: https://api.openai.com/v1}",
  },
};

/** The validated stack `--stack` names (a name or a path), or a CliFailure naming the fix. */
export function loadStack(stack: string, cwd: string): StackConfig {
  const path = stackFilePath(stack, cwd);
  if (!existsSync(path)) {
    throw new CliFailure(
      "failed",
      `${path} does not exist; pass --stack <name> for Pulumi.<name>.yaml in this directory, or its path`,
    );
  }
  try {
    return loadStackConfigFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliFailure(
      "invalid_stack",
      `${path} is not a valid stack config (\`wid validate\` lists why):\n${error.message}`,
    );
  }
}

function workloadNamed(config: StackConfig, name: string, party: TrustParty): WorkloadConfig {
  const workload = config.workloads.find((w) => w.name === name);
  if (workload === undefined) {
    const known = config.workloads.map((w) => w.name).join(", ") || "none";
    throw new CliFailure(
      "unknown_workload",
      `stack ${config.stack} has no workload '${name}' (its workloads: ${known})`,
    );
  }
  if (workload[party] === undefined) {
    const withSection = config.workloads.filter((w) => w[party] !== undefined).map((w) => w.name);
    throw new CliFailure(
      "no_section",
      `workload '${name}' of stack ${config.stack} has no ${party} section, so ${PARTY[party].name} trusts nothing of it; ` +
        `add ${PARTY[party].example} to workloads.${name}` +
        (withSection.length > 0 ? ` (workloads with one: ${withSection.join(", ")})` : ""),
    );
  }
  return workload;
}

function render(
  title: string,
  calls: readonly AdminCall[],
  placeholders: readonly Placeholder[],
  party: TrustParty,
): string {
  const lines = [title, "", `Create these in the ${PARTY[party].console}:`];
  calls.forEach((call, index) => {
    lines.push("", `${index + 1}. ${call.title}`, "", call.curl);
  });
  if (placeholders.length > 0) {
    lines.push("", "Set before running:");
    for (const placeholder of placeholders) lines.push(`  ${placeholder.variable}: ${placeholder.meaning}`);
  }
  return lines.join("\n");
}

export function trustCommand(
  party: TrustParty,
  workloadName: string | undefined,
  options: { readonly stack: string; readonly cwd: string },
): TrustPrinted {
  if (workloadName === undefined) {
    throw new UsageError(`wid trust ${party}: name the workload: wid trust ${party} <workload>`, `trust ${party}`);
  }
  const config = loadStack(options.stack, options.cwd);
  const workload = workloadNamed(config, workloadName, party);
  if (party === "anthropic") {
    const trust = anthropicConsoleTrust(config.issuer, workload, config.stack)!;
    const title =
      `Claude API trust for workload ${workload.name} (stack ${config.stack}): tokens of ${trust.issuer} with ` +
      `sub ${trust.subject} and aud ${trust.audience} act as ${trust.federationRule.target.service_account_id}.`;
    return { text: render(title, trust.calls, trust.placeholders, party), json: trust };
  }
  const trust = openaiConsoleTrust(config.issuer, workload, config.stack)!;
  const title =
    `OpenAI API trust for workload ${workload.name} (stack ${config.stack}): tokens of ${trust.issuer} with ` +
    `sub ${trust.subject} and aud ${trust.audience} act as ${trust.federationRule.service_account_id} in ${trust.federationRule.project_id}.`;
  return { text: render(title, trust.calls, trust.placeholders, party), json: trust };
}
