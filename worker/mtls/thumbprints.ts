// Certificate-bound tokens (RFC 8705 §3): the issuer learns each workload's certificate thumbprint
// from its MTLS_THUMBPRINTS binding, JSON {workload: x5t#S256}, which the Pulumi program (and the
// local stack) writes from the certificates it issued. A workload with mTLS enabled in the config
// gets `cnf: {"x5t#S256": …}` in every token; without its thumbprint it gets no token at all,
// since an origin that demands the binding would refuse an unbound one anyway.

import type { WorkloadConfig } from "../config/types.js";
import { IssuerConfigError } from "../errors.js";
import { lastParsed } from "../isolate/last-parsed.js";

/** The `cnf` member of a certificate-bound token. */
export const CERTIFICATE_THUMBPRINT_MEMBER = "x5t#S256";

/** base64url (no padding) of a SHA-256 digest: 43 characters. */
export const THUMBPRINT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ConfirmationClaim {
  readonly [CERTIFICATE_THUMBPRINT_MEMBER]: string;
}

const REDEPLOY = "redeploy the issuer with `pulumi up` (or restart `npm start`) so the stack writes it again";

/** The binding's thumbprints by workload; parsed once per isolate. */
export const certificateThumbprints: (source: string | undefined) => ReadonlyMap<string, string> = lastParsed((source) => {
  const result = parse(source);
  if (result instanceof IssuerConfigError) throw result;
  return result;
});

/** The thumbprint `workload`'s tokens are bound to, or undefined when it has no certificate. */
export function thumbprintFor(workload: Pick<WorkloadConfig, "name" | "mtls">, source: string | undefined): string | undefined {
  if (workload.mtls === undefined) return undefined;
  const thumbprint = certificateThumbprints(source).get(workload.name);
  if (thumbprint === undefined) {
    throw new IssuerConfigError(`workload '${workload.name}' has mtls enabled, but the MTLS_THUMBPRINTS binding has no ` +
      `certificate thumbprint for it; ${REDEPLOY}`);
  }
  return thumbprint;
}

export function confirmationClaim(thumbprint: string): ConfirmationClaim {
  return { [CERTIFICATE_THUMBPRINT_MEMBER]: thumbprint };
}

function parse(source: string | undefined): ReadonlyMap<string, string> | IssuerConfigError {
  if (source === undefined) return new Map();
  let document: unknown;
  try {
    document = JSON.parse(source);
  } catch {
    return new IssuerConfigError(`the MTLS_THUMBPRINTS binding is not JSON; ${REDEPLOY}`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return new IssuerConfigError(`the MTLS_THUMBPRINTS binding must be a JSON object {workload: thumbprint}; ${REDEPLOY}`);
  }
  const thumbprints = new Map<string, string>();
  for (const [workload, thumbprint] of Object.entries(document)) {
    if (typeof thumbprint !== "string" || !THUMBPRINT_PATTERN.test(thumbprint)) {
      return new IssuerConfigError(`the MTLS_THUMBPRINTS binding's entry for '${workload}' is not a base64url SHA-256 ` +
        `thumbprint; ${REDEPLOY}`);
    }
    thumbprints.set(workload, thumbprint);
  }
  return thumbprints;
}
