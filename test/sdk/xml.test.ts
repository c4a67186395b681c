// The SDK's strict XML reader on its own: what it accepts (the XML AWS sends, in every legal
// spelling) and what it refuses.

import assert from "node:assert/strict";
import { childElement, leafText, parseXml, XmlError } from "../../worker/sdk/aws/xml.js";
import { parseUtcTimestamp } from "../../worker/sdk/timestamps.js";

function text(xml: string, ...path: string[]): string {
  let element = parseXml(xml);
  for (const name of path) {
    const next = childElement(element, name);
    assert.ok(next, `no <${name}>`);
    element = next;
  }
  return leafText(element);
}

describe("strict XML reader", () => {
  it("reads nested elements with a declaration, BOM, namespaces, attributes, comments and CDATA", () => {
    const xml =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- leading -->\n' +
      "<sts:R xmlns:sts='https://sts.amazonaws.com/doc/2011-06-15/' a=\"1\"><sts:A><!-- c --><B>x<![CDATA[<&>]]>y</B><E/><F x='&lt;'/></sts:A></sts:R>\n<!-- trailing -->";
    assert.equal(text(xml, "A", "B"), "x<&>y");
    assert.equal(text(xml, "A", "E"), "");
    assert.deepEqual(
      parseXml(xml).children[0]!.children.map((c) => c.name),
      ["B", "E", "F"],
    );
  });

  it("decodes the five predefined entities and character references", () => {
    assert.equal(text("<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;</a>"), "<>&\"'AB😀");
  });

  const refused: [string, string, RegExp][] = [
    ["a bare ampersand", "<a>x & y</a>", /bare '&'/],
    ["an undefined entity", "<a>&nbsp;</a>", /undefined entity/],
    ["a reference to NUL", "<a>&#0;</a>", /U\+0/],
    ["a reference to a surrogate", "<a>&#xD800;</a>", /U\+D800/],
    ["a DOCTYPE", '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE/],
    ["a DOCTYPE inside", "<a><!DOCTYPE b></a>", /DOCTYPE/],
    ["a processing instruction", "<a><?php x ?></a>", /processing instructions/],
    ["mismatched tags", "<a><b></a></b>", /closed by <\/a>/],
    ["an unclosed element", "<a><b></b>", /<a> is not closed/],
    ["text after the root", "<a/>x", /after the root/],
    ["two roots", "<a/><b/>", /after the root/],
    ["a duplicate attribute", '<a x="1" x="2"/>', /appears twice/],
    ["an unquoted attribute", "<a x=1/>", /no quoted value/],
    ["attributes without whitespace", '<a x="1"y="2"/>', /whitespace/],
    ["'<' in an attribute", '<a x="<"/>', /contains '<'/],
    ["'--' in a comment", "<a><!-- a -- b --></a>", /'--'/],
    ["an unterminated CDATA", "<a><![CDATA[x</a>", /CDATA/],
    ["no element", "just text", /expected an element/],
    ["deep nesting", "<a>".repeat(40) + "</a>".repeat(40), /deeper than 32/],
  ];
  for (const [name, xml, reason] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseXml(xml),
        (e: unknown) => e instanceof XmlError && reason.test(e.message),
      );
    });
  }

  it("refuses a repeated child and text read from an element with children", () => {
    const root = parseXml("<a><b>1</b><b>2</b><c><d/></c></a>");
    assert.throws(() => childElement(root, "b"), /appears 2 times/);
    assert.throws(() => leafText(childElement(root, "c")!), /must hold text/);
    assert.equal(childElement(root, "missing"), undefined);
  });
});

describe("UTC timestamps", () => {
  it("reads AWS and protobuf JSON forms to the millisecond", () => {
    assert.equal(parseUtcTimestamp("2026-05-01T12:00:00Z"), Date.UTC(2026, 4, 1, 12));
    assert.equal(parseUtcTimestamp("2026-05-01T12:00:00.5Z"), Date.UTC(2026, 4, 1, 12, 0, 0, 500));
    assert.equal(parseUtcTimestamp("2026-05-01T12:00:00.123456789Z"), Date.UTC(2026, 4, 1, 12, 0, 0, 123));
  });

  it("refuses offsets, missing parts and impossible dates", () => {
    for (const bad of [
      "2026-05-01T12:00:00+01:00",
      "2026-05-01 12:00:00Z",
      "2026-05-01",
      "2026-02-30T00:00:00Z",
      "2026-05-01T24:00:00Z",
      "2026-05-01T12:60:00Z",
      "",
    ]) {
      assert.equal(parseUtcTimestamp(bad), undefined, bad);
    }
  });
});
