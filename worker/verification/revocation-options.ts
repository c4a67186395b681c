// The verifier's options for tokens that outlive what they stand for (a workflow instance that
// ended, a revoked token or workload), checked once when the verifier is built:
//   introspection: { url, clientId, clientSecret, forTokens?: "workflow" | "all" }
//     ask the issuer (RFC 7662, POST /introspect) about each workflow token (or every token)
//   revocationList: { url }
//     refuse tokens the issuer's published list revokes (GET /revocations.json)

import { isRecord } from "../options/is-record.js";

export interface IntrospectionOptions {
  /** The issuer's introspection endpoint, e.g. https://id.example.com/introspect. */
  readonly url: string;
  /** This relying party's client id, registered in the issuer's `introspectionClients`. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Which tokens to introspect: workflow tokens (default) or all. */
  readonly forTokens?: "workflow" | "all";
}

export interface RevocationListOptions {
  /** The issuer's revocation list, e.g. https://id.example.com/revocations.json. */
  readonly url: string;
}

export interface ResolvedRevocationChecks {
  readonly introspection: Required<IntrospectionOptions> | undefined;
  readonly revocationList: RevocationListOptions | undefined;
}

type Problem = (option: string, fix: string) => void;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const INTROSPECTION_KEYS = new Set(["url", "clientId", "clientSecret", "forTokens"]);

export function revocationCheckOptions(
  introspection: unknown,
  revocationList: unknown,
  problem: Problem,
): ResolvedRevocationChecks {
  return {
    introspection: introspectionOption(introspection, problem),
    revocationList: revocationListOption(revocationList, problem),
  };
}

function introspectionOption(value: unknown, problem: Problem): Required<IntrospectionOptions> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problem("introspection", "must be an object: { url, clientId, clientSecret, forTokens? }");
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (!INTROSPECTION_KEYS.has(name))
      problem(`introspection.${name}`, `is not an option; known: ${[...INTROSPECTION_KEYS].join(", ")}`);
  }
  const url = endpointUrl(value.url, "introspection.url", "https://id.example.com/introspect", problem);
  const { clientId, clientSecret, forTokens } = value;
  if (typeof clientId !== "string" || clientId === "" || clientId.includes(":")) {
    problem(
      "introspection.clientId",
      "must be this relying party's client id, as registered in the issuer's introspectionClients",
    );
  }
  if (typeof clientSecret !== "string" || clientSecret === "") {
    problem(
      "introspection.clientSecret",
      "must be the client's secret (the issuer's stack output introspectionSecrets)",
    );
  }
  if (forTokens !== undefined && forTokens !== "workflow" && forTokens !== "all") {
    problem("introspection.forTokens", 'must be "workflow" (the default: tokens of workflow instances) or "all"');
  }
  return {
    url: url ?? "",
    clientId: String(clientId),
    clientSecret: String(clientSecret),
    forTokens: forTokens === "all" ? "all" : "workflow",
  };
}

function revocationListOption(value: unknown, problem: Problem): RevocationListOptions | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || Object.keys(value).some((k) => k !== "url")) {
    problem("revocationList", "must be an object: { url }");
    return undefined;
  }
  const url = endpointUrl(value.url, "revocationList.url", "https://id.example.com/revocations.json", problem);
  return { url: url ?? "" };
}

function endpointUrl(value: unknown, name: string, example: string, problem: Problem): string | undefined {
  const fix = `must be an https URL such as ${example} (http only on 127.0.0.1, localhost or [::1])`;
  if (typeof value !== "string") return void problem(name, fix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return void problem(name, fix);
  }
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if ((url.protocol !== "https:" && !local) || url.username || url.password || url.hash) return void problem(name, fix);
  return url.href;
}
