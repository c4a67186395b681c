// Comparison of a presented secret with the expected one in constant time: both are hashed first,
// so neither the length nor any prefix of the secret leaks through timing.

export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return equalDigests(a, b);
}

/** workerd's constant-time comparison; elsewhere (Node tests) an XOR over the fixed-size digests. */
function equalDigests(a: ArrayBuffer, b: ArrayBuffer): boolean {
  const subtle = crypto.subtle as unknown as { timingSafeEqual?: (x: ArrayBuffer, y: ArrayBuffer) => boolean };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ (y[i] ?? 0);
  return difference === 0;
}

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}
