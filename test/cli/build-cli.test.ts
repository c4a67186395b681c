// `npm run build -- --help` answers with the build's usage; an unknown option or a stray argument
// is a usage error (exit 2), and a stack file that cannot be read is its problems (exit 1), never
// a stack trace.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTsx } from "../support/run-tsx.js";

const BUILD = "worker/build/cli.ts";

describe("npm run build: usage", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "wid-build-usage-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--help and -h print the usage and options, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const help = await runTsx(BUILD, [flag]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(
        help.stdout,
        /^usage: npm run build -- \[--stack Pulumi\.dev\.yaml\] \[--out dist\] \[--thumbprints FILE\]$/m,
      );
      for (const option of ["--stack FILE", "--out DIR", "--thumbprints FILE", "-h, --help"]) {
        assert.match(help.stdout, new RegExp(`^ {2}${option} `, "m"), option);
      }
    }
  });

  it("an unknown option, a missing value or a stray argument is a usage error naming it, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--outdir", join(dir, "out")], /^npm run build: Unknown option '--outdir'/],
      [["--stack"], /^npm run build: Option '--stack <value>' argument missing/],
      [["Pulumi.dev.yaml"], /^npm run build: Unexpected argument 'Pulumi\.dev\.yaml'/],
    ];
    for (const [args, message] of cases) {
      const refused = await runTsx(BUILD, args);
      assert.equal(refused.code, 2, args.join(" "));
      assert.match(refused.stderr, message);
      assert.match(refused.stderr, /^usage: npm run build -- /m);
      assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");
    }
  });

  it("a missing stack file or a malformed --thumbprints file is its problem, exit 1, without a stack trace", async () => {
    const missing = await runTsx(BUILD, ["--stack", join(dir, "Pulumi.none.yaml"), "--out", join(dir, "out")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Pulumi\.none\.yaml: does not exist/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
    const thumbprints = join(dir, "thumbprints.json");
    writeFileSync(thumbprints, '["not", "an", "object"]');
    const malformed = await runTsx(BUILD, ["--thumbprints", thumbprints, "--out", join(dir, "out")]);
    assert.equal(malformed.code, 1);
    assert.equal(malformed.stderr, `--thumbprints ${thumbprints} must be a JSON object {"<workload>": "<x5t#S256>"}\n`);
  });
});
