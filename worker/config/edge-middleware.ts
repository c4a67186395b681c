// The optional `edgeMiddleware` stack key: the relying-party Worker the program deploys in front of
// an API (worker/middleware/). Its rules document is checked here with the middleware's own
// parser, so a broken rule fails `pulumi preview` with the key that holds it.

import { parseRules, RulesError } from "../rules/rules.js";
import { readAudiences } from "./audiences.js";
import { type FieldReader, patternString, readMapSection, readString } from "./fields.js";
import { scriptNameProblem } from "./script-name.js";
import type { EdgeMiddlewareSettings } from "./types.js";

/** A Workers route: host and path, no scheme, an optional leading `*` or `*.` on the host. */
export const ROUTE_PATTERN = /^(?:\*|\*\.)?[A-Za-z0-9.-]+(?::\d+)?\/\S*$/;
const ZONE_ID = /^[0-9a-f]{32}$/;

const readScriptName: FieldReader<string> = (value, key, issues) => {
  const name = readString(value, key, issues, "the middleware's Worker script name, e.g. api-gateway");
  if (name === undefined) return undefined;
  const problem = scriptNameProblem(name);
  if (problem !== undefined) issues.add(key, problem);
  return problem === undefined ? name : undefined;
};

const readOrigin: FieldReader<string> = (value, key, issues) => {
  const origin = readString(value, key, issues, "the Worker script behind the middleware, or its https URL");
  if (origin === undefined) return undefined;
  if (/^https:\/\//.test(origin)) return origin;
  const problem = scriptNameProblem(origin);
  if (problem !== undefined) {
    issues.add(key, `must be a Worker script name or an https URL such as https://backend.example.com; ${problem}`);
    return undefined;
  }
  return origin;
};

const readRules: FieldReader<unknown> = (value, key, issues) => {
  try {
    parseRules(value);
    return value;
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    // The document itself ($) is the key; a member is the key followed by its JSON path.
    for (const problem of error.problems)
      issues.add(problem.path === "$" ? key : `${key} ${problem.path}`, problem.fix);
    return undefined;
  }
};

const ROUTE_FIELDS = {
  pattern: {
    read: patternString(
      "a Workers route such as api.example.com/*",
      ROUTE_PATTERN,
      () => "must be a Workers route such as api.example.com/* (host and path, no scheme)",
    ),
    required: "is missing; set the Workers route the API answers on, e.g. api.example.com/*",
  },
  zoneId: {
    read: patternString(
      "the 32-hex id of the route's zone",
      ZONE_ID,
      () => "must be the zone's id, 32 lowercase hex characters (dashboard: the zone's Overview page)",
    ),
    required: "is missing; copy the zone id of the route's hostname from the dashboard",
  },
} as const;

const readRoute: FieldReader<{ pattern: string; zoneId: string }> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, ROUTE_FIELDS, {
    what: "a route setting",
    shape: "a map {pattern: api.example.com/*, zoneId: <zone id>}",
  });
  if (fields === undefined || !fields.pattern || !fields.zoneId) return undefined;
  return { pattern: fields.pattern, zoneId: fields.zoneId };
};

const FIELDS = {
  scriptName: { read: readScriptName, required: "is missing; name the middleware's Worker script, e.g. api-gateway" },
  audiences: { read: readAudiences, required: "is missing; list the audiences the API accepts" },
  rules: { read: readRules, required: "is missing; give the rules document (format: worker/middleware/README.md)" },
  origin: { read: readOrigin, required: "is missing; name the Worker behind the middleware or its https URL" },
  route: { read: readRoute, required: "is missing; give {pattern, zoneId} for the Workers route" },
  forwardAuthorization: { read: booleanReader("keep the Authorization header on forwarded requests") },
  revocationList: { read: booleanReader("refuse tokens on the issuer's revocation list") },
  introspectionClient: {
    read: ((value, key, issues) =>
      readString(
        value,
        key,
        issues,
        "one of introspectionClients: the middleware asks /introspect about workflow tokens as it",
      )) as FieldReader<string>,
  },
  clientCertificates: {
    read: ((value, key, issues) => {
      if (value === "none" || value === "cloudflare-edge") return value;
      issues.add(
        key,
        'must be "none" (the default) or "cloudflare-edge": read request.cf.tlsClientAuth, set by Cloudflare on the route\'s hostname with mTLS (bind no Worker to the middleware then: a Worker calling it through a service binding writes cf itself)',
      );
      return undefined;
    }) as FieldReader<"none" | "cloudflare-edge">,
  },
} as const;

function booleanReader(what: string): FieldReader<boolean> {
  return (value, key, issues) => {
    if (typeof value === "boolean") return value;
    issues.add(key, `must be true or false (${what})`);
    return undefined;
  };
}

/** The `edgeMiddleware` stack key. */
export const readEdgeMiddleware: FieldReader<EdgeMiddlewareSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, FIELDS, {
    what: "an edgeMiddleware setting",
    jsonText: true,
    shape: "a map {scriptName, audiences, rules, origin, route: {pattern, zoneId}}",
  });
  if (fields === undefined) return undefined;
  const { scriptName, audiences, rules, origin, route } = fields;
  if (!scriptName || !audiences || rules === undefined || !origin || !route) return undefined;
  return {
    scriptName,
    audiences,
    rules,
    origin,
    route,
    forwardAuthorization: fields.forwardAuthorization ?? false,
    revocationList: fields.revocationList ?? false,
    ...(fields.introspectionClient !== undefined ? { introspectionClient: fields.introspectionClient } : {}),
    clientCertificates: fields.clientCertificates ?? "none",
  };
};
