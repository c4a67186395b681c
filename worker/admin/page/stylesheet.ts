// The operator page's stylesheet, served by the issuer at STYLESHEET_PATH (CSP style-src 'self':
// no inline style, no third-party asset). Every state has a text label and a symbol on the page;
// the colours below only repeat them.

export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
  --signing: #1a7f37; --waiting: #8fb8ea; --verifying: #b7bdc4; --revoked: #cf222e; --now: #0550ae; --next: #8250df; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
h4 { font-size: 1rem; margin: 0 0 6px; }
nav { padding: 6px 0 12px; }
nav a { margin-right: 14px; }
code { font: 13px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.kind { font-size: 0.8rem; color: var(--muted); font-weight: normal; }
.empty { color: var(--muted); font-style: italic; }
.header-row { display: flex; justify-content: space-between; align-items: center; gap: 16px; }
.sign-out { margin: 0; }
button { font: inherit; padding: 4px 14px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0 12px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.kid code { font-size: 12px; }
.entry { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 10px 0; }
ul.trusts { margin: 0; padding-left: 16px; }
.state-badge, .outcome { font-size: 12px; font-weight: 600; padding: 1px 6px; border-radius: 4px; border: 1px solid currentColor; }
.state-active { color: var(--signing); }
.state-next { color: #0a3069; }
.state-retired, .state-left { color: var(--muted); }
.state-revoked { color: #fff; background: var(--revoked); border-color: var(--revoked); }
tr.key-revoked td { background: #ffebe9; }
.outcome-issued { color: var(--signing); }
.outcome-refused { color: #fff; background: var(--revoked); border-color: var(--revoked); }
.planned-note { color: var(--muted); font-size: 12px; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; color: var(--muted); }
.sym { display: inline-block; width: 1.1em; text-align: center; color: var(--ink); }
.swatch { display: inline-block; width: 22px; height: 10px; vertical-align: middle; border: 1px solid #8c959f; }
.swatch.seg-waiting { background: var(--waiting); }
.swatch.seg-signing { background: var(--signing); }
.swatch.seg-verifying { background: var(--verifying); }
.notice { color: var(--revoked); font-weight: 600; }
main.sign-in { max-width: 520px; padding-top: 48px; }
main.sign-in form { display: flex; flex-direction: column; gap: 8px; }
main.sign-in input { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
svg.timeline { display: block; max-width: 100%; height: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; font-family: system-ui, sans-serif; }
svg.timeline .tick { stroke: #eaeef2; stroke-width: 1; }
svg.timeline .tick-label, svg.timeline .axis-note { font-size: 11px; fill: var(--muted); }
svg.timeline .lane-state { font-size: 12px; font-weight: 700; fill: var(--ink); }
svg.timeline .lane-kid { font: 11px ui-monospace, Menlo, Consolas, monospace; fill: var(--muted); }
svg.timeline .seg-waiting { fill: var(--waiting); }
svg.timeline .seg-signing { fill: var(--signing); }
svg.timeline .seg-verifying { fill: var(--verifying); }
svg.timeline .lane-revoked .seg { fill: #ffcecb; stroke: var(--revoked); stroke-width: 1; stroke-dasharray: 4 2; }
svg.timeline .lane-revoked .lane-state { fill: var(--revoked); }
svg.timeline .lane-left .seg { opacity: 0.55; }
svg.timeline .strike { stroke: var(--revoked); stroke-width: 2; }
svg.timeline .mark { font-size: 13px; fill: var(--ink); stroke: var(--bg); stroke-width: 0.6; paint-order: stroke; }
svg.timeline .mark.planned { fill: var(--bg); stroke: var(--ink); stroke-width: 1; }
svg.timeline .mark-revoked { fill: var(--revoked); font-size: 16px; font-weight: 700; }
svg.timeline .now line { stroke: var(--now); stroke-width: 2; }
svg.timeline .now text { fill: var(--now); font-size: 12px; font-weight: 600; }
svg.timeline .next-step line { stroke: var(--next); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg.timeline .next-step text { fill: var(--next); font-size: 12px; font-weight: 600; }
svg.timeline .cache-bound { fill: #ddf4ff; opacity: 0.8; }
`;
