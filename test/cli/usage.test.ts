// wid's command line, per command: -h/--help answers with the command's own usage, options and
// examples (exit 0); an unknown option, a missing or extra argument is a usage error naming it
// (exit 2), as JSON with --json; with no issuer to talk to, a command fails (exit 1) and says how
// to give one. Run in this process (test/cli/support/run-wid.ts): no Node start-up per case.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../support/run-tsx.js";
import { jsonOf, wid } from "./support/run-wid.js";

/** Each command with options only it takes, and a line that is complete but for the issuer. */
const COMMANDS = [
  {
    name: "token",
    own: ["--workload", "--audience", "--lifetime"],
    line: ["--workload", "billing", "--audience", "a"],
  },
  {
    name: "verify",
    own: ["--audience", "--certificate", "--certificate-thumbprint", "--introspect"],
    line: ["t.t.t", "--audience", "a"],
  },
  { name: "keys list", own: [], line: [] },
  { name: "keys rotate", own: ["--emergency"], line: [] },
  { name: "keys revoke", own: ["--kid"], line: ["--kid=k1"] },
  { name: "keys rewrap", own: [], line: [] },
  { name: "revoke", own: ["--jti", "--exp", "--workload", "--workflow"], line: ["--workload", "billing"] },
  { name: "revocations", own: [], line: [] },
  { name: "validate", own: ["--stack"], line: [] },
] as const;
const ISSUER_COMMANDS = COMMANDS.filter((c) => c.name !== "validate");

