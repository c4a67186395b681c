// The last step of verification, for tokens that can outlive what they stand for: the issuer's
// revocation list (every token) and introspection (workflow tokens, or every token). Both are
// cached per isolate as the issuer allows (Cache-Control max-age, at most MAX_CACHE_SECONDS);
// an answer that cannot be obtained is ERR_REVOCATION_UNAVAILABLE (503): the verifier fails
// closed, except that a list fetched before stays usable STALE_LIST_SECONDS past its max-age.
//
// Only values are shared between callers, never a promise: in workerd a request must not await a
// promise created by another request (if that request is canceled, the promise never settles, and
// the waiting request hangs or is canceled as hung). So a caller whose list has expired while
// another caller refreshes it uses the copy (within its stale allowance) instead of waiting; a
// caller with no usable copy fetches for itself, so concurrent cold callers each fetch. The
// refresh under way is a plain value (`refreshingSince`); one older than the fetch timeout was
// abandoned. Introspection answers are cached as values too: concurrent verifications of one
// uncached token each ask. Node has no such limitation; the policy is the same in both.

import { parseRevocationDocument, type RevocationEntry, revocationCovering } from "../revocation/list.js";
import { readBodyAtMost } from "./bounded-body.js";
import { maxAgeOf } from "./cache-control.js";
import { RevocationUnavailableError, TokenInactiveError, TokenRevokedError } from "./errors.js";
import { FETCH_TIMEOUT_MS } from "./issuer-fetch.js";
import type { ResolvedVerifierOptions } from "./options.js";
import { parseStrictJsonObject } from "./strict-json.js";

type CheckOptions = Pick<ResolvedVerifierOptions, "introspection" | "revocationList" | "fetch" | "now">;

const MAX_LIST_BYTES = 1_048_576;
const MAX_ANSWER_BYTES = 65_536;
const MAX_CACHE_SECONDS = 60;
const DEFAULT_LIST_MAX_AGE_SECONDS = 10;
const STALE_LIST_SECONDS = 300;
const MAX_CACHED_LISTS = 16;
const MAX_CACHED_ANSWERS = 1_024;

interface CachedList {
  entries: readonly RevocationEntry[];
  fetchedAt: number;
  maxAgeMs: number;
  /** Numbers the fetches; `answerFetch` is the one whose answer `entries` hold (an older one never overwrites it). */
  fetches: number;
  answerFetch: number;
  /** When a refresh still under way was started; -Infinity when none is. */
  refreshingSince: number;
}

const lists = new Map<string, CachedList>();
const answers = new Map<string, { readonly active: boolean; readonly until: number }>();

export async function checkRevocation(
  token: string,
  payload: Record<string, unknown>,
  options: CheckOptions,
): Promise<void> {
  if (options.revocationList !== undefined) {
    const entries = await revocationList(options.revocationList.url, options);
    const covering = revocationCovering(entries, payload, Math.floor(options.now() / 1_000));
    if (covering !== undefined)
      throw new TokenRevokedError(`the issuer's revocation list revokes this token (${covering.kind})`);
  }
  const introspection = options.introspection;
  if (introspection === undefined) return;
  const isWorkflowToken = Object.hasOwn(payload, "workflow") || String(payload.sub).startsWith("workflow/");
  if (introspection.forTokens === "workflow" && !isWorkflowToken) return;
  if (!(await isActive(token, payload, introspection, options))) {
    throw new TokenInactiveError(
      "the issuer reports the token inactive: its workflow instance has ended, or it was revoked",
    );
  }
}

