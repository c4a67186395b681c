// Shared by the override tests against the edge middleware in workerd (path-overrides,
// query-method-override, body-method-override, encoded-body-override, body-override-forwarding):
// the rules they run under, the middleware started with them, and the bodies they send it.

import { EDGE_API_RULES, middlewareSuite, rawRequest } from "./middleware-suite.js";

export const OVERRIDE_RULES = {
  rules: [
    ...EDGE_API_RULES,
    { methods: ["POST"], path: "/hooks/*", public: true },
    { methods: "*", path: "/uploads/*", allow: { workloads: ["edge-api"] } },
    { methods: ["POST"], path: "/imports/*", allow: { workloads: ["edge-api"] }, readBodyForMethodOverride: false },
  ],
};

/**
 * A request written to the middleware's socket as is, the socket left open: with no body bytes
 * after the head, a large Content-Length is a promise the middleware must not wait for.
 */
export const headOnly = (port: number, head: string, body = "") => rawRequest(port, head, { body, end: false });

export const form = (): [string, string] => ["content-type", "application/x-www-form-urlencoded"];

export const BOUNDARY = "----override-test";
/** A multipart/form-data body of `parts`, delimited by BOUNDARY. */
export const multipart = (parts: [string, string][]) =>
  `${parts
    .map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join("")}--${BOUNDARY}--\r\n`;
export const multipartType = (): [string, string] => ["content-type", `multipart/form-data; boundary=${BOUNDARY}`];

/** The middleware with OVERRIDE_RULES for the enclosing suite (middleware-suite.ts). */
export const overrideMiddleware = () => middlewareSuite(OVERRIDE_RULES);
