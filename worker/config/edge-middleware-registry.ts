// The edge middleware's rules checked against the registry they protect: a rule that names an
// unregistered workload or workflow, another account, or an audience the middleware does not
// accept can only ever answer 403 (or, for the audience, keeps the middleware from starting), so
// the stack refuses it, keyed by the rule's JSON path and with the registered names to choose from.

import { parseRules } from "../rules/rules.js";
import { instanceIdProblem } from "./instance-id.js";
import type { IssueCollector } from "./issues.js";
import { closestName } from "./suggest.js";
import type { EdgeMiddlewareSettings, StackConfig } from "./types.js";
import type { StackWarning } from "./warnings.js";

/** What the rules may name: the stack's account and its registered workloads and workflows. */
export interface RuleRegistry {
  /** The stack's accountId; undefined when it is itself invalid (reported there). */
  readonly accountId: string | undefined;
  readonly workloads: readonly string[];
  readonly workflows: readonly string[];
  /** The stack's maxInstanceIdLength; undefined when invalid. */
  readonly maxInstanceIdLength: number | undefined;
}

/** Adds an issue, under `key` followed by the JSON path, for every rule entry naming nothing real. */
export function reportUnregisteredRuleNames(
  settings: Pick<EdgeMiddlewareSettings, "rules" | "audiences">,
  registry: RuleRegistry,
  key: string,
  issues: IssueCollector,
): void {
  // readEdgeMiddleware parsed the document already; only its settings reach here.
  for (const rule of parseRules(settings.rules).rules) {
    if (rule.public || rule.allow === "authenticated") continue;
    const at = `${key}.rules $.rules[${rule.index}].allow`;
    for (const [i, name] of (rule.allow.workloads ?? []).entries()) {
      if (!registry.workloads.includes(name)) {
        issues.add(
          `${at}.workloads[${i}]`,
          `names '${name}', which is not a registered workload, so this rule can only answer 403; ` +
            chooseFrom(name, registry.workloads, "workload"),
        );
      }
    }
    for (const [i, subject] of (rule.allow.subjects ?? []).entries()) {
      const problem = subjectProblem(subject, registry);
      if (problem !== undefined) issues.add(`${at}.subjects[${i}]`, problem);
    }
    for (const [i, audience] of (rule.allow.audiences ?? []).entries()) {
      if (!settings.audiences.includes(audience)) {
        issues.add(
          `${at}.audiences[${i}]`,
          `names ${JSON.stringify(audience)}, which is not among the middleware's audiences ` +
            `(${settings.audiences.map((a) => JSON.stringify(a)).join(", ")}), so the middleware would refuse to start; ` +
            "add it to edgeMiddleware.audiences or remove it from the rule",
        );
      }
    }
  }
}

/**
 * An audience the middleware accepts that no registered workload or workflow may request: no
 * token for it can exist yet, so a rule needing it answers 403. A warning, not a refusal: the
 * usual rollout adds the API's audience to the middleware before granting it to its callers.
 */
export function unrequestedAudienceWarnings(config: StackConfig): StackWarning[] {
  const middleware = config.edgeMiddleware;
  if (middleware === undefined) return [];
  const requested = new Set([...config.workloads, ...config.workflows].flatMap((entry) => entry.audiences));
  return middleware.audiences
    .filter((audience) => !requested.has(audience))
    .map((audience) => ({
      subject: "edgeMiddleware.audiences",
      message:
        `the middleware accepts ${JSON.stringify(audience)}, but no registered workload or workflow may request it, ` +
        "so no token for it exists and every protected rule answers 403 to it; add it to the audiences of the workloads " +
        "that call this API, or remove it from edgeMiddleware.audiences",
    }));
}

/** Why `subject` names no identity of this stack (with the fix), or undefined when it may. */
function subjectProblem(subject: string, registry: RuleRegistry): string | undefined {
  // rules.ts checked the shape: worker/<account>/<script> or workflow/<account>/<workflow>/<instance>.
  const [kind, account, name, instance] = subject.split("/") as [string, string, string, string | undefined];
  if (registry.accountId !== undefined && account !== registry.accountId) {
    return (
      `names account '${account}', but this stack's workloads and workflows are in account '${registry.accountId}' ` +
      `(accountId), so no token of this issuer carries it and this rule can only answer 403; write ${kind}/${registry.accountId}/${name}${instance === undefined ? "" : `/${instance}`}`
    );
  }
  if (kind === "worker") {
    if (registry.workloads.includes(name)) return undefined;
    return `names the script '${name}', which is not a registered workload, so this rule can only answer 403; ${chooseFrom(name, registry.workloads, "workload")}`;
  }
  if (!registry.workflows.includes(name)) {
    return `names the workflow '${name}', which is not a registered workflow, so this rule can only answer 403; ${chooseFrom(name, registry.workflows, "workflow")}`;
  }
  if (registry.maxInstanceIdLength === undefined || instance === undefined) return undefined;
  const problem = instanceIdProblem({ name, maxInstanceIdLength: registry.maxInstanceIdLength }, instance);
  return problem === undefined
    ? undefined
    : `names an instance no token can carry, so this rule can only answer 403: ${problem}`;
}

/** "did you mean 'x'? the registered workloads are a, b" (or how to register one when there are none). */
function chooseFrom(name: string, known: readonly string[], noun: "workload" | "workflow"): string {
  if (known.length === 0)
    return `this stack registers no ${noun}s; register '${name}' under ${noun}s, or remove it from the rule`;
  const near = closestName(name, known);
  return (
    (near === undefined ? "" : `did you mean '${near}'? `) +
    `the registered ${noun}s are ${known.map((k) => `'${k}'`).join(", ")}; name one of them, or register '${name}' under ${noun}s`
  );
}