async function revocationList(url: string, options: CheckOptions): Promise<readonly RevocationEntry[]> {
  let entry = lists.get(url);
  if (entry === undefined) {
    entry = {
      entries: [],
      fetchedAt: Number.NEGATIVE_INFINITY,
      maxAgeMs: 0,
      fetches: 0,
      answerFetch: 0,
      refreshingSince: Number.NEGATIVE_INFINITY,
    };
    lists.set(url, entry);
    while (lists.size > MAX_CACHED_LISTS) lists.delete(lists.keys().next().value as string);
  }
  const now = options.now();
  const current = entry;
  if (now - current.fetchedAt < current.maxAgeMs) return current.entries;
  const usable = () => options.now() - current.fetchedAt < current.maxAgeMs + STALE_LIST_SECONDS * 1_000;
  // Another caller's refresh is under way (started less than the fetch timeout ago, before or after
  // `now`: verifiers' clocks may differ): use the copy rather than wait for it or fetch beside it.
  if (usable() && Math.abs(now - current.refreshingSince) < FETCH_TIMEOUT_MS) return current.entries;

  const attempt = ++current.fetches;
  current.refreshingSince = now;
  try {
    const response = await send(
      options,
      url,
      { headers: { accept: "application/json" } },
      MAX_LIST_BYTES,
      "the revocation list",
    );
    const parsed = parseStrictJsonObject(response.body);
    const document = parsed.ok ? parseRevocationDocument(parsed.value) : undefined;
    if (document === undefined)
      throw new RevocationUnavailableError(`the revocation list at ${url} is not a revocation list`);
    if (attempt > current.answerFetch) {
      current.entries = document.entries;
      current.fetchedAt = options.now();
      current.maxAgeMs = maxAgeSeconds(response.headers, DEFAULT_LIST_MAX_AGE_SECONDS) * 1_000;
      current.answerFetch = attempt;
    }
    // Cleared on success only: after a failure the mark holds other callers on the copy for the
    // fetch timeout, so a failing issuer is asked once per FETCH_TIMEOUT_MS, not once per token.
    // (A request canceled mid-fetch in workerd leaves it too, and it ages out the same way.)
    if (current.refreshingSince === now) current.refreshingSince = Number.NEGATIVE_INFINITY;
    return document.entries;
  } catch (error) {
    if (usable()) return current.entries;
    throw error;
  }
}

async function isActive(
  token: string,
  payload: Record<string, unknown>,
  introspection: NonNullable<CheckOptions["introspection"]>,
  options: CheckOptions,
): Promise<boolean> {
  // The jti of a token whose signature verified names that token; the cache is per endpoint.
  const key = `${introspection.url}\n${introspection.clientId}\n${String(payload.jti)}`;
  const cached = answers.get(key);
  if (cached !== undefined && options.now() < cached.until) return cached.active;
  const credentials = `${formEncode(introspection.clientId)}:${formEncode(introspection.clientSecret)}`;
  const response = await send(
    options,
    introspection.url,
    {
      method: "POST",
      headers: {
        accept: "application/json",
        authorization: `Basic ${btoa(credentials)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ token }).toString(),
    },
    MAX_ANSWER_BYTES,
    "introspection",
  );
  const parsed = parseStrictJsonObject(response.body);
  const active = parsed.ok ? parsed.value.active : undefined;
  if (typeof active !== "boolean")
    throw new RevocationUnavailableError(`introspection at ${introspection.url} gave no "active" answer`);
  const seconds = maxAgeSeconds(response.headers, 0);
  if (seconds > 0) {
    answers.delete(key);
    answers.set(key, { active, until: options.now() + seconds * 1_000 });
    while (answers.size > MAX_CACHED_ANSWERS) answers.delete(answers.keys().next().value as string);
  }
  return active;
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, "+");
}

/** `Cache-Control: max-age`, capped; `fallback` without one, 0 with no-store or no-cache. */
function maxAgeSeconds(headers: Headers, fallback: number): number {
  return Math.min(maxAgeOf(headers.get("cache-control")) ?? fallback, MAX_CACHE_SECONDS);
}

async function send(
  options: CheckOptions,
  url: string,
  init: RequestInit,
  maxBytes: number,
  what: string,
): Promise<{ headers: Headers; body: string }> {
  let response: Response;
  try {
    response = await options.fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (cause) {
    throw new RevocationUnavailableError(`${what} at ${url} is unreachable`, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RevocationUnavailableError(`${what} at ${url} answered HTTP ${response.status}`);
  }
  let body: string | undefined;
  try {
    body = await readBodyAtMost(response, maxBytes);
  } catch (cause) {
    throw new RevocationUnavailableError(`${what} at ${url} could not be read`, { cause });
  }
  if (body === undefined) throw new RevocationUnavailableError(`${what} at ${url} is larger than ${maxBytes} bytes`);
  return { headers: response.headers, body };
}
