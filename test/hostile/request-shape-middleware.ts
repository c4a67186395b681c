// Shared by the request-shape tests against the edge middleware in workerd (identity-smuggling,
// override-headers): the rules they run under, and the middleware started with them
// (middleware-suite.ts), its edge-api token good for an hour.

import { API_AUDIENCE } from "../support/stack-fixture.js";
import { EDGE_API_RULES, middlewareSuite } from "./middleware-suite.js";

export const REQUEST_SHAPE_RULES = {
  rules: [...EDGE_API_RULES, { methods: ["POST", "DELETE"], path: "/hooks/*", public: true }],
};

/** The middleware for the enclosing suite; `send` takes the headers only (no body). */
export function requestShapeMiddleware() {
  const suite = middlewareSuite(REQUEST_SHAPE_RULES, API_AUDIENCE, { lifetimeSeconds: 3600 });
  const send = (method: string, path: string, headers: [string, string][]) => suite.send(method, path, { headers });
  return { suite, send, bearer: suite.bearer };
}
