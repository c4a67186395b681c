// The signing-key panel rendered from a listing: lanes, dates as UTC text, the revoked key drawn
// as revoked, the markers and the next scheduled step; and the lane model beneath it.

import assert from "node:assert/strict";
import { keyLanes, scheduledStep } from "../../worker/admin/page/key-lanes.js";
import { renderKeyTimeline } from "../../worker/admin/page/key-timeline.js";
import { DAY, HOUR, keyListing, NOW } from "./page-fixtures.js";

function row(html: string, kid: string): string {
  const match = new RegExp(`<tr class="key-row[^"]*" data-kid="${kid}">([\\s\\S]*?)</tr>`).exec(html);
  assert.ok(match, `no table row for ${kid}`);
  return match[1] as string;
}

describe("operator page: the signing-key timeline", () => {
  it("draws one lane per key, published keys first, and the revoked key rebuilt from the events", () => {
    const lanes = keyLanes(keyListing());
    assert.deepEqual(
      lanes.map((l) => [l.kid, l.state]),
      [
        ["active-kid-0002", "active"],
        ["retired-kid-0001", "retired"],
        ["revoked-kid-0003", "revoked"],
      ],
    );
    const revoked = lanes[2]!;
    assert.deepEqual(
      revoked.marks.map((m) => [m.kind, new Date(m.at).toISOString()]),
      [
        ["created", "2026-11-10T00:00:00.000Z"],
        ["revoked", "2026-11-20T08:00:00.000Z"],
      ],
    );
  });

  it("writes every date of the table as ISO UTC text", () => {
    const html = renderKeyTimeline(keyListing());
    const retired = row(html, "retired-kid-0001");
    for (const date of ["2026-11-01 00:00:05 UTC", "2026-12-01 00:00:00 UTC", "2026-12-05 01:00:30 UTC"]) {
      assert.ok(retired.includes(date), `${date} missing from ${retired}`);
    }
    assert.match(
      retired,
      /<time datetime="2026-12-05T01:00:30Z">2026-12-05 01:00:30 UTC<\/time> <span class="planned-note">\(planned\)/,
    );
    const active = row(html, "active-kid-0002");
    assert.ok(active.includes("2026-11-15 00:00:01 UTC") && active.includes("2026-12-01 00:00:00 UTC"));
    assert.ok(active.includes("ACTIVE"));
  });

  it("draws a revoked key as revoked: its own lane class, the REVOKED label, a strike and the ✕ mark", () => {
    const html = renderKeyTimeline(keyListing());
    const lane = /<g class="lane lane-revoked">([\s\S]*?)<\/g>/.exec(html)?.[1];
    assert.ok(lane, "no revoked lane in the SVG");
    assert.ok(lane.includes(">REVOKED<"), "the revoked lane has no REVOKED label");
    assert.ok(lane.includes('class="strike"'));
    assert.match(lane, /revoked: withdrawn from the JWKS: 2026-11-20 08:00:00 UTC<\/title>✕/);
    const tableRow = row(html, "revoked-kid-0003");
    assert.ok(tableRow.includes('state-badge state-revoked">REVOKED'));
    assert.ok(tableRow.includes("2026-11-20 08:00:00 UTC"));
  });

  it("marks now, the next scheduled step and the JWKS cache bound, and says the rotation period", () => {
    const html = renderKeyTimeline(keyListing());
    assert.match(html, /<g class="now">.*now 2026-12-04 12:00:00 UTC<\/text><\/g>/);
    assert.match(html, /<g class="next-step">.*next step 2026-12-04 18:00:00 UTC<\/text><\/g>/);
    assert.match(html, /JWKS cache bound: a JWKS fetched now may be used until 2026-12-04 12:30:00 UTC/);
    assert.match(html, /<dt>Rotation period<\/dt><dd>30 days<\/dd>/);
    assert.match(html, /max-age 1800 s/);
    assert.match(html, /a new key signs only 1 h 4 min after it is published/);
  });

  it("is labelled for assistive technology: role img with a title and a description naming every key", () => {
    const html = renderKeyTimeline(keyListing());
    assert.match(html, /<svg class="timeline"[^>]* role="img" aria-labelledby="timeline-title timeline-desc"/);
    const desc = /<desc id="timeline-desc">([^<]*)<\/desc>/.exec(html)?.[1] ?? "";
    for (const kid of ["active-kid-0002", "retired-kid-0001", "revoked-kid-0003"]) assert.ok(desc.includes(kid));
    assert.ok(desc.includes("revoked-kid-0003 (revoked)"));
  });

  it("places the marks in time order on the axis", () => {
    const html = renderKeyTimeline(keyListing());
    const lane = /<g class="lane lane-retired">([\s\S]*?)<\/g>/.exec(html)?.[1] ?? "";
    const xs = [...lane.matchAll(/<text class="mark[^"]*" x="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(xs.length, 4);
    assert.deepEqual(
      [...xs].sort((a, b) => a - b),
      xs,
    );
    assert.ok(xs[0]! < xs[3]!);
  });

  it("shows a next key's earliest signing instant as planned: its publication plus the delay", () => {
    const publishedAt = NOW - HOUR;
    const listing = keyListing({
      keys: [
        ...keyListing().keys,
        {
          kid: "next-kid-0004",
          alg: "ES256",
          kekId: "00112233445566aa",
          state: "next",
          createdAt: publishedAt,
          publishedAt,
          activatedAt: null,
          retiredAt: null,
          unpublishAt: null,
        },
      ],
    });
    const next = keyLanes(listing)[0]!;
    assert.equal(next.state, "next");
    const signs = next.marks.find((m) => m.kind === "signs")!;
    assert.equal(signs.at, publishedAt + 3_870_000);
    assert.equal(signs.planned, true);
  });

  it("says so when there is no key yet", () => {
    const html = renderKeyTimeline(keyListing({ keys: [], events: [] }));
    assert.ok(html.includes("No signing key yet"));
    assert.ok(!html.includes("<svg"));
  });
});

describe("operator page: the next scheduled step", () => {
  const active = {
    kid: "a",
    alg: "ES256" as const,
    kekId: "00112233445566aa",
    state: "active" as const,
    createdAt: NOW - 20 * DAY,
    publishedAt: NOW - 20 * DAY,
    activatedAt: NOW - 20 * DAY,
    retiredAt: null,
    unpublishAt: null,
  };

  it("says in words each step the key store planned for its next check, naming the keys", () => {
    const next = { ...active, kid: "n", state: "next" as const, activatedAt: null, publishedAt: NOW - 5 * DAY };
    const due = active.activatedAt + 30 * DAY;
    const step = scheduledStep(
      keyListing({
        keys: [active, next],
        nextCheckAt: due,
        nextSteps: [
          { kind: "unpublish", kid: "retired-kid-0001", reason: "every token it signed has expired" },
          { kind: "activate", kid: "n", reason: "the rotation period has passed" },
        ],
      }),
    );
    assert.equal(step.at, due);
    assert.equal(
      step.what,
      "remove key retired-kid-0001 from the JWKS: every token it signed has expired; " +
        "activate key n (it signs from then) and retire key a: the rotation period has passed",
    );
  });

  it("names a key it will create, which has no kid yet", () => {
    const step = scheduledStep(
      keyListing({ keys: [active], nextSteps: [{ kind: "create", kid: null, reason: "half the period" }] }),
    );
    assert.equal(step.what, "create the next key and publish it: half the period");
  });

  it("falls back to the periodic check when nothing is due", () => {
    const step = scheduledStep(keyListing({ keys: [active], nextCheckAt: NOW + 6 * HOUR }));
    assert.equal(step.at, NOW + 6 * HOUR);
    assert.match(
      step.what,
      /^check the rotation timeline: nothing is due before then \(the key store looks at least every 6 hours\)$/,
    );
  });
});
