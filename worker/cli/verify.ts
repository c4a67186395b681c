// `wid verify`, with the relying parties' own verifier: discovery, the JWKS, every check a relying
// party makes (see worker/verification/README.md), then the issuer's revocation list
// (/revocations.json) and, with --introspect, the issuer's /introspect (RFC 7662) as a registered
// introspection client. A revoked token fails with ERR_TOKEN_REVOKED, an inactive one with
// ERR_TOKEN_INACTIVE.
//
// The command's flags are read once into VerifyArgs and turned into verifier options here
// (verifyOptions): a new flag is a field of VerifyArgs, a line in main.ts's parseArgs table and
// its use below.

import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  type CertificatePresentation,
  createVerifier,
  OptionsError,
  THUMBPRINT_PATTERN,
  VerificationError,
  type VerifierOptions,
} from "@worker-identity/verifier";
import type { JWTHeaderParameters, JWTPayload } from "jose";
import { INTROSPECTION_PATH, REVOCATIONS_PATH } from "../http/routes.js";
import { secretsPath } from "../local/secrets.js";
import { certificateThumbprint } from "../mtls/node-client-certificate.js";

/** Environment variables `wid verify --introspect` reads when no flag says otherwise. */
export const INTROSPECTION_CLIENT_ENV = "WID_INTROSPECTION_CLIENT_ID";
export const INTROSPECTION_SECRET_ENV = "WID_INTROSPECTION_SECRET";

export interface VerifyArgs {
  readonly token: string | undefined;
  readonly issuer: string;
  readonly audience: string | undefined;
  readonly introspect: boolean;
  readonly clientId: string | undefined;
  /** PEM file of the client certificate a certificate-bound token is presented with (--certificate). */
  readonly certificate: string | undefined;
  /** Or that certificate's x5t#S256 itself, as `pulumi stack output workloads` prints mtls.thumbprint (--certificate-thumbprint). */
  readonly certificateThumbprint: string | undefined;
  /** Where the local stack keeps its secrets (its introspection clients' secrets among them). */
  readonly stateDir: string;
}

export type VerifyResult =
  | { readonly ok: true; readonly header: JWTHeaderParameters; readonly claims: JWTPayload }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * The verifier options for the command's arguments, or a usage problem (a string naming the fix).
 * The client secret comes from WID_INTROSPECTION_SECRET, else from the local stack's secrets
 * file: never from a flag, where other users of the machine could read it in the process list.
 */
export function verifyOptions(
  args: VerifyArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
):
  | { readonly token: string; readonly options: VerifierOptions; readonly presentation: CertificatePresentation }
  | string {
  if (!args.token || !args.audience) return "verify needs <token> and --audience";
  let presentation: CertificatePresentation = {};
  if (args.certificate !== undefined && args.certificateThumbprint !== undefined)
    return "give --certificate or --certificate-thumbprint, not both";
  if (args.certificateThumbprint !== undefined) {
    if (!THUMBPRINT_PATTERN.test(args.certificateThumbprint)) {
      return (
        "--certificate-thumbprint must be an x5t#S256: the unpadded base64url SHA-256 of the certificate (43 characters; " +
        "`pulumi stack output workloads` prints it as mtls.thumbprint, `npm start` in its banner)"
      );
    }
    presentation = { certificateThumbprint: args.certificateThumbprint };
  }
  if (args.certificate !== undefined) {
    const thumbprint = thumbprintOfPemFile(args.certificate);
    if (thumbprint === undefined) {
      return (
        `--certificate ${args.certificate} must be a readable PEM certificate: the workload's client certificate ` +
        "(`pulumi stack output workloads --json`, its mtls entry)"
      );
    }
    presentation = { certificateThumbprint: thumbprint };
  }
  const options: VerifierOptions = {
    issuer: args.issuer,
    audience: args.audience,
    revocationList: { url: `${args.issuer}${REVOCATIONS_PATH}` },
  };
  if (!args.introspect) {
    if (args.clientId !== undefined) return "--client-id goes with --introspect";
    return { token: args.token, options, presentation };
  }
  const local = localIntrospectionSecrets(args.stateDir);
  const clientId = args.clientId ?? env[INTROSPECTION_CLIENT_ENV] ?? onlyOne(Object.keys(local));
  if (clientId === undefined || clientId === "") {
    const known = Object.keys(local);
    return (
      `verify --introspect needs --client-id <id> (or ${INTROSPECTION_CLIENT_ENV}): one of the issuer's introspectionClients` +
      (known.length > 0 ? ` (the local stack's: ${known.join(", ")})` : "")
    );
  }
  const clientSecret = env[INTROSPECTION_SECRET_ENV] || local[clientId];
  if (clientSecret === undefined || clientSecret === "") {
    return (
      `verify --introspect needs ${clientId}'s secret in ${INTROSPECTION_SECRET_ENV} ` +
      "(`pulumi stack output introspectionSecrets --show-secrets`; the local stack keeps it in " +
      `${secretsPath(args.stateDir)})`
    );
  }
  return {
    token: args.token,
    presentation,
    options: {
      ...options,
      introspection: { url: `${args.issuer}${INTROSPECTION_PATH}`, clientId, clientSecret, forTokens: "all" },
    },
  };
}

export async function verifyToken(
  token: string,
  options: VerifierOptions,
  presentation: CertificatePresentation = {},
): Promise<VerifyResult> {
  try {
    const verified = await createVerifier(options).verify(token, presentation);
    return { ok: true, header: verified.header as JWTHeaderParameters, claims: verified.claims as JWTPayload };
  } catch (error) {
    if (error instanceof VerificationError) return { ok: false, code: error.code, message: error.message };
    if (error instanceof OptionsError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** `x5t#S256` of the first certificate in a PEM file; undefined when there is none. */
function thumbprintOfPemFile(path: string): string | undefined {
  try {
    return certificateThumbprint(new X509Certificate(readFileSync(path)).raw);
  } catch {
    return undefined;
  }
}

/** The local stack's introspection secrets ({clientId: secret}); none when it has not run here. */
function localIntrospectionSecrets(stateDir: string): Record<string, string> {
  const path = secretsPath(stateDir);
  if (!existsSync(path)) return {};
  try {
    const stored = (JSON.parse(readFileSync(path, "utf8")) as { introspectionSecrets?: unknown }).introspectionSecrets;
    if (typeof stored !== "object" || stored === null) return {};
    return Object.fromEntries(Object.entries(stored).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

function onlyOne(values: readonly string[]): string | undefined {
  return values.length === 1 ? values[0] : undefined;
}
