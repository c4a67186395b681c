// What an instance's status means for its tokens: a pure classification of the status the
// Workflows API reports (InstanceStatus in @cloudflare/workers-types).
//
//   executing  running, waiting, waitingForPause   tokens are issued, and stay active
//   suspended  queued, paused                      nothing is issued (no code of the instance runs,
//                                                  so a request naming it comes from elsewhere),
//                                                  but its tokens stay active: it can resume
//   ended      complete, errored, terminated        nothing is issued; its tokens are inactive
//   unknown    anything else ("unknown", new names) fail closed: as ended
//
// `waiting` (a step.sleep or step.waitForEvent) counts as executing: the instance is alive and
// mid-run, and the status read is eventually consistent, so an instance that has just woken up
// may still be reported waiting while its code asks for a token.

export type InstanceLife = "executing" | "suspended" | "ended" | "unknown";

const LIFE_BY_STATUS: Readonly<Record<string, InstanceLife>> = {
  running: "executing",
  waiting: "executing",
  waitingForPause: "executing",
  queued: "suspended",
  paused: "suspended",
  complete: "ended",
  errored: "ended",
  terminated: "ended",
};

export function instanceLife(status: unknown): InstanceLife {
  return typeof status === "string" && Object.hasOwn(LIFE_BY_STATUS, status) ? LIFE_BY_STATUS[status]! : "unknown";
}

/** May an instance in this status be given a token? */
export function mayIssueFor(status: unknown): boolean {
  return instanceLife(status) === "executing";
}

/** Are the tokens of an instance in this status still active (introspection)? */
export function tokensActiveFor(status: unknown): boolean {
  const life = instanceLife(status);
  return life === "executing" || life === "suspended";
}
