// POST bodies an origin decodes before it reads `_method` (body-parser inflates gzip, deflate and
// brotli; Tomcat and body-parser decode charsets such as UTF-16 and EBCDIC), thrown at the edge
// middleware Worker in workerd: the middleware cannot read them as the origin does, so a body that
// may carry `_method` is refused 400 ERR_METHOD_OVERRIDE; identity, UTF-8 and ISO-8859-1 are read.
// Sent to the middleware in workerd with override-middleware.ts's rules and harness.

import assert from "node:assert/strict";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { form, overrideMiddleware } from "./override-middleware.js";

describe("override tricks against the edge middleware in workerd: an encoded _method body is refused", function () {
  this.timeout(120_000);
  const { send, bearer } = overrideMiddleware();

  /** `_method=DELETE` in IBM037 (EBCDIC), a charset Java decodes and no TextDecoder knows. */
  const EBCDIC_DELETE = new Uint8Array([
    0x6d, 0x94, 0x85, 0xa3, 0x88, 0x96, 0x84, 0x7e, 0xc4, 0xc5, 0xd3, 0xc5, 0xe3, 0xc5,
  ]);
  const utf16 = (text: string, bom = false) => new Uint8Array(Buffer.from(`${bom ? "\ufeff" : ""}${text}`, "utf16le"));

  /** Bodies an origin decodes before it reads _method=DELETE (body-parser inflates, Tomcat and body-parser decode charsets). */
  const ENCODED: readonly [string, [string, string][], Uint8Array][] = [
    ["a gzipped form", [form(), ["content-encoding", "gzip"]], gzipSync("_method=DELETE")],
    ["a deflated form", [form(), ["content-encoding", "Deflate"]], deflateSync("_method=DELETE")],
    ["a brotli form", [form(), ["content-encoding", "br"]], brotliCompressSync("_method=DELETE")],
    [
      "gzipped JSON",
      [
        ["content-type", "application/json"],
        ["content-encoding", "gzip"],
      ],
      gzipSync('{"_method":"DELETE"}'),
    ],
    [
      "a gzipped multipart body",
      [
        ["content-type", "multipart/form-data; boundary=b"],
        ["content-encoding", "identity, gzip"],
      ],
      gzipSync('--b\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b--\r\n'),
    ],
    ["UTF-16 JSON (charset)", [["content-type", "application/json; charset=utf-16le"]], utf16('{"_method":"DELETE"}')],
    ["UTF-16 JSON (a BOM, no charset)", [["content-type", "application/json"]], utf16('{"_method":"DELETE"}', true)],
    [
      "a UTF-16 form (Tomcat decodes it)",
      [["content-type", "application/x-www-form-urlencoded; charset=UTF-16LE"]],
      utf16("_method=DELETE"),
    ],
    ["an EBCDIC form", [["content-type", 'application/x-www-form-urlencoded; charset="IBM037"']], EBCDIC_DELETE],
  ];

  for (const [what, headers, body] of ENCODED) {
    it(`${what}: refused 400, not forwarded with a _method the middleware cannot see`, async () => {
      const { answer, forwarded } = await send("POST", "/hooks/a", { headers, body });
      assert.deepEqual([answer.status, answer.code, forwarded.length], [400, "ERR_METHOD_OVERRIDE", 0], answer.body);
    });
  }

  it("control: identity, UTF-8 and ISO-8859-1 bodies are read and forwarded byte for byte; an encoded body where nothing is read streams through", async () => {
    const plain: [string, [string, string][]][] = [
      ["a=1&b=%C3%A9", [form(), ["content-encoding", "identity"]]],
      ["a=1", [["content-type", "application/x-www-form-urlencoded; charset=ISO-8859-1"]]],
      ['{"a":"\u00e9"}', [["content-type", "application/json; charset=UTF-8"]]],
    ];
    for (const [body, headers] of plain) {
      const { answer, forwarded } = await send("POST", "/hooks/a", { headers, body });
      assert.deepEqual([answer.status, forwarded[0]?.body], [200, body], answer.body);
    }
    const gzipped = gzipSync("_method=DELETE");
    const uploads = await send("POST", "/uploads/a", {
      headers: [form(), ["content-encoding", "gzip"], bearer()],
      body: gzipped,
    });
    assert.equal(uploads.answer.status, 200, uploads.answer.body);
    assert.equal(uploads.forwarded.length, 1);
    const text = await send("POST", "/hooks/a", {
      headers: [
        ["content-type", "text/plain"],
        ["content-encoding", "gzip"],
      ],
      body: gzipped,
    });
    assert.deepEqual([text.answer.status, text.forwarded.length], [200, 1], text.answer.body);
  });
});
