// One segment of a request path, percent-decoded (form-decoding.ts, strictly: '+' stays '+'). A
// stray '%', a bad escape (%ZZ) or escapes that are not UTF-8 (the overlong %C0%AF) were sent by a
// client, so the route refuses them as a bad request instead of letting a URIError escape.

import { percentDecoded } from "./form-decoding.js";

/** The decoded segment, or undefined when it is not valid percent-encoded UTF-8. */
export const decodePathSegment: (segment: string) => string | undefined = percentDecoded;
