// An RFC 7662 introspection request, checked as a pure function of its Content-Type and body:
// application/x-www-form-urlencoded with `token` (required) and `token_type_hint` (optional),
// each at most once (RFC 6749 §3.2); other parameters are ignored, as RFC 6749 §3.1 asks.
// Client credentials belong in the Authorization header (client_secret_basic), never the body.

/** How long a relying party may cache an answer (stated in the README). */
export const INTROSPECTION_MAX_AGE_SECONDS = 10;
export const MAX_INTROSPECTION_BODY_BYTES = 16_384;
const HINT = /^[A-Za-z0-9_.-]{1,64}$/;

export interface IntrospectionRequest {
  readonly token: string;
  /** Ignored by this issuer (it only has one kind of token), but checked. */
  readonly tokenTypeHint?: string;
}

/** A malformed request: answered 400 with this detail, which never quotes the request. */
export class IntrospectionRequestError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "IntrospectionRequestError";
  }
}

export function parseIntrospectionRequest(contentType: string | null, body: string): IntrospectionRequest {
  const mediaType = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    throw new IntrospectionRequestError(
      "send the request as Content-Type: application/x-www-form-urlencoded with token=<the token> (RFC 7662 §2.1)",
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined && charset.toLowerCase() !== "utf-8") {
    throw new IntrospectionRequestError(`the form must be UTF-8 (charset=utf-8 or none), not ${charset.slice(0, 20)}`);
  }
  if (new TextEncoder().encode(body).length > MAX_INTROSPECTION_BODY_BYTES) {
    throw new IntrospectionRequestError(
      `the form is larger than ${MAX_INTROSPECTION_BODY_BYTES} bytes; send only token and token_type_hint`,
    );
  }
  const form = new URLSearchParams(body);
  for (const name of ["token", "token_type_hint"]) {
    if (form.getAll(name).length > 1)
      throw new IntrospectionRequestError(`the form repeats ${name}; send it once (RFC 6749 §3.2)`);
  }
  if (form.has("client_secret") || form.has("client_assertion")) {
    throw new IntrospectionRequestError(
      "client credentials in the form are not accepted; authenticate with HTTP Basic (client_secret_basic) only",
    );
  }
  const token = form.get("token");
  if (token === null || token === "") {
    throw new IntrospectionRequestError("the form has no token; send token=<the token to introspect>");
  }
  const hint = form.get("token_type_hint");
  if (hint === null) return { token };
  if (!HINT.test(hint)) {
    throw new IntrospectionRequestError("token_type_hint must be a token type name such as access_token, or absent");
  }
  return { token, tokenTypeHint: hint };
}
