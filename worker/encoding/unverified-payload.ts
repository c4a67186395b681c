// A compact JWS's payload read as JSON without checking anything else of it: no signature, no
// header, no claim. For those who only describe a token they already hold (the SDK naming what a
// cloud refused, `wid explain`), never for deciding anything. Names what is wrong when it cannot.

import { decodeBase64url } from "./base64url.js";

export type UnverifiedPayload =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | {
      readonly ok: false;
      /** What is wrong: the segment count, the payload's encoding, its JSON, or its shape. */
      readonly problem: "segments" | "base64url" | "json" | "object";
      readonly segments: number;
    };

export function decodeUnverifiedPayload(token: string): UnverifiedPayload {
  const parts = token.split(".");
  const fail = (problem: "segments" | "base64url" | "json" | "object"): UnverifiedPayload => ({
    ok: false,
    problem,
    segments: parts.length,
  });
  if (parts.length !== 3) return fail("segments");
  const bytes = decodeBase64url(parts[1] ?? "");
  if (bytes === undefined || bytes.length === 0) return fail("base64url");
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return fail("json");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return fail("object");
  return { ok: true, claims: payload as Record<string, unknown> };
}
