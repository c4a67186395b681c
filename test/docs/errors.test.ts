// ERRORS.md is the error catalog rendered, and the catalog is what the code answers: every code
// a source file raises has an entry, every entry is raised somewhere, and each entry's status and
// retryability are the ones the runtime tables answer with.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CATALOG_SECTIONS, type CatalogEntry, ERROR_CATALOG } from "../../worker/error-codes/catalog/index.js";
import { renderErrorsDocument } from "../../worker/error-codes/catalog/render.js";
import { type IssuerErrorCode, RETRYABLE_ISSUER_CODES, VERIFICATION_STATUS } from "../../worker/error-codes/index.js";
import { ISSUER_PROBLEMS, type IssuerAnswerCode } from "../../worker/http/issuer-problems.js";
import { type RefusalCode, refusalResponse } from "../../worker/middleware/refusals.js";
import { type OriginRefusalCode, originRefusalResponse } from "../../worker/mtls/origin-refusals.js";
import { REPO_ROOT } from "../support/run-tsx.js";

const CODE_LITERAL = /["'`](ERR_[A-Z0-9_]+)["'`]/g;
const SOURCE_FOLDERS = ["worker", "infra", "policies"];
const CATALOG_FOLDER = join("worker", "error-codes");

function sourceFiles(folder: string): string[] {
  return readdirSync(resolve(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}

/** Every ERR_ literal outside the code folder, with the first file that spells it. */
function raisedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    if (file.startsWith(CATALOG_FOLDER)) continue;
    for (const match of readFileSync(resolve(REPO_ROOT, file), "utf8").matchAll(CODE_LITERAL)) {
      if (!found.has(match[1]!)) found.set(match[1]!, file);
    }
  }
  return found;
}

const entries = Object.entries(ERROR_CATALOG) as [string, CatalogEntry][];
const raisedBy = (by: CatalogEntry["raisedBy"][number]) => entries.filter(([, entry]) => entry.raisedBy.includes(by));

describe("ERRORS.md and the error catalog", () => {
  it("ERRORS.md is the catalog rendered (run `npm run errors:doc` after changing the catalog)", () => {
    const committed = readFileSync(resolve(REPO_ROOT, "ERRORS.md"), "utf8");
    assert.equal(committed, renderErrorsDocument());
  });

  it("lists every code the sources raise", () => {
    const missing = [...raisedCodes()].filter(([code]) => !Object.hasOwn(ERROR_CATALOG, code));
    assert.deepEqual(
      missing.map(([code, file]) => `${code} (${file})`),
      [],
      "add these to worker/error-codes/ and the catalog",
    );
  });

  it("lists no code that nothing raises", () => {
    const raised = raisedCodes();
    assert.deepEqual(
      entries.map(([code]) => code).filter((code) => !raised.has(code)),
      [],
    );
  });

  it("enters each code in one section only", () => {
    const total = CATALOG_SECTIONS.reduce((sum, section) => sum + Object.keys(section.entries).length, 0);
    assert.equal(total, entries.length);
  });

  it("gives a verifier code the status its error carries", () => {
    for (const [code, status] of Object.entries(VERIFICATION_STATUS)) {
      assert.equal(ERROR_CATALOG[code as keyof typeof VERIFICATION_STATUS].status, status, code);
    }
  });

  it("gives a code the issuer answers over HTTP the status of the issuer's problem table, and an RPC-only code none", () => {
    for (const [code, entry] of entries.filter(([, e]) => e.raisedBy.some((by) => by.startsWith("issuer")))) {
      const problem = ISSUER_PROBLEMS[code as IssuerAnswerCode];
      if (entry.raisedBy.includes("issuer HTTP")) assert.equal(problem?.status, entry.status, code);
      else assert.equal(problem === null && entry.status === null, true, `${code} is RPC only`);
    }
  });

  it("gives a code the edge middleware or an mTLS origin answers the status of its response, with Retry-After when retryable", async () => {
    const answers: [string, Response][] = [
      ...raisedBy("edge middleware").map(
        ([code]) => [code, refusalResponse(code as RefusalCode)] as [string, Response],
      ),
      ...raisedBy("mTLS origin").map(
        ([code]) => [code, originRefusalResponse(code as OriginRefusalCode)] as [string, Response],
      ),
    ];
    assert.ok(answers.length > 20);
    for (const [code, response] of answers) {
      const entry = ERROR_CATALOG[code as keyof typeof ERROR_CATALOG];
      assert.equal(response.status, entry.status, code);
      assert.equal(((await response.json()) as { code: string }).code, code);
      if (entry.retryable === true) assert.ok(response.headers.has("retry-after"), `${code} carries Retry-After`);
    }
  });

  it("calls an issuer code retryable exactly when the SDK retries it", () => {
    for (const [code, entry] of raisedBy("issuer RPC")) {
      assert.equal(entry.retryable, RETRYABLE_ISSUER_CODES.has(code as IssuerErrorCode), code);
    }
  });

  it("calls retryable only answers a retry can change: 502 and 503, or thrown errors", () => {
    for (const [code, entry] of entries.filter(([, e]) => e.retryable === true && e.status !== null)) {
      assert.ok(entry.status === 502 || entry.status === 503, `${code} is retryable with status ${entry.status}`);
    }
  });
});
