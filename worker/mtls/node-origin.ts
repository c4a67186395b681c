// mTLS for Node origins (https, http2): a request is admitted when its connection presents a
// workload certificate of the stack's CA, and, when it carries a bearer token, when that token
// is the same workload's and bound to this very certificate (RFC 8705 `cnf` x5t#S256). Refusals
// are RFC 9457 problem+json with WWW-Authenticate, as the edge middleware answers. Node only.
//
//   const server = https.createServer({ key, cert, ...nodeOriginTls(caBundle) }, handler);
//   const mtls = originMtls({ caBundle, trustDomain: "id.example.com", tokens: { verifier: {…} } });
//   // handler: mtls(req, res, () => { const identity = originIdentity(req); … })

import type { IncomingHttpHeaders } from "node:http";
import {
  createVerifier,
  VerificationError,
  type VerifiedIdentity,
  type VerifierOptions,
} from "@worker-identity/verifier";
import { bearerCredentials } from "../middleware/bearer.js";
import {
  type ClientCertificateVerdict,
  clientCertificateOf,
  parseCertificateBundle,
} from "./node-client-certificate.js";
import { type OriginMtlsCode, type OriginRefusalCode, originRefusalResponse } from "./origin-refusals.js";

export interface OriginMtlsOptions {
  /** PEM: the stack output `mtlsCaBundle`. */
  readonly caBundle: string;
  /** The stack's SPIFFE trust domain (`mtls.trustDomain`, by default the issuer's hostname). */
  readonly trustDomain: string;
  /** Admit only this Cloudflare account's Workers (default: any account the CA issued for). */
  readonly accountId?: string;
  /** Admit only these workloads (script names); default: every workload of the CA. */
  readonly workloads?: readonly string[];
  /** Bearer tokens on this route; absent: an Authorization header is ignored. */
  readonly tokens?: {
    /** How to verify them (worker/verification): issuer, audience, … */
    readonly verifier: VerifierOptions;
    /** Every request must carry a token. Default false: a token is checked when present. */
    readonly required?: boolean;
    /** Refuse tokens without `cnf` x5t#S256 (RFC 8705). Default true. */
    readonly certificateBound?: boolean;
  };
  /** The clock, ms since the epoch (tests). Default Date.now. */
  readonly now?: () => number;
  /** Where refusal causes go (never into the response). Default console.warn. */
  readonly log?: (line: string) => void;
}

export interface OriginIdentity {
  /** `worker/<account_id>/<script_name>`: the certificate's subject, and the token's when one was sent. */
  readonly subject: string;
  readonly workload: string;
  readonly accountId: string;
  readonly spiffeId: string;
  /** `x5t#S256` of the presented certificate. */
  readonly certificateThumbprint: string;
  /** The verified token, when the request carried one. */
  readonly token?: VerifiedIdentity;
}

export type OriginVerdict =
  | { readonly ok: true; readonly identity: OriginIdentity }
  | { readonly ok: false; readonly code: OriginRefusalCode; readonly response: Response };

export interface OriginRequest {
  readonly socket: unknown;
  readonly headers: IncomingHttpHeaders;
}

export interface OriginResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

/** TLS options for `https.createServer` / `http2.createSecureServer`: ask for a certificate, judge it here. */
export function nodeOriginTls(caBundle: string): { ca: string; requestCert: true; rejectUnauthorized: false } {
  return { ca: caBundle, requestCert: true, rejectUnauthorized: false };
}

