// Where the issuer is served, which is its `iss`: AWS compares `iss` with the provider URL
// verbatim, so the URL is built here, once, from a hostname or a workers.dev subdomain.

import type { FieldReader } from "./fields.js";
import { readString } from "./fields.js";
import { DNS_LABEL_PATTERN, HOSTNAME_MAX_LENGTH, MAX_PORT, MIN_PORT, WORKERS_DEV_DOMAIN } from "./limits.js";

const HOSTNAME_RULE = `lowercase labels of letters, digits and inner '-' separated by dots, at most ${HOSTNAME_MAX_LENGTH} characters`;

/** `issuerHostname`: a custom domain serving the issuer. Empty means unset (see Pulumi.yaml). */
export const readIssuerHostname: FieldReader<string> = (value, key, issues) => {
  const host = readString(value, key, issues, "a DNS hostname such as id.example.com");
  if (host === undefined || host === "") return undefined;
  const problem = hostnameProblem(host, 2);
  if (problem === undefined) return host;
  issues.add(key, problem);
  return undefined;
};

/** `workersDevSubdomain`: the account's `<subdomain>.workers.dev`. Empty means unset. */
export const readWorkersDevSubdomain: FieldReader<string> = (value, key, issues) => {
  const subdomain = readString(value, key, issues, "your account's workers.dev subdomain, such as my-team");
  if (subdomain === undefined || subdomain === "") return undefined;
  if (DNS_LABEL_PATTERN.test(subdomain)) return subdomain;
  const suffix = `.${WORKERS_DEV_DOMAIN}`;
  const bare = subdomain
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
  const label = bare.endsWith(suffix) ? (bare.slice(0, -suffix.length).split(".").pop() ?? "") : "";
  if (DNS_LABEL_PATTERN.test(label)) {
    issues.add(key, `is a hostname; write only the account's subdomain: '${label}'`);
  } else if (DNS_LABEL_PATTERN.test(subdomain.toLowerCase())) {
    issues.add(key, `must be lowercase; write '${subdomain.toLowerCase()}'`);
  } else {
    issues.add(
      key,
      "is not a workers.dev subdomain (one DNS label: lowercase letters, digits and inner '-'); " +
        "copy it from the dashboard (Workers & Pages → your subdomain), without '.workers.dev'",
    );
  }
  return undefined;
};

/** `https://<scriptName>.<subdomain>.workers.dev`. */
export function workersDevUrl(scriptName: string, subdomain: string): string {
  return `https://${scriptName}.${subdomain}.${WORKERS_DEV_DOMAIN}`;
}

/** Whether a script name can be the first label of its workers.dev hostname ('_' cannot). */
export function isHostnameLabel(name: string): boolean {
  return DNS_LABEL_PATTERN.test(name);
}

/** Why `url` cannot be the issuer URL of a local stack (with the fix), or undefined. */
export function localIssuerUrlProblem(url: string): string | undefined {
  const expected =
    "must be http://127.0.0.1:<port>, http://localhost:<port> or an https origin such as https://id.example.dev";
  if (url.length > 1 && url.endsWith("/")) {
    const trimmed = url.replace(/\/+$/, "");
    return localIssuerUrlProblem(trimmed) === undefined
      ? `ends with '/'; remove the trailing slash: '${trimmed}' (iss is compared verbatim)`
      : `${expected} (no path, query or trailing slash)`;
  }
  const local = /^http:\/\/(127\.0\.0\.1|localhost):(\d{1,5})$/.exec(url);
  if (local !== null) return portProblem(local[2] ?? "");
  if (url.startsWith("http://")) {
    return `${expected}; plain http is only for 127.0.0.1 or localhost, with a port (e.g. http://127.0.0.1:8787)`;
  }
  const https = /^https:\/\/([^/:?#@]+)(?::(\d{1,5}))?$/.exec(url);
  if (https === null) return `${expected} (no path, query or trailing slash)`;
  const hostProblem = hostnameProblem(https[1] ?? "", 1);
  if (hostProblem !== undefined) return `has a host that ${hostProblem}`;
  return https[2] === undefined ? undefined : portProblem(https[2]);
}

function portProblem(port: string): string | undefined {
  const number = Number(port);
  if (!port.startsWith("0") && number >= MIN_PORT && number <= MAX_PORT) return undefined;
  return `has port ${port}; use a port between ${MIN_PORT} and ${MAX_PORT}, e.g. 8787`;
}

/** Why `host` is not a DNS hostname with at least `minLabels` labels (with the fix). */
function hostnameProblem(host: string, minLabels: number): string | undefined {
  if (isHostname(host, minLabels)) return undefined;
  const bare = host
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/[/?#].*$/, "")
    .replace(/:\d*$/, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const instead = isHostname(bare, minLabels) ? `: write '${bare}'` : "";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return `has a scheme; write the hostname alone${instead}`;
  if (/[/?#]/.test(host)) return `has a path; write the hostname alone${instead}`;
  if (/:\d*$/.test(host)) {
    return `has a port; write the hostname alone${instead} (the issuer is served on https without a port, as AWS requires)`;
  }
  if (instead !== "" && host !== host.toLowerCase()) return `must be lowercase${instead}`;
  if (instead !== "" && host.endsWith(".")) return `ends with a dot; remove it${instead}`;
  if (/^[0-9.]+$/.test(host) || host.includes(":")) {
    return "is an IP address; serve the issuer on a DNS name (e.g. id.example.com) so it can have a certificate";
  }
  return `is not a DNS hostname (${HOSTNAME_RULE}); use one such as id.example.com`;
}

function isHostname(host: string, minLabels: number): boolean {
  if (host.length === 0 || host.length > HOSTNAME_MAX_LENGTH) return false;
  const labels = host.split(".");
  // An all-digit last label is an IPv4 address, not a name.
  return (
    labels.length >= minLabels &&
    labels.every((label) => DNS_LABEL_PATTERN.test(label)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1] ?? "")
  );
}
