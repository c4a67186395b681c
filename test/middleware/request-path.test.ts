// The canonical request path: every segment decoded completely (strict UTF-8) and spelt again one
// way, so equivalent spellings are one string; and a refusal, naming its cause, for every spelling
// that origins are known to read differently (escaped separators, controls, ';' parameters, dot
// segments however they are spelt, invalid UTF-8, escapes of escapes, what Windows trims and what
// Unicode NFKC normalisation changes).

import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalPath } from "../../worker/rules/request-path.js";

describe("canonicalPath", () => {
  const canonical = (pathname: string) => {
    const result = canonicalPath(pathname);
    assert.ok(result.ok, `${pathname} was refused: ${!result.ok ? result.reason : ""}`);
    return result;
  };

  it("keeps plain paths, the root and a trailing slash", () => {
    assert.deepEqual(canonical("/"), { ok: true, path: "/", segments: [""] });
    assert.deepEqual(canonical("/reports/daily/"), {
      ok: true,
      path: "/reports/daily/",
      segments: ["reports", "daily", ""],
    });
    assert.equal(canonical("/.well-known/x").path, "/.well-known/x");
    assert.equal(canonical("/v1..2").path, "/v1..2");
    assert.equal(canonical("/a.b/.x/%20a").path, "/a.b/.x/%20a");
  });

  it("decodes escaped unreserved characters, in either case", () => {
    assert.equal(canonical("/rep%6Frts/%7Euser/%2D").path, "/reports/~user/-");
    assert.equal(canonical("/%41dmin").path, "/Admin");
    assert.equal(canonical("/%61%64%6d%69%6E").path, "/admin");
  });

  it("spells ':', '@' and the sub-delims plainly, escaped or not (%3A is ':')", () => {
    for (const spelling of ["/api/a:b", "/api/a%3Ab", "/api/a%3ab", "/api/%61%3A%62"]) {
      assert.deepEqual(canonical(spelling), { ok: true, path: "/api/a:b", segments: ["api", "a:b"] }, spelling);
    }
    assert.equal(canonical("/%21%24%26%27%28%29%2A%2B%2C%3D%40%3a").path, "/!$&'()*+,=@:");
    assert.equal(canonical("/!$&'()*+,=@:").path, "/!$&'()*+,=@:");
  });

  it("escapes everything else in upper case, whatever the spelling it came in", () => {
    assert.equal(canonical("/a%20b/a b").path, "/a%20b/a%20b");
    assert.equal(canonical("/a%3fb/a%23b/a%22b/a%5eb/a%7Bb").path, "/a%3Fb/a%23b/a%22b/a%5Eb/a%7Bb");
    assert.equal(canonical("/100%25").path, "/100%25");
  });

  it("reads non-ASCII raw or escaped in any case as one path (é is %C3%A9)", () => {
    for (const spelling of ["/café", "/caf%C3%A9", "/caf%c3%a9", "/caf%C3%a9"]) {
      assert.deepEqual(canonical(spelling), { ok: true, path: "/caf%C3%A9", segments: ["caf%C3%A9"] }, spelling);
    }
    assert.equal(canonical("/😀").path, "/%F0%9F%98%80");
    assert.equal(canonical("/%f0%9f%98%80").path, "/%F0%9F%98%80");
    // NFC text without compatibility characters is its own NFKC form, so it passes.
    assert.equal(
      canonical("/%E6%97%A5%E6%9C%AC/%D0%BC%D0%B8%D1%80/na%C3%AFve").path,
      "/%E6%97%A5%E6%9C%AC/%D0%BC%D0%B8%D1%80/na%C3%AFve",
    );
    assert.equal(canonical("/日本/мир").path, "/%E6%97%A5%E6%9C%AC/%D0%BC%D0%B8%D1%80");
    // A leading byte-order mark is a character of the segment, kept, not silently dropped.
    assert.equal(canonical("/%EF%BB%BFadmin").path, "/%EF%BB%BFadmin");
  });

  const DOT = /dot segment \('\.\.?' once decoded\)/;
  const DOT_PARAMETER = /dot segment behind a ';' parameter/;
  const SEMICOLON = /';' \(raw or %3B\)/;
  const NOT_UTF8 = /not UTF-8/;
  const CONTROL = /control character/;
  const DOTS_AND_SPACES = /segment of only dots and spaces .*Windows origins trim/;
  const TRAILING = /segment ending in '\.' or ' ' .*Windows origins trim/;
  const NFKC = /NFKC normalisation changes/;
  const refusals: [string, RegExp][] = [
    // dot segments, escaped in every mix of case (the URL parser resolves some of these itself)
    ...["..", ".", "%2e%2e", "%2E%2E", "%2e%2E", ".%2e", "%2e.", "%2E", "%2e"].map((dots): [string, RegExp] => [
      `/a/${dots}/b`,
      DOT,
    ]),
    // dot segments behind a path parameter, however ';' and the dots are spelt
    ...[
      "..;",
      ".;",
      "..;x",
      "..;jsessionid=1",
      "..%3B",
      "..%3b",
      "%2e%2e%3b",
      "%2E%2E%3B",
      ".%2E%3B",
      "%2e.;",
      "%2e;",
      "..%3Bx=1",
      "%2E%2E;a=b",
    ].map((dots): [string, RegExp] => [`/public/${dots}/admin`, DOT_PARAMETER]),
    // any other path parameter
    ["/a;b", SEMICOLON],
    ["/a%3Bb", SEMICOLON],
    ["/a%3bb", SEMICOLON],
    ["/;", SEMICOLON],
    ["/admin;/x", SEMICOLON],
    ["/...;", SEMICOLON],
    // what Windows origins trim: segments of only dots and spaces, a trailing '.' or ' '
    ["/...", DOTS_AND_SPACES],
    ["/public/.../admin", DOTS_AND_SPACES],
    ["/public/..%20/admin", /only dots and spaces \('\.\.%20' once decoded\)/],
    ["/public/.. /admin", DOTS_AND_SPACES],
    ["/public/.%20/admin", DOTS_AND_SPACES],
    ["/public/%2e%2e%2e/admin", DOTS_AND_SPACES],
    ["/public/%20/admin", DOTS_AND_SPACES],
    ["/public/. ./admin", DOTS_AND_SPACES],
    ["/admin.", /ending in '\.' or ' ' \('admin\.' once decoded\)/],
    ["/admin%2E/x", TRAILING],
    ["/admin%20", TRAILING],
    ["/admin./x", TRAILING],
    ["/admin. . ", TRAILING],
    ["/api/a:b.", TRAILING],
    // what NFKC turns into dots, separators, ';', ASCII letters or composed accents
    ["/public/%EF%BC%8E%EF%BC%8E/admin", /U\+FF0E, which NFKC reads as '\.'/],
    ["/public/.%EF%BC%8E/admin", /U\+FF0E/],
    ["/public/%E2%80%A4%E2%80%A4/admin", /U\+2024, which NFKC reads as '\.'/],
    ["/public/%E2%80%A5/admin", /U\+2025, which NFKC reads as '\.\.'/],
    ["/public/%E2%80%A6/admin", /U\+2026/],
    ["/public/..%EF%BC%8Fadmin", /U\+FF0F, which NFKC reads as '%2F'/],
    ["/public/..%EF%BC%BCadmin", /U\+FF3C, which NFKC reads as '%5C'/],
    ["/public/..%EF%B9%A8admin", /U\+FE68/],
    ["/public/..%EF%BC%9B/admin", /U\+FF1B, which NFKC reads as '%3B'/],
    ["/%EF%BD%81dmin", /U\+FF41, which NFKC reads as 'a'/],
    ["/api/a%EF%BC%9Ab", /U\+FF1A, which NFKC reads as ':'/],
    ["/%EF%AC%81le", /U\+FB01, which NFKC reads as 'fi'/],
    ["/a%C2%A0", /U\+00A0, which NFKC reads as '%20'/],
    ["/a%E3%80%80b", /U\+3000/],
    ["/cafe%CC%81", /NFKC composes \('cafe%CC%81' is 'caf%C3%A9'\)/],
    ["/cafe\u0301", NFKC],
    // slash look-alikes NFKC keeps, which Windows best-fit conversion maps to '/' or '\'
    ["/public/..%E2%88%95admin", /slash look-alike \(U\+2215\)/],
    ["/a%E2%81%84b", /slash look-alike \(U\+2044\)/],
    ["/a%E2%88%96b", /slash look-alike \(U\+2216\)/],
    ["/a\u29F8b", /slash look-alike \(U\+29F8\)/],
    // separators inside a segment
    ["/a%2Fb", /escaped '\/' \(%2F\)/],
    ["/a%2fb", /escaped '\/' \(%2F\)/],
    ["/public/..%2Fadmin", /escaped '\/'/],
    ["/a%5Cb", /'\\' \(raw or %5C\)/],
    ["/a%5cb", /'\\' \(raw or %5C\)/],
    ["/a\\b", /'\\' \(raw or %5C\)/],
    // NUL and the other controls, escaped or raw
    ["/a%00", /control character \(%00\)/],
    ["/a%01", /control character \(%01\)/],
    ["/a%09b", /control character \(%09\)/],
    ["/a%0Ab", /control character \(%0A\)/],
    ["/a%0d%0a", /control character \(%0D\)/],
    ["/a%1F", /control character \(%1F\)/],
    ["/a%7f", /control character \(%7F\)/],
    ["/a\u0007", CONTROL],
    ["/..%00", CONTROL],
    // not UTF-8: overlong forms, invalid bytes, truncated sequences, encoded surrogates, > U+10FFFF
    ["/a%C0%AF", /not UTF-8 \(%C0%AF/],
    ["/a%c0%af", /not UTF-8 \(%C0%AF/],
    ["/%C0%AE%C0%AE%3B/admin", NOT_UTF8],
    ["/a%C1%81", NOT_UTF8],
    ["/a%E0%80%AF", NOT_UTF8],
    ["/a%F0%80%80%AF", NOT_UTF8],
    ["/a%FF", /not UTF-8 \(%FF/],
    ["/a%FE", NOT_UTF8],
    ["/a%80", NOT_UTF8],
    ["/a%C3", NOT_UTF8],
    ["/a%C3b", NOT_UTF8],
    ["/a%C3%28", NOT_UTF8],
    ["/a%ED%A0%80", NOT_UTF8],
    ["/a%F4%90%80%80", NOT_UTF8],
    ["/a\uD800", /lone UTF-16 surrogate/],
    ["/a\uDC00b", /lone UTF-16 surrogate/],
    // escapes of escapes: an origin that decodes twice reads %252e as '.'
    ["/a/%252e%252e%253b/b", /escaped escape/],
    ["/a/%25%32%65", /escaped escape/],
    ["/a/%252F", /escaped escape/],
    // stray '%', empty inner segments, no leading '/'
    ["/a%zz", /not an escape/],
    ["/a%", /not an escape/],
    ["/a%2", /not an escape/],
    ["/a%%41", /not an escape/],
    ["//reports", /empty segment/],
    ["/reports//x", /empty segment/],
    ["reports", /start with/],
    ["", /start with/],
  ];
  for (const [pathname, reason] of refusals) {
    it(`refuses ${JSON.stringify(pathname)}`, () => {
      const result = canonicalPath(pathname);
      assert.equal(result.ok, false, `accepted as ${result.ok ? result.path : ""}`);
      assert.match(!result.ok ? result.reason : "", reason);
    });
  }

  describe("properties", () => {
    // Characters that make paths interesting: separators, escapes and their digits, dots, ';'.
    const tricky = fc.constantFrom(
      "/",
      "%",
      "2",
      "e",
      "E",
      "F",
      "f",
      "3",
      "B",
      "5",
      "C",
      "0",
      "A",
      ".",
      ";",
      ":",
      "\\",
      "a",
      "é",
      "😀",
      "\u0000",
      " ",
    );
    const encodedDot = fc.constantFrom(
      "%2e",
      "%2E",
      "%3b",
      "%3A",
      "%41",
      "%7e",
      "%20",
      "%25",
      "%2F",
      "%C3%A9",
      "%c3%a9",
      "%F0%9F%98%80",
      "%C0%AF",
    );
    const anyChar = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });
    const trickyPath = fc.string({ unit: fc.oneof(tricky, encodedDot, anyChar), maxLength: 24 }).map((s) => `/${s}`);

    /** One spelling of `text` as a segment: each character raw or escaped, hex digits in random case. */
    const spelling = (text: string) =>
      fc
        .array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: [...text].length, maxLength: [...text].length })
        .map((choices) =>
          [...text]
            .map((char, i) => {
              const [encoded, lower] = choices[i]!;
              if (!encoded && char !== "/" && char !== "%") return char;
              const hex = [...new TextEncoder().encode(char)]
                .map((b) => `%${b.toString(16).padStart(2, "0")}`)
                .join("");
              return lower ? hex.toLowerCase() : hex.toUpperCase();
            })
            .join(""),
        );
    const segmentText = fc.string({
      unit: fc.oneof(anyChar, fc.constantFrom(".", ";", ":", "%", "/", "é")),
      minLength: 1,
      maxLength: 8,
    });
    const twoSpellings = fc
      .array(segmentText, { minLength: 1, maxLength: 4 })
      .chain((texts) =>
        fc.tuple(fc.constant(texts), fc.tuple(...texts.map(spelling)), fc.tuple(...texts.map(spelling))),
      );

    it("never throws, and the canonical path is canonical again (idempotent)", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            trickyPath,
            fc.string().map((s) => `/${s}`),
          ),
          (pathname) => {
            const once = canonicalPath(pathname);
            if (once.ok) assert.deepEqual(canonicalPath(once.path), once);
          },
        ),
        { numRuns: 3_000 },
      );
    });

    it("two spellings of the same decoded text give the same answer, which decodes back to that text", () => {
      fc.assert(
        fc.property(twoSpellings, ([texts, a, b]) => {
          const first = canonicalPath(`/${a.join("/")}`);
          assert.deepEqual(canonicalPath(`/${b.join("/")}`), first);
          if (first.ok) assert.deepEqual(first.segments.map(decodeURIComponent), texts);
        }),
        { numRuns: 2_000 },
      );
    });

    it("an accepted segment is its own NFKC form and ends in neither '.' nor ' ' (what every origin reads alike)", () => {
      const lookalikes = fc.constantFrom(
        "\uFF0E",
        "\u2024",
        "\u2025",
        "\uFF0F",
        "\uFF3C",
        "\uFF41",
        "\u0301",
        "\u00A0",
        "\uFB01",
        "é",
        ".",
        " ",
      );
      const unicodePath = fc.string({
        unit: fc.oneof(
          lookalikes,
          fc.constantFrom("a", "/", "%2e", "%20"),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
        ),
        maxLength: 12,
      });
      fc.assert(
        fc.property(
          fc.oneof(
            trickyPath,
            unicodePath.map((s) => `/${s}`),
          ),
          (pathname) => {
            const result = canonicalPath(pathname);
            if (!result.ok) return;
            for (const segment of result.segments.map(decodeURIComponent)) {
              assert.equal(segment.normalize("NFKC"), segment, pathname);
              assert.doesNotMatch(segment, /[. ]$/, pathname);
            }
          },
        ),
        { numRuns: 3_000 },
      );
    });

    it("the canonical path survives being set as a URL's pathname (what is authorised is what is forwarded)", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            trickyPath,
            twoSpellings.map(([, a]) => `/${a.join("/")}`),
          ),
          (pathname) => {
            const result = canonicalPath(pathname);
            if (!result.ok) return;
            const url = new URL("https://api.example.test/");
            url.pathname = result.path;
            assert.equal(url.pathname, result.path);
          },
        ),
        { numRuns: 2_000 },
      );
    });
  });
});
