// The bearer token of a request (RFC 6750 §2.1): one Authorization header, the scheme "Bearer" in
// any case, one space, then a b64token. Nothing is trimmed or guessed; a second Authorization
// header reaches us joined with ", ", which no b64token contains, so it is malformed too.

export type BearerCredentials =
  | { readonly kind: "absent" }
  | { readonly kind: "malformed" }
  | { readonly kind: "token"; readonly token: string };

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export function bearerCredentials(headers: Headers): BearerCredentials {
  const value = headers.get("authorization");
  if (value === null) return { kind: "absent" };
  const match = BEARER.exec(value);
  return match ? { kind: "token", token: match[1]! } : { kind: "malformed" };
}
