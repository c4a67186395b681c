// `wid revoke` and `wid revocations`: the admin API's revocation routes.
//   revoke --jti <jti> --exp <exp>     one token (exp: its exp claim, which says how long to keep the entry)
//   revoke --workload <name>           every token of a workload issued up to now (a kill switch)
//   revoke --workflow <name>           every token of every instance of a workflow, up to now
//   revocations                        the live list
// A revocation prints what it did: revoked, revoked again (covering more), or already revoked
// (nothing changed); a refusal (a token no verifier accepts any more) exits 1 (main.ts).

export interface RevocationArgs {
  readonly jti?: string | undefined;
  readonly exp?: string | undefined;
  readonly workload?: string | undefined;
  readonly workflow?: string | undefined;
}

interface EntryView {
  readonly kind: string;
  readonly jti?: string;
  readonly name?: string;
  readonly revokedAt: number;
  readonly expiresAt: number;
}

/** GET /admin/revocations, or POST's answer: what it did (`outcome`) to which entry (`entry`). */
export interface RevocationListingView {
  readonly now: number;
  readonly entries: readonly EntryView[];
  readonly outcome?: "added" | "extended" | "unchanged";
  readonly entry?: EntryView;
  readonly registered?: boolean;
}

/** The POST body for the arguments given; a string is a usage problem. */
export function revocationBody(args: RevocationArgs): Record<string, unknown> | string {
  const chosen = [args.jti !== undefined, args.workload !== undefined, args.workflow !== undefined].filter(
    Boolean,
  ).length;
  if (chosen !== 1) return "revoke needs exactly one of --jti <jti> --exp <exp>, --workload <name>, --workflow <name>";
  if (args.jti !== undefined) {
    if (args.exp === undefined || !/^\d+$/.test(args.exp))
      return "revoke --jti needs --exp <the token's exp claim, in seconds>";
    return { jti: args.jti, exp: Number(args.exp) };
  }
  if (args.exp !== undefined) return "--exp goes with --jti only";
  return args.workload !== undefined ? { workload: args.workload } : { workflow: args.workflow };
}

export function printRevocations(listing: RevocationListingView, print: (line: string) => void = console.log): void {
  if (listing.entry !== undefined) {
    print(outcomeLine(listing.outcome, listing.entry));
    if (listing.registered === false) {
      print(
        `note: '${listing.entry.name}' is not registered in the stack config: only tokens issued before its removal exist`,
      );
    }
  }
  if (listing.entries.length === 0) {
    print("the revocation list is empty");
    return;
  }
  print(`${listing.entries.length} live revocation(s):`);
  for (const entry of listing.entries)
    print(`  ${describe(entry).padEnd(56)} revoked ${iso(entry.revokedAt)}  kept until ${iso(entry.expiresAt)}`);
}

function outcomeLine(outcome: RevocationListingView["outcome"], entry: EntryView): string {
  const until = iso(entry.expiresAt);
  if (outcome === "unchanged") return `already revoked, nothing changed: ${describe(entry)} until ${until}`;
  if (outcome === "extended") {
    return entry.kind === "jti"
      ? `already revoked; now kept longer: ${describe(entry)} until ${until}`
      : `revoked again, now covering the tokens issued since: ${describe(entry)} until ${until}`;
  }
  return `revoked ${describe(entry)} until ${until}`;
}

function describe(entry: EntryView): string {
  return entry.kind === "jti"
    ? `token ${entry.jti}`
    : `${entry.kind} ${entry.name} (tokens issued up to ${iso(entry.revokedAt)})`;
}

function iso(seconds: number): string {
  return new Date(seconds * 1_000).toISOString().replace(".000Z", "Z");
}
