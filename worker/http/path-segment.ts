// One segment of a request path, percent-decoded. `decodeURIComponent` throws URIError on a stray
// '%', a bad escape (%ZZ) or escapes that are not UTF-8 (the overlong %C0%AF); a client sent
// those, so the route refuses them as a bad request instead of letting the URIError escape.

/** The decoded segment, or undefined when it is not valid percent-encoded UTF-8. */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
