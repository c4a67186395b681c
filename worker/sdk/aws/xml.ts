// A small, strict XML reader for AWS query-protocol answers (a few KiB of nested elements), so the
// SDK needs no XML dependency. It builds a tree of elements and their text, decodes the five
// predefined entities and character references, and refuses anything outside that: DOCTYPE (so
// no entity expansion), processing instructions other than the XML declaration, undefined
// entities, a bare `&`, mismatched or unclosed tags, duplicate attributes, text after the root.
// Names are compared without their namespace prefix; attributes are checked, then dropped.

export interface XmlElement {
  /** The local name (a prefix such as `ns:` is dropped). */
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA, entities decoded), children excluded. */
  readonly text: string;
}

export class XmlError extends Error {}

const MAX_DEPTH = 32;
const NAME = /[A-Za-z_][\w.:-]*/y;
const WHITESPACE = /[ \t\r\n]*/y;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function parseXml(input: string): XmlElement {
  const reader = new Reader(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
  if (reader.startsWith("<?xml")) {
    const end = reader.indexOf("?>");
    if (end < 0) throw new XmlError("unterminated XML declaration");
    reader.pos = end + 2;
  }
  reader.skipMisc();
  const root = reader.element(0);
  reader.skipMisc();
  if (reader.pos !== reader.text.length) throw new XmlError("content after the root element");
  return root;
}

/** The one child element called `name`; undefined when absent, an XmlError when repeated. */
export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  const found = parent.children.filter((c) => c.name === name);
  if (found.length > 1) throw new XmlError(`<${name}> appears ${found.length} times in <${parent.name}>`);
  return found[0];
}

/** The text of a leaf element; an XmlError when it has child elements. */
export function leafText(element: XmlElement): string {
  if (element.children.length > 0) throw new XmlError(`<${element.name}> must hold text, not elements`);
  return element.text;
}

class Reader {
  pos = 0;

  constructor(readonly text: string) {}

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.pos);
  }

  indexOf(needle: string): number {
    return this.text.indexOf(needle, this.pos);
  }

  skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (!this.startsWith("<!--")) {
        this.refuseDeclarations();
        return;
      }
      this.comment();
    }
  }

  element(depth: number): XmlElement {
    if (depth >= MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH}`);
    if (!this.startsWith("<")) throw new XmlError(`expected an element at offset ${this.pos}`);
    this.pos += 1;
    const name = this.name();
    if (this.attributes()) return { name: localName(name), children: [], text: "" };
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      const open = this.indexOf("<");
      if (open < 0) throw new XmlError(`<${name}> is not closed`);
      text += decodeText(this.text.slice(this.pos, open));
      this.pos = open;
      if (this.startsWith("</")) {
        this.pos += 2;
        const closing = this.name();
        this.skipWhitespace();
        this.expect(">");
        if (closing !== name) throw new XmlError(`<${name}> is closed by </${closing}>`);
        return { name: localName(name), children, text };
      }
      if (this.startsWith("<!--")) this.comment();
      else if (this.startsWith("<![CDATA[")) text += this.cdata();
      else {
        this.refuseDeclarations();
        children.push(this.element(depth + 1));
      }
    }
  }

  /** Refuses DOCTYPE (and so any entity definition), other declarations and processing instructions. */
  private refuseDeclarations(): void {
    if (this.startsWith("<!") || this.startsWith("<?"))
      throw new XmlError("DOCTYPE, declarations and processing instructions are not accepted");
  }

  /** Reads the attributes up to `>` (false) or `/>` (true: an empty element). */
  private attributes(): boolean {
    const seen = new Set<string>();
    for (;;) {
      const before = this.pos;
      this.skipWhitespace();
      if (this.startsWith("/>")) {
        this.pos += 2;
        return true;
      }
      if (this.startsWith(">")) {
        this.pos += 1;
        return false;
      }
      if (this.pos === before) throw new XmlError(`expected whitespace before an attribute at offset ${this.pos}`);
      const name = this.name();
      if (seen.has(name)) throw new XmlError(`attribute ${name} appears twice`);
      seen.add(name);
      this.skipWhitespace();
      this.expect("=");
      this.skipWhitespace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${name} has no quoted value`);
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) throw new XmlError(`attribute ${name} is not closed`);
      const value = this.text.slice(this.pos + 1, end);
      if (value.includes("<")) throw new XmlError(`attribute ${name} contains '<'`);
      decodeText(value);
      this.pos = end + 1;
    }
  }

  private comment(): void {
    const end = this.text.indexOf("-->", this.pos + 4);
    if (end < 0) throw new XmlError("unterminated comment");
    if (this.text.slice(this.pos + 4, end).includes("--")) throw new XmlError("'--' inside a comment");
    this.pos = end + 3;
  }

  private cdata(): string {
    const start = this.pos + "<![CDATA[".length;
    const end = this.text.indexOf("]]>", start);
    if (end < 0) throw new XmlError("unterminated CDATA section");
    this.pos = end + 3;
    return this.text.slice(start, end);
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) throw new XmlError(`expected a name at offset ${this.pos}`);
    this.pos = NAME.lastIndex;
    return match[0];
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private expect(token: string): void {
    if (!this.startsWith(token)) throw new XmlError(`expected '${token}' at offset ${this.pos}`);
    this.pos += token.length;
  }
}

function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

function decodeText(raw: string): string {
  if (!raw.includes("&")) return raw;
  let out = "";
  let from = 0;
  for (let amp = raw.indexOf("&"); amp >= 0; amp = raw.indexOf("&", from)) {
    REFERENCE.lastIndex = amp;
    const match = REFERENCE.exec(raw);
    if (!match) throw new XmlError("an undefined entity or a bare '&' in text");
    out += raw.slice(from, amp) + (match[1] !== undefined ? PREDEFINED[match[1]]! : character(match[2], match[3]));
    from = REFERENCE.lastIndex;
  }
  return out + raw.slice(from);
}

function character(decimal: string | undefined, hex: string | undefined): string {
  const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
  const allowed =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  if (!allowed)
    throw new XmlError(`character reference to U+${code.toString(16).toUpperCase()}, which XML does not allow`);
  return String.fromCodePoint(code);
}
