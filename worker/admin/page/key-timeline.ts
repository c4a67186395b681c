// The operator page's signing-key panel: the timeline drawn as SVG on a time axis (one lane per
// key, a symbol and a text label for each instant, "now", the next scheduled step, the JWKS cache
// bound), then the same facts as a table of dates. Shape and text carry every state, colour only
// repeats them: a revoked key's lane is struck through and labelled REVOKED.

import { text } from "./escape.js";
import { span, utc, utcAttribute } from "./format.js";
import { type KeyLane, keyLanes, type LaneMark, type MarkKind, scheduledStep } from "./key-lanes.js";
import type { PageKeyListing } from "./view.js";

const WIDTH = 1_000;
const LABEL_X = 8;
const PLOT_X0 = 250;
const PLOT_X1 = WIDTH - 24;
const AXIS_TOP = 48;
const LANE_HEIGHT = 44;
const BAR_HEIGHT = 14;
const TICKS = 4;
const KID_SHOWN = 14;
const STRIKE_OVERHANG = 8;

const STATE_LABEL: Readonly<Record<KeyLane["state"], string>> = {
  next: "NEXT",
  active: "ACTIVE",
  retired: "RETIRED",
  revoked: "REVOKED",
  left: "LEFT THE JWKS",
};

/** A text symbol per instant, so the marks differ by shape as well as colour. */
const MARK_SYMBOL: Readonly<Record<MarkKind, string>> = {
  created: "+",
  published: "●",
  signs: "▶",
  stopped: "■",
  leaves: "◆",
  revoked: "✕",
};

export function renderKeyTimeline(listing: PageKeyListing): string {
  const lanes = keyLanes(listing);
  const step = scheduledStep(listing);
  const summary = `<dl class="facts">
  <dt>Now</dt><dd>${time(listing.now)}</dd>
  <dt>Rotation period</dt><dd>${text(listing.rotationPeriodDays)} days</dd>
  <dt>JWKS cache bound</dt><dd>relying parties may cache the JWKS for ${text(span(listing.jwksMaxAgeSeconds * 1_000))} (max-age ${text(listing.jwksMaxAgeSeconds)} s)</dd>
  <dt>Publication delay</dt><dd>a new key signs only ${text(span(listing.publicationDelaySeconds * 1_000))} after it is published</dd>
  <dt>Next scheduled step</dt><dd class="next-step">${time(step.at)}: ${text(step.what)}</dd>
</dl>`;
  if (lanes.length === 0) {
    return section(
      `${summary}\n<p class="empty">No signing key yet: the key store creates the first one at the first request that needs it.</p>`,
    );
  }
  return section(`${summary}\n${svg(listing, lanes, step.at)}\n${legend()}\n${table(lanes)}`);
}

function section(body: string): string {
  return `<section id="keys" aria-labelledby="keys-heading">
<h2 id="keys-heading">Signing keys</h2>
${body}
</section>`;
}

function time(ms: number): string {
  return `<time datetime="${utcAttribute(ms)}">${text(utc(ms))}</time>`;
}

interface Axis {
  readonly from: number;
  readonly to: number;
  readonly x: (ms: number) => number;
}

