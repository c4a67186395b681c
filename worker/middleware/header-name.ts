// How an origin may read a request header's name. CGI (RFC 3875 §4.1.18), WSGI, PHP and Rack give
// a header to the application as HTTP_<NAME>, with '-' turned into '_' and the case folded, so
// `x_worker_identity_subject` and `X-Worker-Identity-Subject` are one variable; older gateways
// (Apache httpd 2.2's http2env) turned every character that is not a letter or a digit into '_'
// (`x.worker.identity.subject` too), and a proxy in front may map '_' back to '-'. Two names that
// some origin may read as one have the same reading here.

/**
 * The name as an origin may read it: surrounding whitespace removed (workerd already trims the
 * blanks before the colon, and Headers accepts no other), lower case, and every character other
 * than a letter or a digit as '-'.
 */
export function headerNameReading(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "-");
}
