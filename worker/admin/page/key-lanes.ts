// The signing-key timeline as data, before any drawing: one lane per key with the instants of its
// life (published, began signing, stopped, leaves the JWKS), and the key store's next scheduled
// step with what it will do. The published keys come from the listing's keys; a key that already
// left the JWKS (revoked, or removed once its tokens expired) is rebuilt from the listing's recent
// events, so a revocation stays visible after the fact. Pure: what the store answered, nothing else.

import { MAX_ALARM_INTERVAL_MS } from "../../keys/timeline.js";
import type { PageKeyInfo, PageKeyListing } from "./view.js";

export type LaneState = "next" | "active" | "retired" | "revoked" | "left";

export type MarkKind = "created" | "published" | "signs" | "stopped" | "leaves" | "revoked";

export interface LaneMark {
  readonly kind: MarkKind;
  readonly at: number;
  /** Not yet happened: the instant the timeline plans (or the earliest it allows). */
  readonly planned: boolean;
  /** What a person reads beside the date. */
  readonly label: string;
}

export interface KeyLane {
  readonly kid: string;
  readonly alg: string | null;
  readonly state: LaneState;
  /** In time order. */
  readonly marks: readonly LaneMark[];
  /** Where the lane's bar ends; null: it goes on past the axis (a key still signing or waiting). */
  readonly endsAt: number | null;
}

export interface ScheduledStep {
  readonly at: number;
  readonly what: string;
}

const STATE_ORDER: Readonly<Record<LaneState, number>> = { next: 0, active: 1, retired: 2, revoked: 3, left: 4 };

/** Every key of the listing, published ones first (next, active, retired), then the gone ones. */
export function keyLanes(listing: PageKeyListing): KeyLane[] {
  const delayMs = listing.publicationDelaySeconds * 1_000;
  const lanes: KeyLane[] = listing.keys.map((key) => publishedLane(key, delayMs));
  const published = new Set(listing.keys.map((k) => k.kid));
  const gone = new Map<string, PageKeyListing["events"][number][]>();
  for (const event of listing.events) {
    if (published.has(event.kid)) continue;
    gone.set(event.kid, [...(gone.get(event.kid) ?? []), event]);
  }
  for (const [kid, events] of gone) {
    const lane = goneLane(kid, events);
    if (lane !== undefined) lanes.push(lane);
  }
  return lanes.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || laneStart(b) - laneStart(a));
}

function laneStart(lane: KeyLane): number {
  return lane.marks[0]?.at ?? 0;
}

function publishedLane(key: PageKeyInfo, delayMs: number): KeyLane {
  const marks: LaneMark[] = [];
  if (key.publishedAt === null) {
    marks.push({ kind: "created", at: key.createdAt, planned: false, label: "created, not yet in the JWKS" });
  } else {
    marks.push({ kind: "published", at: key.publishedAt, planned: false, label: "published in the JWKS" });
  }
  if (key.activatedAt !== null) {
    marks.push({ kind: "signs", at: key.activatedAt, planned: false, label: "began signing" });
  } else if (key.state === "next" && key.publishedAt !== null) {
    // timeline.ts: a next key signs only once every relying party's cached JWKS holds it.
    marks.push({
      kind: "signs",
      at: key.publishedAt + delayMs,
      planned: true,
      label: "may sign from (publication delay over)",
    });
  }
  if (key.retiredAt !== null)
    marks.push({ kind: "stopped", at: key.retiredAt, planned: false, label: "stopped signing" });
  if (key.unpublishAt !== null) {
    marks.push({ kind: "leaves", at: key.unpublishAt, planned: true, label: "leaves the JWKS (its tokens expired)" });
  }
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    marks: marks.sort((a, b) => a.at - b.at),
    endsAt: key.unpublishAt,
  };
}

function goneLane(kid: string, events: readonly PageKeyListing["events"][number][]): KeyLane | undefined {
  const at = (kind: string) => events.find((e) => e.event === kind)?.at;
  const revokedAt = at("revoked");
  const leftAt = at("unpublished");
  const endsAt = revokedAt ?? leftAt;
  if (endsAt === undefined) return undefined;
  const marks: LaneMark[] = [];
  const created = at("created");
  const activated = at("activated");
  const retired = at("retired");
  if (created !== undefined) marks.push({ kind: "created", at: created, planned: false, label: "created" });
  if (activated !== undefined) marks.push({ kind: "signs", at: activated, planned: false, label: "began signing" });
  if (retired !== undefined) marks.push({ kind: "stopped", at: retired, planned: false, label: "stopped signing" });
  if (revokedAt !== undefined) {
    marks.push({ kind: "revoked", at: revokedAt, planned: false, label: "revoked: withdrawn from the JWKS" });
  } else {
    marks.push({ kind: "leaves", at: endsAt, planned: false, label: "left the JWKS (its tokens expired)" });
  }
  return {
    kid,
    alg: null,
    state: revokedAt !== undefined ? "revoked" : "left",
    marks: marks.sort((a, b) => a.at - b.at),
    endsAt,
  };
}

/**
 * What the key store will do at `nextCheckAt`, in words: the steps it planned itself
 * (timeline.ts's scheduledSteps at that instant, in the listing), never a rule restated here.
 */
export function scheduledStep(listing: PageKeyListing): ScheduledStep {
  const active = listing.keys.find((k) => k.state === "active");
  const what = listing.nextSteps.map((step) => stepInWords(step, active?.kid));
  if (what.length === 0) {
    what.push(
      `check the rotation timeline: nothing is due before then (the key store looks at least every ${MAX_ALARM_INTERVAL_MS / 3_600_000} hours)`,
    );
  }
  return { at: listing.nextCheckAt, what: what.join("; ") };
}

/** One planned step in words, naming its key (and the active key an activation retires). */
function stepInWords(step: PageKeyListing["nextSteps"][number], activeKid: string | undefined): string {
  const words: Readonly<Record<typeof step.kind, () => string>> = {
    unpublish: () => `remove key ${step.kid} from the JWKS: ${step.reason}`,
    create: () => `create the next key and publish it: ${step.reason}`,
    activate: () =>
      activeKid === undefined
        ? `activate key ${step.kid} (it signs from then): ${step.reason}`
        : `activate key ${step.kid} (it signs from then) and retire key ${activeKid}: ${step.reason}`,
    revoke: () => `revoke key ${step.kid}: ${step.reason}`,
  };
  return words[step.kind]();
}
