// (A stack policy.) In a stack with a worker-identity issuer, Vault trust names only what the
// stack registers (stack-registry.ts): a JWT auth method trusts the stack's own issuer or a
// native issuer its workloads name, and each jwt role on one of the stack's mounts is bound to a
// subject registered for that mount's issuer (one workload's exact subject).

import type { StackValidationPolicy } from "@pulumi/policy";
import type { StackResource } from "../gcp/stack-issuers.js";
import { isUnknown } from "../inputs.js";
import { plainProps } from "../resource-policy.js";
import { registeredIssuer, stackRegistry } from "../stack-registry.js";

const BACKEND_TYPE = "vault:jwt/authBackend:AuthBackend";
const ROLE_TYPE = "vault:jwt/authBackendRole:AuthBackendRole";

const trim = (path: unknown, fallback: string) =>
  typeof path === "string" ? path.replace(/^\/+|\/+$/g, "") : fallback;
const mountKey = (path: unknown, namespace: unknown) =>
  JSON.stringify([trim(path, "jwt"), typeof namespace === "string" ? namespace : ""]);

/** Violations by resource index. */
export function vaultRegisteredSubjectViolations(
  resources: readonly StackResource[],
): ReadonlyMap<number, readonly string[]> {
  const registry = stackRegistry(resources);
  const found = new Map<number, readonly string[]>();
  if (registry.kind !== "registry") return found;
  /** The registered subjects of each mount's issuer, by mount; undefined for a mount whose issuer is not registered. */
  const mounts = new Map<string, { issuer: string; subjects: ReadonlySet<string> } | undefined>();
  resources.forEach(({ type, props }, index) => {
    if (type !== BACKEND_TYPE || (props.type ?? "jwt") !== "jwt") return;
    if (isUnknown(props.path) || isUnknown(props.boundIssuer) || isUnknown(props.namespace)) return;
    const key = mountKey(props.path ?? "jwt", props.namespace);
    const issuer = typeof props.boundIssuer === "string" ? props.boundIssuer : "";
    const registered = issuer === "" ? undefined : registeredIssuer(registry, issuer);
    if (registered === undefined) {
      mounts.set(key, undefined);
      // A missing bound_issuer is vault-backend-bound-issuer's to report.
      if (issuer !== "")
        found.set(index, [
          `the JWT auth method at ${trim(props.path, "jwt")} trusts ${issuer}, an issuer this stack neither runs nor ` +
            "registers as a workload's native issuer; bind this stack's issuer, or remove the mount",
        ]);
      return;
    }
    mounts.set(key, { issuer: registered[0], subjects: registered[1].subjects });
  });
  resources.forEach(({ type, props }, index) => {
    if (type !== ROLE_TYPE || props.roleType !== "jwt") return;
    if (isUnknown(props.backend) || isUnknown(props.namespace) || isUnknown(props.boundSubject)) return;
    const mount = mounts.get(mountKey(props.backend ?? "jwt", props.namespace));
    if (mount === undefined) return; // not one of this stack's registered mounts (or its subject is another policy's)
    const subject = props.boundSubject;
    if (typeof subject !== "string" || subject === "") return; // vault-role-bound-subject reports it
    if (mount.subjects.has(subject)) return;
    found.set(index, [
      `the role ${String(props.roleName)} is bound to ${JSON.stringify(subject)}, which no workload of this stack ` +
        `registers for ${mount.issuer}; bind exactly one registered workload's subject (worker/<account_id>/<workload>)`,
    ]);
  });
  return found;
}

export const vaultTrustRegisteredSubjects: StackValidationPolicy = {
  name: "vault-trust-registered-subjects",
  description:
    "Vault JWT auth methods trust the stack's issuer (or a workload's native issuer), and their jwt roles are bound to subjects the stack registers for it.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, props: plainProps(r.props), urn: r.urn }));
    for (const [index, messages] of vaultRegisteredSubjectViolations(resources)) {
      for (const message of messages) reportViolation(message, resources[index]!.urn);
    }
  },
};
