// The path override headers (X-Original-URL, X-Rewrite-URL, … in any spelling) that are stripped
// before a request reaches the origin.

import assert from "node:assert/strict";
import { stripPathOverrides } from "../../worker/middleware/path-override.js";

describe("stripPathOverrides", () => {
  it("removes every header an origin may read as X-Original-URL, X-Rewrite-URL, X-Forwarded-Prefix, X-Forwarded-Path or X-Original-URI", () => {
    const headers = new Headers([
      ["X-Original-URL", "/admin/keys"],
      ["x_original_url", "/admin/keys"],
      ["X-Rewrite-Url", "/admin/keys"],
      ["X.Rewrite.URL", "/admin/keys"],
      ["X-Forwarded-Prefix", "/admin"],
      ["x-forwarded_path", "/admin/keys"],
      ["X-Original-URI", "/admin/keys"],
      ["X-Forwarded-For", "192.0.2.1"],
      ["X-Original-Host", "a.test"],
      ["X-Override-URL", "/admin/keys"],
      ["Accept", "*/*"],
    ]);
    stripPathOverrides(headers);
    assert.deepEqual([...headers.keys()].sort(), ["accept", "x-forwarded-for", "x-original-host", "x-override-url"]);
  });
});