describe("wid: help, usage errors and exit codes, per command", () => {
  let empty: string;
  before(() => {
    empty = mkdtempSync(join(tmpdir(), "wid-usage-"));
  });
  after(() => rmSync(empty, { recursive: true, force: true }));

  for (const command of COMMANDS) {
    const argv = command.name.split(" ");

    it(`${command.name} --help and -h print its usage, options and examples, exit 0`, async () => {
      for (const flag of ["--help", "-h"]) {
        const help = await wid([...argv, flag]);
        assert.equal(help.code, 0, help.stderr);
        assert.ok(help.stdout.startsWith(`usage: wid ${command.name} `), help.stdout);
        for (const option of [...command.own, "--json", "--help"]) {
          assert.match(
            help.stdout,
            new RegExp(`^\\s+(-h, )?${option}\\b`, "m"),
            `${command.name} --help lists ${option}`,
          );
        }
        assert.match(help.stdout, new RegExp(`^examples:\\n  npx wid ${command.name}`, "m"));
        assert.match(help.stdout, /^exit codes:\n {2}0 {2}success\n {2}1 {2}failure.*\n.*\n {2}2 {2}usage/m);
        assert.equal(help.stderr, "");
      }
    });

    it(`${command.name}: an unknown option is a usage error naming it, exit 2 (as JSON with --json)`, async () => {
      const unknown = await wid([...argv, ...command.line, "--colour", "red"]);
      assert.equal(unknown.code, 2);
      assert.equal(unknown.stdout, "");
      assert.match(unknown.stderr, new RegExp(`^wid ${command.name}: unknown option '--colour'$`, "m"));
      assert.match(
        unknown.stderr,
        new RegExp(`^usage: wid ${command.name} .*\\(\`wid ${command.name} --help\` for its options\\)$`, "m"),
      );
      assert.doesNotMatch(unknown.stderr, /\n\s+at /, "no stack trace");

      const json = await wid([...argv, ...command.line, "--colour", "red", "--json"]);
      assert.equal(json.code, 2);
      assert.equal(json.stderr, "");
      assert.deepEqual(jsonOf(json), {
        error: { code: "usage", message: `wid ${command.name}: unknown option '--colour'` },
      });
    });

    it(`${command.name}: an option of another command is refused too, exit 2`, async () => {
      const other = command.name === "token" ? "--stack" : "--lifetime";
      const refused = await wid([...argv, other, "1"]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, new RegExp(`unknown option '${other}'`));
    });
  }

  for (const command of ISSUER_COMMANDS) {
    it(`${command.name} without --issuer, WID_ISSUER or a running local stack fails, exit 1, and says how to give one`, async () => {
      const none = await wid([...command.name.split(" "), ...command.line, "--state-dir", empty]);
      assert.equal(none.code, 1, none.stderr);
      assert.match(
        none.stderr,
        /^no issuer: start the local stack with `npm start` or pass --issuer <url> \(or set WID_ISSUER\); no local stack is recorded in .*running\.json$/m,
      );
      const json = await wid([...command.name.split(" "), ...command.line, "--state-dir", empty, "--json"]);
      assert.equal(json.code, 1);
      assert.equal((jsonOf(json).error as { code: string }).code, "no_issuer");
    });
  }

  it("missing and malformed arguments are usage errors naming the fix, exit 2", async () => {
    // No issuer given, and none in the state directory: a usage error comes before that failure.
    const issuer: string[] = [];
    const cases: [string[], RegExp][] = [
      [
        ["token", "--workload", "billing", ...issuer],
        /^wid token: token needs --workload <name> and --audience <aud>$/m,
      ],
      [
        ["token", "--workload", "billing", "--audience", "a", "--lifetime", "soon", ...issuer],
        /--lifetime must be a whole number of seconds; got 'soon'/,
      ],
      [
        ["token", "--workload", "--audience", "a", ...issuer],
        /^wid token: --workload needs a value: --workload <name> \(write --workload=<value> for a value starting with "-"\)$/m,
      ],
      [["token", "--workload", "billing", "--audience", ...issuer], /^wid token: --audience needs a value/m],
      [
        ["token", "--workload", "b", "--audience", "a", "--json=yes", ...issuer],
        /^wid token: --json takes no value; got 'yes'$/m,
      ],
      [["token", "--workload", "a", "--workload", "b", "--audience", "a", ...issuer], /--workload is given twice/],
      [["verify", "--audience", "a", ...issuer], /^wid verify: verify needs <token> and --audience$/m],
      [["verify", "t1", "t2", "--audience", "a", ...issuer], /^wid verify: unexpected argument 't2'$/m],
      [["keys", "list", "extra", ...issuer], /^wid keys list: unexpected argument 'extra'$/m],
      [["keys", "revoke", ...issuer], /^wid keys revoke: give the key's kid once: keys revoke <kid> or --kid=<kid>$/m],
      [["keys", "revoke", "k1", "--kid", "k2", ...issuer], /give the key's kid once/],
      [["keys", "prune", ...issuer], /^wid keys: unknown action 'prune': keys takes list, rotate, revoke or rewrap$/m],
      [["keys"], /^wid keys: name an action: keys list, keys rotate, keys revoke or keys rewrap$/m],
      [
        ["revoke", ...issuer],
        /^wid revoke: revoke needs exactly one of --jti <jti> --exp <exp>, --workload <name>, --workflow <name>$/m,
      ],
      [["revoke", "--jti", "j", ...issuer], /revoke --jti needs --exp <the token's exp claim, in seconds>/],
      [["validate", "dev"], /^wid validate: unexpected argument 'dev'$/m],
      [["tokens"], /^wid: unknown command 'tokens' \(`wid --help` lists the commands\)$/m],
      [[], /^wid: no command given$/m],
      [
        ["--issuer", "http://127.0.0.1:9", "keys", "list"],
        /^wid: '--issuer' before a command: the command comes first/m,
      ],
      [
        ["keys", "list", "--issuer", "localhost:8787"],
        /^--issuer must be an http: or https: URL; got 'localhost:8787'$/m,
      ],
      [
        ["keys", "list", "--issuer", "127.0.0.1:8787"],
        /^--issuer must be the issuer's URL, such as http:\/\/127\.0\.0\.1:8787; got '127\.0\.0\.1:8787'$/m,
      ],
    ];
    for (const [argv, message] of cases) {
      const refused = await wid(argv, {}, empty);
      assert.equal(refused.code, 2, `wid ${argv.join(" ")}: ${refused.stderr}`);
      assert.match(refused.stderr, message, `wid ${argv.join(" ")}`);
      assert.match(refused.stderr, /^usage: wid /m, `wid ${argv.join(" ")} prints a usage line`);
    }
    const env = await wid(["keys", "list"], { WID_ISSUER: "ftp://example.com" }, empty);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^WID_ISSUER must be an http: or https: URL; got 'ftp:\/\/example\.com'$/m);
  });

  it("--help with other mistakes on the line still answers with the help", async () => {
    const help = await wid(["token", "--colour", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: wid token /);
  });

  it("wid --help is the overview: every command, --json, the issuer lookup, the environment and the exit codes", async () => {
    for (const flag of ["--help", "-h"]) {
      const overview = await wid([flag]);
      assert.equal(overview.code, 0);
      for (const { name } of COMMANDS) assert.match(overview.stdout, new RegExp(`^ {2}${name} +\\S`, "m"), name);
      for (const env of ["WID_ISSUER", "WID_ADMIN_TOKEN", "WID_INTROSPECTION_CLIENT_ID", "WID_INTROSPECTION_SECRET"]) {
        assert.match(overview.stdout, new RegExp(`^ {2}${env} +\\S`, "m"), env);
      }
      assert.match(
        overview.stdout,
        /--json \(one JSON document on stdout; a failure is \{error: \{code, message\}\}\)/,
      );
      assert.match(overview.stdout, /^ {2}0 {2}success$/m);
      assert.match(overview.stdout, /^ {2}1 {2}failure: /m);
      assert.match(overview.stdout, /^ {2}2 {2}usage: /m);
      assert.match(overview.stdout, /--issuer <url>, else WID_ISSUER, else the local stack `npm start` runs/);
    }
    const keys = await wid(["keys", "--help"]);
    assert.equal(keys.code, 0);
    assert.match(keys.stdout, /^usage: wid keys <list \| rotate \| revoke \| rewrap>/);
  });

  it("--version prints the CLI package's version, as text or JSON", async () => {
    const { name, version } = JSON.parse(readFileSync(resolve(REPO_ROOT, "worker/cli/package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    assert.equal(name, "@worker-identity/cli");
    const printed = await wid(["--version"], {}, empty);
    assert.deepEqual(printed, { code: 0, stdout: `${version}\n`, stderr: "" });
    assert.deepEqual(jsonOf(await wid(["--version", "--json"])), { version });
  });
});
