// Path overrides: request headers that make an origin route, or authorise, another path than the
// request-target the rules matched. A public rule's path plus `X-Original-URL: /admin/keys` would
// otherwise reach a route no rule admitted. Which headers, and who reads them:
// - X-Original-URL and X-Rewrite-URL (IIS URL Rewrite and ISAPI_Rewrite set them to the URL before
//   rewriting): Symfony HttpFoundation's Request::prepareRequestUri took either as the request URI
//   until CVE-2018-14773 removed them (Laravel and Drupal route by that URI; Drupal's
//   SA-CORE-2018-005 shipped the fix);
//   Zend Framework 1's Zend_Controller_Request_Http, zend-http before 2.8.1 and zend-diactoros
//   before 1.8.4 likewise (advisory ZF2018-01); Yii 2's yii\web\Request::resolveRequestUri still
//   prefers X-Rewrite-Url; WordPress and many PHP front controllers copy HTTP_X_ORIGINAL_URL into
//   REQUEST_URI on IIS.
// - X-Forwarded-Prefix: Spring's ForwardedHeaderFilter puts it in front of the request URI
//   (getRequestURI() of /path with X-Forwarded-Prefix: /prefix is /prefix/path), so a servlet filter
//   that authorises by getRequestURI() sees another path than the one the rules matched.
// - X-Forwarded-Path and X-Original-URI: no framework found routes by them, but proxies set them
//   to tell the application which path the client asked for (Kong sets X-Forwarded-Path beside
//   X-Forwarded-Prefix; nginx auth_request setups pass X-Original-URI to the application and to its
//   authorisation subrequest), and applications read them so.
// Looked at and left alone: X-Override-URL, X-HTTP-DestinationURL and X-Proxy-URL appear in
// scanners' word lists, and no framework or proxy found reads or sets them.
//
// Stripped, not refused, like the identity headers (identity-headers.ts says why): the origin is
// as safe either way, since it never sees the header; the middleware is the first hop, so a
// client's value is always forged and no legitimate request loses anything; and a client or proxy
// that copies headers keeps working instead of getting a 400 on every route. The names are read as
// an origin reads them (header-name.ts: case, '_' or any other non-alphanumeric for '-'), which is
// how Symfony found X_ORIGINAL_URL: its HeaderBag turns '_' into '-'. Stripped on every route,
// with or without a token (test/hostile/path-overrides.test.ts).

import { headerNameReading } from "./header-name.js";

/** The readings (header-name.ts) of the path override headers' names. */
export const PATH_OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  "x-original-url",
  "x-rewrite-url",
  "x-forwarded-prefix",
  "x-forwarded-path",
  "x-original-uri",
]);

/** Removes every header of `headers` that an origin may read as a path override. */
export function stripPathOverrides(headers: Headers): void {
  // Collect first: deleting while iterating a Headers object skips entries.
  const names = [...headers.keys()].filter((name) => PATH_OVERRIDE_HEADERS.has(headerNameReading(name)));
  for (const name of names) headers.delete(name);
}
