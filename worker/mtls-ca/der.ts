// Just enough ASN.1 DER (X.690) to write the certificates the stack's CA issues: definite
// lengths, minimal integers, and the handful of types RFC 5280 needs. Encoding only; reading
// and verifying is node:crypto's X509Certificate (and OpenSSL in every TLS handshake).

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), lengthOctets(content.length), content]);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(TAG.sequence, concat(items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(TAG.set, concat(items));
export const boolean = (value: boolean): Uint8Array => tlv(TAG.boolean, Uint8Array.of(value ? 0xff : 0x00));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.octetString, bytes);
export const utf8String = (text: string): Uint8Array => tlv(TAG.utf8String, new TextEncoder().encode(text));
/** A BIT STRING of whole bytes. */
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(TAG.bitString, concat([Uint8Array.of(0), bytes]));

/** A named-bit BIT STRING (X.690 §11.2.2: trailing zero bits dropped); bit 0 is the first. */
export function namedBits(bits: readonly number[]): Uint8Array {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return tlv(TAG.bitString, concat([Uint8Array.of(unused), bytes]));
}

/** A non-negative INTEGER from big-endian magnitude bytes or a number. */
export function integer(value: Uint8Array | number): Uint8Array {
  let bytes = typeof value === "number" ? bigEndian(value) : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Uint8Array.of(0);
  return tlv(TAG.integer, (bytes[0]! & 0x80) !== 0 ? concat([Uint8Array.of(0), bytes]) : bytes);
}

function bigEndian(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("DER integer: a non-negative safe integer");
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.from(bytes);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new RangeError(`not an object identifier: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups: number[] = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) groups.unshift(0x80 | (high % 128));
    bytes.push(...groups);
  }
  return tlv(TAG.oid, Uint8Array.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Zulu. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2026-05-01T12:00:00.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, new TextEncoder().encode(`${digits.slice(2)}Z`));
  return tlv(TAG.generalizedTime, new TextEncoder().encode(`${digits}Z`));
}

/** `[n] EXPLICIT`: a constructed context tag around a complete encoding. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);

/** `[n] IMPLICIT` of a primitive type: the content octets under a context tag. */
export const implicitPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);

export function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
