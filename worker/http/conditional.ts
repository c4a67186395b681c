// If-None-Match (RFC 9110 §13.1.2) for the issuer's cacheable documents (the JWKS and the
// revocation list): weak comparison, a list of entity tags, or "*" for any current representation.

export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (!header || !etag) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}
