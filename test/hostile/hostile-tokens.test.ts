// Hostile tokens thrown at the edge middleware Worker in workerd (issue #4, item 3): every case of
// cases.ts must be refused with its status and code, as problem+json, without reaching the origin
// and without the token (or a segment of it) in the answer or the logs.

import assert from "node:assert/strict";
import { HOSTILE_CASES, type HostileCase, type Sent } from "./cases.js";
import { AUTHENTICATED_ROUTE, type HostileStack, startHostileStack, WORKLOAD_ROUTE } from "./hostile-stack.js";
import { type Answer, refusalOf, secretsOf } from "./refusal-checks.js";

describe("hostile tokens against the edge middleware in workerd", function () {
  this.timeout(120_000);
  let s: HostileStack;
  const secrets = new Set<string>();

  before(async () => {
    s = await startHostileStack();
  });
  after(async () => s?.h.dispose());

  async function send(route: string, sent: Sent): Promise<Answer> {
    const target = `${route}${sent.query ?? ""}`;
    if (sent.raw === true) {
      const response = await s.h.raw(target, {
        headers: sent.authorization.map((value): [string, string] => ["authorization", value]),
      });
      const header = (name: string) => [response.headers[name]].flat()[0] ?? null;
      return {
        status: response.status,
        contentType: header("content-type"),
        wwwAuthenticate: header("www-authenticate"),
        body: response.body,
      };
    }
    assert.ok(sent.authorization.length <= 1, "several Authorization headers need a raw request");
    const headers: Record<string, string> =
      sent.authorization[0] === undefined ? {} : { authorization: sent.authorization[0] };
    const response = await s.h.request(target, { headers });
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      wwwAuthenticate: response.headers.get("www-authenticate"),
      body: await response.text(),
    };
  }

  // Controls: without them every refusal below could come from a broken stack.
  it("control: admits the issuer's valid token on both routes", async () => {
    for (const route of [WORKLOAD_ROUTE, AUTHENTICATED_ROUTE]) {
      const answer = await send(route, { authorization: [`Bearer ${s.valid}`] });
      assert.equal(answer.status, 200, answer.body);
    }
  });

  it("control: admits a valid token signed by the trusted test key, so claim cases reach the claim checks", async () => {
    const before = s.h.forwarded.length;
    const answer = await send(WORKLOAD_ROUTE, { authorization: [`Bearer ${await s.trustedToken()}`] });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(s.h.forwarded.length, before + 1);
  });

  it("control: admits lowercase bearer with a valid token (RFC 7235: the scheme is case-insensitive)", async () => {
    assert.equal((await send(WORKLOAD_ROUTE, { authorization: [`bearer ${s.valid}`] })).status, 200);
  });

  it(`the table holds at least 40 cases with unique names (${HOSTILE_CASES.length})`, () => {
    assert.ok(HOSTILE_CASES.length >= 40);
    assert.equal(new Set(HOSTILE_CASES.map((c) => c.name)).size, HOSTILE_CASES.length);
  });

  for (const hostile of HOSTILE_CASES) {
    it(`${hostile.status} ${hostile.code}: ${hostile.name}`, () => refuses(hostile));
  }

  async function refuses(hostile: HostileCase): Promise<void> {
    const sent = await hostile.send(s);
    const forwardedBefore = s.h.forwarded.length;
    const answer = await send(hostile.route, sent);
    assert.equal(s.h.forwarded.length, forwardedBefore, "the origin was reached");
    const caseSecrets = secretsOf(sent);
    for (const secret of caseSecrets) secrets.add(secret);
    refusalOf(answer, hostile.status, hostile.code, caseSecrets);
  }

  it("logged every refusal without a token or a segment of one", async () => {
    await s.h.settleLogs();
    const refusals = s.h.events("middleware.refused");
    assert.ok(refusals.length >= HOSTILE_CASES.length, `${refusals.length} refusal lines`);
    const logs = s.h.logs.join("\n");
    // Short pieces (a few characters) could occur by chance; a 16-character run cannot.
    for (const secret of secrets)
      if (secret.length >= 16) assert.ok(!logs.includes(secret), `a log line carries ${secret.slice(0, 24)}…`);
  });
});
