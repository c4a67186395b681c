// The `introspectionClients` key: the relying parties that may call POST /introspect. Their
// secrets are not config: they live in the issuer's INTROSPECTION_SECRETS Worker secret (the
// Pulumi program and the local stack generate one per client).

import { describeValue, type FieldReader, parseJsonText, readDistinctStrings } from "./fields.js";
import { INTROSPECTION_CLIENT_ID_PATTERN, INTROSPECTION_SECRET_LENGTH, MAX_INTROSPECTION_CLIENTS } from "./limits.js";
import { CLOUDFLARE } from "./provider-limits.js";

const RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

/** A list of client ids, or its JSON text (Pulumi hands array keys over as text); "" means none. */
export const readIntrospectionClients: FieldReader<readonly string[]> = (value, key, issues) => {
  if (value === "") return [];
  const list =
    typeof value === "string"
      ? parseJsonText(
          value,
          key,
          issues,
          "write it as a list in the stack file, e.g. introspectionClients: [payments-api]",
        )
      : value;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) {
    issues.add(key, `is ${describeValue(list)}, but must be a list of client ids, e.g. [payments-api]`);
    return undefined;
  }
  if (list.length > MAX_INTROSPECTION_CLIENTS) {
    issues.add(
      key,
      `lists ${list.length} clients, more than ${MAX_INTROSPECTION_CLIENTS}; relying parties of one ` +
        "service can share a client id",
    );
    return undefined;
  }
  const ids = issues.checked(() =>
    readDistinctStrings(list, key, issues, {
      expected: `a client id (${RULE})`,
      problem: (id) =>
        INTROSPECTION_CLIENT_ID_PATTERN.test(id)
          ? undefined
          : `is ${describeValue(id)}, but a client id must be ${RULE} (it is the user name of HTTP Basic ` +
            "credentials, which cannot hold ':'); rename it",
      repeated: (_, first) => `repeats introspectionClients[${first}]; remove the duplicate`,
    }),
  );
  if (ids === undefined) return undefined;
  const bytes = introspectionSecretsBytes(ids);
  const max = CLOUDFLARE.textBindingBytes.value;
  if (bytes > max) {
    issues.add(
      key,
      `lists clients whose INTROSPECTION_SECRETS secret ({clientId: ${INTROSPECTION_SECRET_LENGTH}-character ` +
        `secret}) would be ${bytes} bytes, more than the ${max} Cloudflare allows one variable (${CLOUDFLARE.textBindingBytes.source}); ` +
        `each client takes its id's length plus ${INTROSPECTION_SECRET_LENGTH + 6} bytes (its secret, quotes, ":" and ","): remove clients (relying parties of one ` +
        "service can share one) or shorten their ids",
    );
    return undefined;
  }
  return Object.freeze(ids);
};

/** Bytes of the INTROSPECTION_SECRETS JSON for these ids: {"id":"<secret>",…} (ids and secrets are ASCII). */
function introspectionSecretsBytes(ids: readonly string[]): number {
  const members = ids.map((id) => JSON.stringify(id).length + 1 + INTROSPECTION_SECRET_LENGTH + 2);
  return 2 + members.reduce((sum, n) => sum + n, 0) + Math.max(0, ids.length - 1);
}
