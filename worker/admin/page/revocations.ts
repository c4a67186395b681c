// The operator page's revocations panel: the entries in force. A single token's entry is shown
// by its expiry only: its jti stays off the page (GET /admin/revocations, behind the admin token,
// lists it), so the page holds no identifier of an issued token.

import { text } from "./escape.js";
import { utc, utcAttribute } from "./format.js";
import type { PageRevocations } from "./view.js";

export function renderRevocations(listing: PageRevocations): string {
  const rows = listing.entries.map((e) => {
    const what =
      e.kind === "jti"
        ? `one token (expires ${time(e.exp)}; its jti: GET /admin/revocations)`
        : `every token of ${text(e.name)} issued up to ${time(e.revokedAt)}`;
    return `<tr class="revocation revocation-${e.kind}">
  <td>${e.kind === "jti" ? "token" : text(e.kind)}</td><td>${what}</td><td>${time(e.revokedAt)}</td><td>${time(e.expiresAt)}</td>
</tr>`;
  });
  const body =
    rows.length === 0
      ? '<p class="empty">No revocation is in force.</p>'
      : `<table class="revocations">
<caption>Revocations in force at ${time(listing.now)}: each is kept until no token it covers can verify</caption>
<thead><tr><th scope="col">kind</th><th scope="col">covers</th><th scope="col">revoked</th><th scope="col">kept until</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
  return `<section id="revocations" aria-labelledby="revocations-heading">
<h2 id="revocations-heading">Revocations in force</h2>
${body}
</section>`;
}

/** Revocation entries count seconds, as tokens do. */
function time(seconds: number): string {
  return `<time datetime="${utcAttribute(seconds * 1_000)}">${text(utc(seconds * 1_000))}</time>`;
}
