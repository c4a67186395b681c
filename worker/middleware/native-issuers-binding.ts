// The NATIVE_ISSUERS text binding, read with the others by config.ts: a JSON array of the issuers
// of Cloudflare's native oidc_tokens tokens this API trusts beside ISSUER_URL, each
//   { "issuer": "<the issuer wrangler deploy printed>", "audiences": ["https://api.example.com"],
//     "subjects": { "<the subject wrangler deploy printed>": "<workload>" }, "jwksUri"?: "https://…" }
// (settings-bindings.ts computes it from the stack's workloads). Absent: only ISSUER_URL is trusted.
// The verifier checks each entry again when the middleware is built.

import type { NativeIssuerOptions } from "@worker-identity/verifier";
import { isRecord } from "../options/is-record.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const ENTRY =
  '{ "issuer": "<the issuer wrangler deploy printed>", "audiences": ["<an audience of AUDIENCES>"], "subjects": { "<native subject>": "<workload>" } }';

export function readNativeIssuersBinding(
  value: unknown,
  issuerUrl: unknown,
  problem: (binding: string, fix: string, detail?: string) => void,
): NativeIssuerOptions[] | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") return void problem("NATIVE_ISSUERS", "must be a text binding holding JSON");
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return void problem(
      "NATIVE_ISSUERS",
      `is not valid JSON; it must be an array of ${ENTRY}`,
      `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    return void problem("NATIVE_ISSUERS", `must be a non-empty JSON array of ${ENTRY}, or be absent`);
  const seen = new Set<string>();
  const entries: NativeIssuerOptions[] = [];
  parsed.forEach((entry: unknown, index) => {
    const at = `NATIVE_ISSUERS[${index}]`;
    if (!isRecord(entry)) {
      problem(at, `must be an object: ${ENTRY}`);
      return;
    }
    const unknown = Object.keys(entry).filter((k) => !["issuer", "audiences", "subjects", "jwksUri"].includes(k));
    if (unknown.length > 0)
      problem(at, `has fields it does not know (${unknown.join(", ")}); it has issuer, audiences, subjects, jwksUri`);
    const { issuer, audiences, subjects, jwksUri } = entry;
    const issuerOk = isHttpUrl(issuer) && new URL(issuer).href.replace(/\/$/, "") === issuer;
    if (!issuerOk)
      problem(
        `${at}.issuer`,
        "must be the native issuer exactly as its tokens carry it in `iss` (https; http only on loopback), without query or trailing slash",
      );
    else if (issuer === issuerUrl) problem(`${at}.issuer`, "is ISSUER_URL; NATIVE_ISSUERS lists the other issuers");
    else if (seen.has(issuer as string)) problem(`${at}.issuer`, "is listed twice; list each issuer once");
    const audienceOk =
      Array.isArray(audiences) && audiences.length > 0 && audiences.every((a) => typeof a === "string" && a !== "");
    if (!audienceOk)
      problem(`${at}.audiences`, 'must be a non-empty array of audiences, e.g. ["https://api.example.com"]');
    const subjectsOk =
      subjects === undefined ||
      (isRecord(subjects) &&
        Object.entries(subjects).every(([sub, name]) => sub !== "" && typeof name === "string" && name !== ""));
    if (!subjectsOk)
      problem(`${at}.subjects`, 'must map each exact native subject to a workload name: { "<subject>": "billing" }');
    if (jwksUri !== undefined && !isHttpUrl(jwksUri))
      problem(`${at}.jwksUri`, "must be the issuer's https JWKS URL (http only on loopback), or be absent");
    if (issuerOk && audienceOk && subjectsOk) {
      seen.add(issuer as string);
      entries.push({
        issuer: issuer as string,
        audiences: audiences as string[],
        ...(subjects !== undefined ? { subjects: subjects as Record<string, string> } : {}),
        ...(typeof jwksUri === "string" ? { jwksUri } : {}),
      });
    }
  });
  return entries;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string" || value === "") return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  return (url.protocol === "https:" || local) && !url.search && !url.hash && !url.username && !url.password;
}
