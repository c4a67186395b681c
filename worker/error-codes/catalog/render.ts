// ERRORS.md, rendered from the catalog. `npm run errors:doc` writes it; test/docs/errors.test.ts
// fails when the committed file is not what this renders.

import type { CatalogEntry } from "./entry.js";
import { CATALOG_SECTIONS } from "./index.js";

const PREAMBLE = `# Error codes

Every failure worker-identity reports carries one stable code. Match on the code, never on the message.

- **HTTP** (the issuer's routes, the edge middleware, an mTLS origin): an RFC 9457 \`application/problem+json\`
  body with \`code\`, \`type\` (\`urn:worker-identity:problem:<code>\`), \`title\`, \`status\` and \`detail\`.
  A 503 or 502 carries \`Retry-After\`.
- **RPC** (token requests over the issuer binding): the error's message starts with \`[<code>]\`
  (Workers RPC keeps only messages); the SDK reads it back as \`IssuerRefusalError.issuerCode\`.
- **Thrown** (verifier, SDK, option checks, deploy time): the error's \`code\` property; the verifier's errors
  also carry \`status\`, the HTTP status a relying party answers with.

Retry: *yes* means the same call may succeed later unchanged; *varies* means the error's \`retryable\` says.
"Raised by" names who answers or throws it; the HTTP column is empty where the code is never an HTTP answer.

This file is generated from \`worker/error-codes/catalog/\` by \`npm run errors:doc\`; edit the catalog, not this file.
`;

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function retry(entry: CatalogEntry): string {
  return entry.retryable === "varies" ? "varies" : entry.retryable ? "yes" : "no";
}

function row(code: string, entry: CatalogEntry): string {
  const columns = [
    `\`${code}\``,
    entry.raisedBy.join(", "),
    entry.status === null ? "" : String(entry.status),
    retry(entry),
    cell(entry.meaning),
    cell(entry.action),
  ];
  return `| ${columns.join(" | ")} |`;
}

export function renderErrorsDocument(): string {
  const sections = CATALOG_SECTIONS.map(({ title, entries }) => {
    const rows = Object.entries(entries).map(([code, entry]) => row(code, entry as CatalogEntry));
    return [
      `## ${title}`,
      "",
      "| Code | Raised by | HTTP | Retry | What went wrong | What to do |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n");
  });
  return `${[PREAMBLE, ...sections].join("\n")}\n`;
}
