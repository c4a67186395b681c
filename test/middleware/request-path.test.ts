// The canonical request path: one spelling for matching and forwarding, and a refusal for every
// spelling that origins are known to read differently (escaped separators, dot segments behind ';').

import assert from "node:assert/strict";
import { canonicalPath } from "../../worker/middleware/request-path.js";

describe("canonicalPath", () => {
  const canonical = (pathname: string) => {
    const result = canonicalPath(pathname);
    assert.ok(result.ok, `${pathname} was refused`);
    return result;
  };

  it("keeps plain paths, the root and a trailing slash", () => {
    assert.deepEqual(canonical("/"), { ok: true, path: "/", segments: [""] });
    assert.deepEqual(canonical("/reports/daily/"), { ok: true, path: "/reports/daily/", segments: ["reports", "daily", ""] });
    assert.equal(canonical("/.well-known/x").path, "/.well-known/x");
    assert.equal(canonical("/v1..2").path, "/v1..2");
  });

  it("decodes escaped unreserved characters and upper-cases the other escapes", () => {
    assert.equal(canonical("/rep%6Frts/%7Euser/%2D").path, "/reports/~user/-");
    assert.equal(canonical("/caf%c3%a9/a%20b").path, "/caf%C3%A9/a%20b");
  });

  for (const [pathname, reason] of [
    ["/a%2Fb", /%2F/],
    ["/a%2fb", /%2F/],
    ["/a%5Cb", /%5C/],
    ["/a%00", /%00/],
    ["/a%zz", /not an escape/],
    ["/a%", /not an escape/],
    ["//reports", /empty segment/],
    ["/reports//x", /empty segment/],
    ["/public/..;/admin", /dot segment/],
    ["/public/.;x/admin", /dot segment/],
    ["/a/%2e%2e/b", /dot segment/],
    ["/a/%2E", /dot segment/],
    ["reports", /start with/],
  ] as const) {
    it(`refuses ${pathname}`, () => {
      const result = canonicalPath(pathname);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.reason : "", reason);
    });
  }
});