/** Builds the authenticator once (options are checked here); it never throws per request. */
export function createOriginAuthenticator(
  options: OriginMtlsOptions,
): (request: OriginRequest) => Promise<OriginVerdict> {
  const authorities = parseCertificateBundle(options.caBundle);
  if (authorities.length === 0 || authorities.some((ca) => !ca.ca)) {
    throw new TypeError("originMtls: caBundle must be the PEM CA certificates of the stack output mtlsCaBundle");
  }
  if (options.trustDomain === "")
    throw new TypeError("originMtls: trustDomain is required (the stack's mtls.trustDomain)");
  const verifier = options.tokens ? createVerifier(options.tokens.verifier) : undefined;
  const tokensRequired = options.tokens?.required ?? false;
  const certificateBound = options.tokens?.certificateBound ?? true;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.warn(line));
  const refuse = (code: OriginRefusalCode, cause: string): OriginVerdict => {
    log(JSON.stringify({ event: "origin.refused", code, cause }));
    return { ok: false, code, response: originRefusalResponse(code) };
  };

  return async (request) => {
    const presented = clientCertificateOf(request.socket, authorities, now());
    if (presented.kind !== "workload") {
      return refuse(
        CERTIFICATE_REFUSALS[presented.kind],
        "reason" in presented ? presented.reason : "no client certificate",
      );
    }
    const { workload, thumbprint } = presented;
    if (
      workload.trustDomain !== options.trustDomain ||
      (options.accountId !== undefined && workload.accountId !== options.accountId)
    ) {
      return refuse(
        "ERR_CLIENT_CERTIFICATE_IDENTITY",
        `${workload.spiffeId} is outside this origin's trust domain or account`,
      );
    }
    if (options.workloads !== undefined && !options.workloads.includes(workload.workload)) {
      return refuse("ERR_WORKLOAD_NOT_ADMITTED", `${workload.spiffeId} is not admitted`);
    }
    const identity: OriginIdentity = {
      subject: workload.subject,
      workload: workload.workload,
      accountId: workload.accountId,
      spiffeId: workload.spiffeId,
      certificateThumbprint: thumbprint,
    };
    if (verifier === undefined) return { ok: true, identity };

    const authorization = request.headers.authorization;
    const credentials = bearerCredentials(new Headers(authorization === undefined ? {} : { authorization }));
    if (credentials.kind === "malformed") return refuse("ERR_AUTHORIZATION_HEADER", "malformed Authorization header");
    if (credentials.kind === "absent")
      return tokensRequired ? refuse("ERR_NO_TOKEN", "no bearer token") : { ok: true, identity };
    let token: VerifiedIdentity;
    try {
      // The verifier compares the token's cnf with this connection's certificate (RFC 8705 §3).
      token = await verifier.verify(credentials.token, { certificateThumbprint: thumbprint });
    } catch (error) {
      if (error instanceof VerificationError) return refuse(error.code, `${error.message} (${workload.spiffeId})`);
      return refuse("ERR_INTERNAL", error instanceof Error ? error.message : String(error));
    }
    if (token.certificate === undefined && certificateBound)
      return refuse("ERR_TOKEN_NOT_CERTIFICATE_BOUND", `token ${token.jti} has no cnf`);
    if (token.subject !== workload.subject) {
      return refuse("ERR_TOKEN_SUBJECT_MISMATCH", `token ${token.jti} names another subject than ${workload.spiffeId}`);
    }
    return { ok: true, identity: { ...identity, token } };
  };
}

const identities = new WeakMap<object, OriginIdentity>();

/** The identity `originMtls` admitted for this request. */
export function originIdentity(request: object): OriginIdentity | undefined {
  return identities.get(request);
}

/** `(req, res, next)` middleware: answers refusals itself; calls `next()` once the request is admitted. */
export function originMtls(
  options: OriginMtlsOptions,
): (req: OriginRequest, res: OriginResponse, next: () => void) => void {
  const authenticate = createOriginAuthenticator(options);
  return (req, res, next) => {
    void authenticate(req)
      .then(async (verdict) => {
        if (!verdict.ok) return sendResponse(res, verdict.response);
        identities.set(req, verdict.identity);
        next();
      })
      .catch(async () => sendResponse(res, originRefusalResponse("ERR_INTERNAL")));
  };
}

/** Writes a web Response (a refusal) to a Node response. */
export async function sendResponse(res: OriginResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = await response.text();
  res.writeHead(response.status, headers);
  res.end(body);
}

const CERTIFICATE_REFUSALS: Readonly<Record<Exclude<ClientCertificateVerdict["kind"], "workload">, OriginMtlsCode>> = {
  absent: "ERR_NO_CLIENT_CERTIFICATE",
  expired: "ERR_CLIENT_CERTIFICATE_EXPIRED",
  "not-yet-valid": "ERR_CLIENT_CERTIFICATE_NOT_YET_VALID",
  untrusted: "ERR_CLIENT_CERTIFICATE_UNTRUSTED",
  "not-a-workload": "ERR_CLIENT_CERTIFICATE_IDENTITY",
};
