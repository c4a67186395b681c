// An issuer URL that answers something other than JSON (an HTML error page of a proxy, another
// server on the port) fails the command, exit 1, saying what it got: the URL, the status, the
// content type and the start of the body, printable; an HTTP error without a code of the issuer's
// is reported with its status. Against a loopback server (test/sdk/support/loopback.ts).

import assert from "node:assert/strict";
import { LoopbackServer, type ScriptedAnswer } from "../sdk/support/loopback.js";
import { freePort } from "../support/free-port.js";
import { jsonOf, wid } from "./support/run-wid.js";

const PAGE = "<!DOCTYPE html>\n<html>\r\n\t<head><title>\u001b[2J502 Bad Gateway\u202e</title></head>";
/** What the CLI quotes of PAGE: control, bidirectional and whitespace runs as one space. */
const QUOTED = "<!DOCTYPE html> <html> <head><title> [2J502 Bad Gateway </title></head>";
const ADMIN = { WID_ADMIN_TOKEN: "a".repeat(43) };

describe("wid: an issuer answering something other than JSON", () => {
  let server: LoopbackServer;
  let answer: ScriptedAnswer;

  before(async () => {
    server = await LoopbackServer.start(() => answer);
  });
  after(() => server.close());
  beforeEach(() => {
    answer = { status: 200, contentType: "text/html; charset=utf-8", body: PAGE };
  });

  const commands: [string[], string][] = [
    [["token", "--workload", "billing", "--audience", "sts.amazonaws.com"], "/workloads/billing/token"],
    [["keys", "list"], "/admin/keys"],
    [["keys", "rotate"], "/admin/keys/rotate"],
    [["keys", "revoke", "k1"], "/admin/keys/k1/revoke"],
    [["revoke", "--workload", "billing"], "/admin/revocations"],
    [["revocations"], "/admin/revocations"],
  ];

  for (const [argv, path] of commands) {
    it(`${argv.slice(0, 2).join(" ")}: "expected JSON from <url>, got <status> <content-type>: <the body's start>", exit 1`, async () => {
      const got = await wid([...argv, "--issuer", server.url], ADMIN);
      assert.equal(got.code, 1);
      assert.equal(got.stdout, "");
      assert.equal(
        got.stderr,
        `expected JSON from ${server.url}${path}, got 200 text/html; charset=utf-8: ${QUOTED}\n`,
      );

      const json = await wid([...argv, "--issuer", server.url, "--json"], ADMIN);
      assert.equal(json.code, 1);
      assert.deepEqual(jsonOf(json), {
        error: {
          code: "unexpected_answer",
          message: `expected JSON from ${server.url}${path}, got 200 text/html; charset=utf-8: ${QUOTED}`,
          status: 200,
        },
      });
    });
  }

  it("quotes only the first 200 characters, and names a missing content type and an empty body", async () => {
    answer = { status: 502, contentType: "text/plain", body: `${"y".repeat(250)}z` };
    const long = await wid(["revocations", "--issuer", server.url], ADMIN);
    assert.equal(long.code, 1);
    assert.equal(
      long.stderr,
      `expected JSON from ${server.url}/admin/revocations, got 502 text/plain: ${"y".repeat(200)}...\n`,
    );
    answer = { status: 200, contentType: "application/json", body: "" };
    const empty = await wid(["revocations", "--issuer", server.url], ADMIN);
    assert.match(empty.stderr, /got 200 application\/json: \(an empty body\)$/m);
    answer = { status: 200, contentType: "application/json", body: "[1, 2]" };
    const array = await wid(["revocations", "--issuer", server.url], ADMIN);
    assert.match(array.stderr, /got 200 application\/json: \[1, 2\]$/m, "a JSON array is not the object asked for");
  });

  it("verify: the verifier's discovery failure, with what the discovery URL answered", async () => {
    const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1_000);
    const token = [
      segment({ alg: "RS256", kid: "k1", typ: "JWT" }),
      segment({ iss: server.url, aud: "a", sub: "worker/0/w", iat: now, exp: now + 300, jti: "j1" }),
      Buffer.alloc(256).toString("base64url"),
    ].join(".");
    const got = await wid(["verify", token, "--audience", "a", "--issuer", server.url]);
    assert.equal(got.code, 1);
    assert.match(got.stderr, /^invalid: ERR_DISCOVERY: /);
    assert.ok(
      got.stderr.endsWith(
        `; expected JSON from ${server.url}/.well-known/openid-configuration, got 200 text/html; charset=utf-8: ${QUOTED}\n`,
      ),
      got.stderr,
    );
    const json = await wid(["verify", token, "--audience", "a", "--issuer", server.url, "--json"]);
    assert.equal((jsonOf(json).error as { code: string }).code, "ERR_DISCOVERY");
  });

  it("an HTTP error in JSON without the issuer's code is http_error with its status, exit 1", async () => {
    answer = { status: 503, contentType: "application/json", body: "{}" };
    const got = await wid(["keys", "list", "--issuer", server.url, "--json"], ADMIN);
    assert.equal(got.code, 1);
    assert.deepEqual(jsonOf(got), {
      error: { code: "http_error", message: `HTTP 503 from ${server.url}/admin/keys`, status: 503 },
    });
    answer = { status: 403, contentType: "application/json", body: '{"code":"ERR_ADMIN_UNAUTHORIZED","detail":"no"}' };
    const refused = await wid(["keys", "list", "--issuer", server.url], ADMIN);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, "refused: ERR_ADMIN_UNAUTHORIZED: no\n");
  });

  it("nothing listening is unreachable, exit 1, naming the URL and the fix", async () => {
    const port = await freePort();
    const down = await wid(["revocations", "--issuer", `http://127.0.0.1:${port}`, "--json"], ADMIN);
    assert.equal(down.code, 1);
    const { error } = jsonOf(down) as { error: { code: string; message: string } };
    assert.equal(error.code, "unreachable");
    assert.equal(
      error.message,
      `no issuer answers at http://127.0.0.1:${port} (ECONNREFUSED): start the local stack with \`npm start\`, or pass --issuer <url>`,
    );
  });
});