function axisOf(listing: PageKeyListing, lanes: readonly KeyLane[], nextAt: number): Axis {
  const instants = [listing.now, nextAt, listing.now + listing.jwksMaxAgeSeconds * 1_000];
  for (const lane of lanes) for (const mark of lane.marks) instants.push(mark.at);
  const min = Math.min(...instants);
  const max = Math.max(...instants);
  const pad = max > min ? (max - min) * 0.05 : 3_600_000;
  const from = min - pad;
  const to = max + pad;
  const x = (ms: number) => round(PLOT_X0 + ((ms - from) / (to - from)) * (PLOT_X1 - PLOT_X0));
  return { from, to, x };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function svg(listing: PageKeyListing, lanes: readonly KeyLane[], nextAt: number): string {
  const axis = axisOf(listing, lanes, nextAt);
  const height = AXIS_TOP + lanes.length * LANE_HEIGHT + 36;
  const plotBottom = AXIS_TOP + lanes.length * LANE_HEIGHT;
  const description = lanes
    .map(
      (lane) =>
        `${lane.kid} (${STATE_LABEL[lane.state].toLowerCase()}): ${lane.marks.map((m) => `${m.label} ${utc(m.at)}`).join(", ")}`,
    )
    .join(". ");
  const cacheEnd = axis.x(listing.now + listing.jwksMaxAgeSeconds * 1_000);
  const parts = [
    `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="timeline-title timeline-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="timeline-title">Signing-key timeline, ${text(utc(axis.from))} to ${text(utc(axis.to))}</title>`,
    `<desc id="timeline-desc">${text(description)}</desc>`,
    ...ticks(axis, plotBottom),
    `<rect class="cache-bound" x="${axis.x(listing.now)}" y="${AXIS_TOP - 6}" width="${round(Math.max(2, cacheEnd - axis.x(listing.now)))}" height="${plotBottom - AXIS_TOP + 6}"><title>JWKS cache bound: a JWKS fetched now may be used until ${text(utc(listing.now + listing.jwksMaxAgeSeconds * 1_000))}</title></rect>`,
    ...lanes.flatMap((lane, i) => laneParts(lane, i, axis)),
    verticalLine("now", axis.x(listing.now), plotBottom, `now ${utc(listing.now)}`, 14),
    verticalLine("next-step", axis.x(nextAt), plotBottom, `next step ${utc(nextAt)}`, 30),
    `<text class="axis-note" x="${PLOT_X0}" y="${height - 6}">shaded after now: the JWKS cache bound (${text(span(listing.jwksMaxAgeSeconds * 1_000))})</text>`,
    "</svg>",
  ];
  return parts.join("\n");
}

function ticks(axis: Axis, plotBottom: number): string[] {
  const out: string[] = [];
  for (let i = 0; i <= TICKS; i++) {
    const at = axis.from + ((axis.to - axis.from) * i) / TICKS;
    const x = axis.x(at);
    const anchor = i === 0 ? "start" : i === TICKS ? "end" : "middle";
    out.push(
      `<line class="tick" x1="${x}" y1="${AXIS_TOP - 4}" x2="${x}" y2="${plotBottom}"/>`,
      `<text class="tick-label" x="${x}" y="${plotBottom + 14}" text-anchor="${anchor}">${text(utc(at).slice(0, 16))}</text>`,
    );
  }
  return out;
}

function verticalLine(kind: string, x: number, plotBottom: number, label: string, labelY: number): string {
  const anchor = x > PLOT_X1 - 160 ? "end" : "start";
  const dx = anchor === "end" ? -4 : 4;
  return `<g class="${kind}"><line x1="${x}" y1="${labelY - 10}" x2="${x}" y2="${plotBottom}"/><text x="${round(x + dx)}" y="${labelY}" text-anchor="${anchor}">${text(label)}</text></g>`;
}

function laneParts(lane: KeyLane, index: number, axis: Axis): string[] {
  const top = AXIS_TOP + index * LANE_HEIGHT;
  const barY = top + 20;
  const kid = lane.kid.length > KID_SHOWN ? `${lane.kid.slice(0, KID_SHOWN)}…` : lane.kid;
  const out = [
    `<g class="lane lane-${lane.state}">`,
    `<title>key ${text(lane.kid)}: ${text(STATE_LABEL[lane.state].toLowerCase())}</title>`,
    `<text class="lane-state" x="${LABEL_X}" y="${top + 16}">${text(STATE_LABEL[lane.state])}${lane.alg === null ? "" : ` · ${text(lane.alg)}`}</text>`,
    `<text class="lane-kid" x="${LABEL_X}" y="${top + 32}">${text(kid)}</text>`,
  ];
  const start = lane.marks[0]?.at ?? axis.from;
  const end = lane.endsAt ?? axis.to;
  for (const [from, to, kind] of segments(lane, start, end)) {
    const x0 = axis.x(from);
    const w = round(Math.max(1, axis.x(to) - x0));
    out.push(`<rect class="seg seg-${kind}" x="${x0}" y="${barY}" width="${w}" height="${BAR_HEIGHT}"/>`);
  }
  if (lane.state === "revoked") {
    const x0 = axis.x(start);
    const x1 = axis.x(end);
    // Past both ends, so a key revoked moments after it was made is still visibly struck through.
    out.push(
      `<line class="strike" x1="${round(x0 - STRIKE_OVERHANG)}" y1="${barY + BAR_HEIGHT / 2}" x2="${round(x1 + STRIKE_OVERHANG)}" y2="${barY + BAR_HEIGHT / 2}"/>`,
    );
  }
  for (const mark of lane.marks) out.push(markPart(mark, axis.x(mark.at), barY));
  out.push("</g>");
  return out;
}

/** The bar's pieces: waiting (published, not signing), signing, verifying only (retired). */
function segments(lane: KeyLane, start: number, end: number): [number, number, string][] {
  const signs = lane.marks.find((m) => m.kind === "signs" && !m.planned)?.at;
  const stopped = lane.marks.find((m) => m.kind === "stopped")?.at;
  const out: [number, number, string][] = [];
  const firstSigning = signs ?? end;
  if (firstSigning > start) out.push([start, firstSigning, "waiting"]);
  if (signs !== undefined) out.push([signs, stopped ?? end, "signing"]);
  if (stopped !== undefined && end > stopped) out.push([stopped, end, "verifying"]);
  return out;
}

function markPart(mark: LaneMark, x: number, barY: number): string {
  const cls = `mark mark-${mark.kind}${mark.planned ? " planned" : ""}`;
  const words = `${mark.label}${mark.planned ? " (planned)" : ""}: ${utc(mark.at)}`;
  return `<text class="${cls}" x="${x}" y="${barY + BAR_HEIGHT - 2}" text-anchor="middle"><title>${text(words)}</title>${MARK_SYMBOL[mark.kind]}</text>`;
}

function legend(): string {
  return `<ul class="legend">
  <li><span class="sym">${MARK_SYMBOL.published}</span> published in the JWKS</li>
  <li><span class="sym">${MARK_SYMBOL.signs}</span> began signing (hollow: the earliest it may)</li>
  <li><span class="sym">${MARK_SYMBOL.stopped}</span> stopped signing</li>
  <li><span class="sym">${MARK_SYMBOL.leaves}</span> leaves (or left) the JWKS</li>
  <li><span class="sym">${MARK_SYMBOL.revoked}</span> revoked: withdrawn at once, its tokens no longer verify</li>
  <li><span class="swatch seg-waiting"></span> published, signing nothing</li>
  <li><span class="swatch seg-signing"></span> signing</li>
  <li><span class="swatch seg-verifying"></span> retired, verifying its tokens only</li>
</ul>`;
}

function table(lanes: readonly KeyLane[]): string {
  const rows = lanes.map((lane) => {
    const cell = (kinds: readonly MarkKind[]) => {
      const mark = lane.marks.find((m) => kinds.includes(m.kind));
      if (mark === undefined) return "<td>—</td>";
      return `<td>${time(mark.at)}${mark.planned ? ' <span class="planned-note">(planned)</span>' : ""}</td>`;
    };
    return `<tr class="key-row key-${lane.state}" data-kid="${text(lane.kid)}">
  <td class="kid"><code>${text(lane.kid)}</code></td>
  <td class="state"><span class="state-badge state-${lane.state}">${text(STATE_LABEL[lane.state])}</span></td>
  <td>${lane.alg === null ? "—" : text(lane.alg)}</td>
  ${cell(["published", "created"])}
  ${cell(["signs"])}
  ${cell(["stopped"])}
  ${cell(["leaves", "revoked"])}
</tr>`;
  });
  return `<table class="keys">
<caption>Each key's dates (UTC); a revoked key left the JWKS when it was revoked</caption>
<thead><tr><th scope="col">kid</th><th scope="col">state</th><th scope="col">alg</th><th scope="col">published</th><th scope="col">began signing</th><th scope="col">stopped signing</th><th scope="col">leaves the JWKS</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}
