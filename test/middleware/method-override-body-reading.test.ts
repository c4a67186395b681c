// Reading a POST body for `_method`: inspectOverrideBody's size limits and the bytes it hands back,
// and the Content-Encodings and charsets an origin would decode first (refused as unreadable).

import assert from "node:assert/strict";
import { bodyEncodingProblem } from "../../worker/middleware/body-encoding.js";
import { inspectOverrideBody } from "../../worker/middleware/method-override-body.js";
import { check, refusal, ruleForPath } from "./method-override-rules.js";

describe("inspectOverrideBody", () => {
  const ruleFor = ruleForPath("/items/a/b");
  const rule = ruleFor("POST")!;
  const post = (body: RequestInit["body"], headers: Record<string, string> = {}) =>
    new Request("https://api.test/items/a/b", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  /** inspectOverrideBody on a POST of `body` as `contentType` to /items/a/b (rule: POST,DELETE). */
  const inspect = (body: RequestInit["body"], contentType = "application/x-www-form-urlencoded") =>
    inspectOverrideBody(post(body, { "content-type": contentType }), "POST", rule, ruleFor);

  it("reads a small form body whole and hands back the same bytes", async () => {
    const sent = new Uint8Array([...new TextEncoder().encode("_method=DELETE&blob="), 0xff, 0x00, 0x80]);
    const result = await inspect(sent);
    assert.equal(result.kind, "read");
    assert.ok(result.kind === "read");
    assert.deepEqual([...result.bytes], [...sent]);
    assert.deepEqual(
      result.overrides.map((o) => o.value),
      ["DELETE"],
    );
  });

  it("refuses a body declared larger than 64 KiB without reading it", async () => {
    const result = await inspect("x".repeat(65_537));
    assert.equal(result.kind, "too large");
  });

  it("accepts exactly 64 KiB", async () => {
    const result = await inspect("x".repeat(65_536));
    assert.equal(result.kind, "read");
  });

  it("stops reading a streamed body without a Content-Length once it passes 64 KiB", async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls > 100) controller.close();
        else controller.enqueue(new Uint8Array(16_384));
      },
    });
    const result = await inspect(stream, "application/json");
    assert.equal(result.kind, "too large");
    assert.ok(pulls < 10, `read ${pulls} chunks of 16 KiB`);
  });

  it("leaves a body alone that no framework parses, or whose rule governs every method", async () => {
    const octets = post("_method=DELETE", { "content-type": "application/octet-stream" });
    assert.deepEqual(await inspectOverrideBody(octets, "POST", rule, ruleFor), { kind: "not read" });
    assert.equal(octets.bodyUsed, false);
    const anyRuleFor = ruleForPath("/any/x");
    const large = post("x".repeat(200_000), { "content-type": "application/x-www-form-urlencoded" });
    assert.deepEqual(await inspectOverrideBody(large, "POST", anyRuleFor("POST")!, anyRuleFor), { kind: "not read" });
    assert.equal(large.bodyUsed, false);
  });
});

describe("bodies an origin decodes before it reads _method", () => {
  const none = new Uint8Array();
  it("accepts no Content-Encoding or identity, and the charsets in which ASCII bytes are ASCII text", () => {
    for (const encoding of [null, "", "identity", " IDENTITY "])
      assert.equal(bodyEncodingProblem("application/json", encoding, true, none), undefined, String(encoding));
    for (const charset of [
      "utf-8",
      "UTF8",
      "us-ascii",
      "ISO-8859-1",
      "iso-8859-15",
      "latin1",
      "windows-1252",
      '"utf-8"',
    ]) {
      assert.equal(
        bodyEncodingProblem(`application/x-www-form-urlencoded; charset=${charset}`, null, false, none),
        undefined,
        charset,
      );
    }
  });

  it("refuses any other Content-Encoding or charset, and JSON whose first bytes say UTF-16 or UTF-32 (RFC 4627 §3)", () => {
    for (const encoding of ["gzip", "x-gzip", "deflate", "br", "zstd", "identity, gzip", "gzip, identity"]) {
      assert.match(bodyEncodingProblem(null, encoding, false, none) ?? "", /Content-Encoding/, encoding);
    }
    for (const charset of [
      "utf-16",
      "UTF-16LE",
      "utf-32",
      "ibm037",
      "cp500",
      "shift_jis",
      "utf-7",
      "",
      "utf-8; charset=utf-16",
    ]) {
      assert.match(
        bodyEncodingProblem(`application/x-www-form-urlencoded; charset=${charset}`, null, false, none) ?? "",
        /charset/,
        charset,
      );
    }
    for (const start of [
      [0xff, 0xfe, 0x7b, 0],
      [0xfe, 0xff, 0, 0x7b],
      [0x7b, 0, 0x22, 0],
      [0, 0, 0, 0x7b],
      [0, 0, 0xfe, 0xff],
    ]) {
      assert.match(
        bodyEncodingProblem("application/json", null, true, new Uint8Array(start)) ?? "",
        /UTF-16 or UTF-32/,
        String(start),
      );
    }
    assert.equal(
      bodyEncodingProblem("application/json", null, true, new TextEncoder().encode('\ufeff{"a":1}')),
      undefined,
    ); // the UTF-8 BOM
  });

  it("inspectOverrideBody hands an encoded body back as one override that cannot be read, which checkMethodOverride refuses", async () => {
    const ruleFor = ruleForPath("/items/a/b");
    const request = new Request("https://api.test/items/a/b", {
      method: "POST",
      body: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" },
    });
    const result = await inspectOverrideBody(request, "POST", ruleFor("POST")!, ruleFor);
    assert.ok(result.kind === "read");
    assert.deepEqual([...result.bytes], [...new TextEncoder().encode("a=1")]);
    assert.equal(refusal(check("POST", "/items/a/b", [], result.overrides)), "now");
  });
});
