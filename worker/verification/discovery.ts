// OIDC discovery (OpenID Connect Discovery 1.0 §4): the document must name exactly the expected
// issuer (§4.3, it is what keeps one issuer's keys from vouching for another's tokens) and a
// jwks_uri that is https, or same-origin loopback http for a local issuer.

import { DISCOVERY_PATH } from "../http/routes.js";
import { DiscoveryError } from "./errors.js";
import { fetchFromIssuer } from "./issuer-fetch.js";
import type { VerifierFetch } from "./options.js";
import { parseStrictJsonObject } from "./strict-json.js";

/** Fetches the issuer's discovery document and returns its checked jwks_uri. */
export async function discoverJwksUri(issuer: string, doFetch: VerifierFetch): Promise<string> {
  const url = `${issuer.replace(/\/$/, "")}${DISCOVERY_PATH}`;
  const { status, headers, body } = await fetchFromIssuer(doFetch, url, {}, "discovery");
  const parsed = parseStrictJsonObject(body);
  if (!parsed.ok) {
    // What was served instead (a login page, a proxy's error) is what names the misconfiguration.
    const served = `HTTP ${status}, content-type ${headers.get("content-type") ?? "none"}, starting ${JSON.stringify(body.slice(0, 80))}`;
    throw new DiscoveryError(`the discovery document at ${url} ${parsed.reason} (${served})`);
  }
  const { issuer: named, jwks_uri: jwksUri } = parsed.value;
  if (named !== issuer) {
    throw new DiscoveryError(
      `the discovery document at ${url} names issuer ${quote(named)}, not ${JSON.stringify(issuer)}`,
    );
  }
  if (typeof jwksUri !== "string") throw new DiscoveryError(`the discovery document at ${url} has no jwks_uri`);
  let target: URL;
  try {
    target = new URL(jwksUri);
  } catch {
    throw new DiscoveryError(`the discovery document at ${url} has a jwks_uri that is not a URL: ${quote(jwksUri)}`);
  }
  const issuerUrl = new URL(issuer);
  const localSameOrigin = issuerUrl.protocol === "http:" && target.origin === issuerUrl.origin;
  if (target.protocol !== "https:" && !localSameOrigin) {
    throw new DiscoveryError(`the discovery document at ${url} has a jwks_uri that is not https: ${quote(jwksUri)}`);
  }
  return target.href;
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
