// The operator page's registry panel: each workload and workflow the stack registers, the
// audiences it may ask for, its token lifetimes, and the federated targets the stack provisions
// for it (worker/trust/targets.ts: party, target, audience, and the subjects each admits).

import type { RuntimeSettings, RuntimeWorkflow, RuntimeWorkload } from "../../runtime-config/types.js";
import type { FederatedTarget } from "../../trust/targets.js";
import { text } from "./escape.js";
import { span } from "./format.js";

const PARTY_NAME: Readonly<Record<FederatedTarget["party"], string>> = {
  aws: "AWS IAM",
  gcp: "Google Cloud",
  azure: "Microsoft Entra ID",
  vault: "HashiCorp Vault",
  anthropic: "Claude API",
  openai: "OpenAI API",
};

export function renderRegistry(config: Pick<RuntimeSettings, "workloads" | "workflows">): string {
  const workloads = config.workloads.map((w) => entry("workload", w.name, workloadFacts(w), w));
  const workflows = config.workflows.map((w) => entry("workflow", w.name, workflowFacts(w), w));
  return `<section id="registry" aria-labelledby="registry-heading">
<h2 id="registry-heading">Registry</h2>
<h3>Workloads (${config.workloads.length})</h3>
${workloads.length === 0 ? '<p class="empty">The stack registers no workload.</p>' : workloads.join("\n")}
<h3>Workflows (${config.workflows.length})</h3>
${workflows.length === 0 ? '<p class="empty">The stack registers no workflow.</p>' : workflows.join("\n")}
</section>`;
}

type Facts = readonly (readonly [string, string])[];

function workloadFacts(w: RuntimeWorkload): Facts {
  return [
    ["subject", `<code>${text(w.subject)}</code>`],
    ...common(w),
    ["mTLS", w.certificateThumbprint === undefined ? "no" : "yes: its tokens are bound to its client certificate"],
    [
      "native tokens",
      w.native === undefined
        ? "none exchanged"
        : `exchanged at POST /token from <code>${text(w.native.issuer)}</code>, subject <code>${text(w.native.subject)}</code>`,
    ],
  ];
}

function workflowFacts(w: RuntimeWorkflow): Facts {
  return [["subject", `<code>${text(w.subjectPrefix)}&lt;instance id&gt;</code>`], ...common(w)];
}

function common(w: RuntimeWorkload | RuntimeWorkflow): Facts {
  return [
    ["audiences", w.audiences.length === 0 ? "none" : w.audiences.map((a) => `<code>${text(a)}</code>`).join(", ")],
    [
      "lifetimes",
      `${text(span(w.tokenLifetimeSeconds * 1_000))} by default, at most ${text(span(w.maxTokenLifetimeSeconds * 1_000))}`,
    ],
  ];
}

function entry(
  kind: "workload" | "workflow",
  name: string,
  facts: Facts,
  w: { readonly targets?: readonly FederatedTarget[] },
): string {
  const targets = w.targets ?? [];
  const dl = facts.map(([term, value]) => `<dt>${text(term)}</dt><dd>${value}</dd>`).join("");
  return `<article class="entry ${kind}" data-name="${text(name)}">
<h4>${text(name)} <span class="kind">${kind}</span></h4>
<dl class="facts">${dl}</dl>
${targets.length === 0 ? '<p class="empty">No federated target: the stack provisions no trust for it.</p>' : targetTable(name, targets)}
</article>`;
}

function targetTable(name: string, targets: readonly FederatedTarget[]): string {
  const rows = targets.map(
    (t) => `<tr class="target target-${text(t.party)}">
  <td>${text(PARTY_NAME[t.party] ?? t.party)}</td>
  <td><code>${text(t.target)}</code></td>
  <td><code>${text(t.audience)}</code></td>
  <td><ul class="trusts">${t.trusts.map((s) => `<li><code>${text(s.subject)}</code> from <code>${text(s.issuer)}</code></li>`).join("")}</ul></td>
</tr>`,
  );
  return `<table class="targets">
<caption>Federated targets of ${text(name)}</caption>
<thead><tr><th scope="col">party</th><th scope="col">target</th><th scope="col">audience</th><th scope="col">trusted subjects</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}
