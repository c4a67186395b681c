// The operator page's issuance panel: the key store's issuance log (worker/activity/types.ts),
// counts per workload or workflow, audience, outcome and code, then the last events. The log is
// privacy-safe by construction (registered names, allowed audiences or "(other)", codes, times);
// the page escapes it all the same, as it escapes everything it reads from storage.

import type { ActivityCount, ActivityEvent, ActivitySummary } from "../../activity/types.js";
import { text } from "./escape.js";
import { utc, utcAttribute } from "./format.js";

export function renderActivity(activity: ActivitySummary): string {
  const intro =
    activity.since === null
      ? '<p class="empty">No token request recorded yet.</p>'
      : `<p>Counted since ${time(activity.since)}; the table keeps at most ${text(activity.limits.counts)} rows and the last ${text(activity.limits.recent)} events.${
          activity.uncounted > 0
            ? ` <strong>${text(activity.uncounted)} events are in no row</strong>: the table was full when they came.`
            : ""
        }</p>`;
  return `<section id="activity" aria-labelledby="activity-heading">
<h2 id="activity-heading">Recent issuance and refusals</h2>
${intro}
${activity.counts.length === 0 ? "" : countsTable(activity.counts)}
${activity.recent.length === 0 ? "" : recentTable(activity.recent)}
</section>`;
}

function time(ms: number): string {
  return `<time datetime="${utcAttribute(ms)}">${text(utc(ms))}</time>`;
}

function who(requester: ActivityEvent["requester"], name: string | null): string {
  return name === null
    ? `<em>unregistered ${text(requester)}</em>`
    : `${text(name)} <span class="kind">${text(requester)}</span>`;
}

function outcome(o: ActivityEvent["outcome"], code: string | null): string {
  const badge = `<span class="outcome outcome-${o}">${o === "issued" ? "issued" : "REFUSED"}</span>`;
  return `<td>${badge}</td><td>${code === null ? "—" : `<code>${text(code)}</code>`}</td>`;
}

function audience(a: string | null): string {
  return a === null ? "<em>none asked</em>" : `<code>${text(a)}</code>`;
}

function countsTable(counts: readonly ActivityCount[]): string {
  const rows = counts.map(
    (c) => `<tr class="count count-${c.outcome}">
  <td>${who(c.requester, c.name)}</td><td>${audience(c.audience)}</td>${outcome(c.outcome, c.code)}
  <td class="number">${text(c.count)}</td><td>${time(c.firstAt)}</td><td>${time(c.lastAt)}</td>
</tr>`,
  );
  return `<table class="counts">
<caption>Requests counted by requester, audience, outcome and code</caption>
<thead><tr><th scope="col">requester</th><th scope="col">audience</th><th scope="col">outcome</th><th scope="col">code</th><th scope="col">count</th><th scope="col">first</th><th scope="col">last</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

function recentTable(recent: readonly ActivityEvent[]): string {
  const rows = recent.map(
    (e) => `<tr class="event event-${e.outcome}">
  <td>${time(e.at)}</td><td>${text(e.channel)}</td><td>${who(e.requester, e.name)}</td><td>${audience(e.audience)}</td>${outcome(e.outcome, e.code)}
</tr>`,
  );
  return `<table class="recent">
<caption>The last requests, most recent first</caption>
<thead><tr><th scope="col">at</th><th scope="col">channel</th><th scope="col">requester</th><th scope="col">audience</th><th scope="col">outcome</th><th scope="col">code</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}
