// What a workload team pastes into its Worker's wrangler configuration, per workload: the service
// binding that is its identity, the `vars` the SDK reads (the role, the provider, the service
// account, the google-auth-library configuration) and, with mTLS, its certificate binding. Written
// as JSONC (wrangler's default format) and as TOML, from one description. Pure.

/** A wrangler `vars` value: text, or an object of text (wrangler passes objects to env as they are). */
export type WranglerVar = string | Readonly<Record<string, string>>;

export interface WranglerFragment {
  /** The Worker's name, for the header comment. */
  readonly worker: string;
  readonly services: readonly { readonly binding: string; readonly service: string; readonly entrypoint: string }[];
  readonly vars: Readonly<Record<string, WranglerVar>>;
  readonly mtlsCertificates: readonly { readonly binding: string; readonly certificate_id: string }[];
}

export interface WranglerSnippets {
  /** For wrangler.jsonc: the keys to merge into its top-level object. */
  readonly jsonc: string;
  /** For wrangler.toml. */
  readonly toml: string;
}

const HEADER = "its identity is the ISSUER service binding; vars are what the SDK is given";

export function wranglerSnippets(fragment: WranglerFragment): WranglerSnippets {
  const body = {
    services: fragment.services,
    ...(Object.keys(fragment.vars).length > 0 ? { vars: fragment.vars } : {}),
    ...(fragment.mtlsCertificates.length > 0 ? { mtls_certificates: fragment.mtlsCertificates } : {}),
  };
  const jsonc = `// wrangler.jsonc of the Worker ${JSON.stringify(fragment.worker)}: ${HEADER}\n${JSON.stringify(body, null, 2)}\n`;
  return { jsonc, toml: toml(fragment) };
}

/** A TOML basic string: JSON's escapes are TOML's (\" \\ \b \f \n \r \t \uXXXX). */
const text = (value: string): string => JSON.stringify(value);
/** A TOML key: bare where TOML allows it, quoted otherwise. */
const key = (name: string): string => (/^[A-Za-z0-9_-]+$/.test(name) ? name : text(name));

function tomlValue(value: WranglerVar): string {
  if (typeof value === "string") return text(value);
  return `{ ${Object.entries(value)
    .map(([name, inner]) => `${key(name)} = ${text(inner)}`)
    .join(", ")} }`;
}

function toml(fragment: WranglerFragment): string {
  const lines = [`# wrangler.toml of the Worker ${text(fragment.worker)}: ${HEADER}`];
  for (const service of fragment.services) {
    lines.push("[[services]]", ...Object.entries(service).map(([name, value]) => `${key(name)} = ${text(value)}`), "");
  }
  if (Object.keys(fragment.vars).length > 0) {
    lines.push(
      "[vars]",
      ...Object.entries(fragment.vars).map(([name, value]) => `${key(name)} = ${tomlValue(value)}`),
      "",
    );
  }
  for (const certificate of fragment.mtlsCertificates) {
    lines.push(
      "[[mtls_certificates]]",
      ...Object.entries(certificate).map(([name, value]) => `${key(name)} = ${text(value)}`),
      "",
    );
  }
  return lines.join("\n");
}
