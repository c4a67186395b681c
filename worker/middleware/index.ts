// The edge middleware for APIs that accept worker-identity tokens: `createMiddleware(options)`
// returns `(request) => Promise<Response>`, which authenticates with the verifier, applies the
// rules document and forwards with the verified identity. See README.md in this folder.

export {
  type Allow,
  type AllowConditions,
  type ProtectedRule,
  type PublicRule,
  parseRules,
  type Rule,
  type RuleMethod,
  type Rules,
  RulesError,
  type RulesProblem,
} from "../rules/rules.js";
export type { ClientCertificateSource } from "./client-certificate.js";
export {
  createMiddleware,
  type Middleware,
  type MiddlewareLogEntry,
  type MiddlewareOptions,
} from "./middleware.js";
