// The key-encryption key seals every signing key at rest, and during a KEK rotation the previous
// one still opens those not yet rewrapped. As a plain_text or json binding either value shows in
// the dashboard, the API and the stack's state in clear: both must be secret_text.

import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { IssuerBindingsOfType } from "../../worker/bindings/table.js";
import { isUnknown } from "../inputs.js";
import { reportViolationsOfType } from "../resource-policy.js";
import {
  bindingNamed,
  bindingsOf,
  ISSUER_BINDINGS,
  isIssuerScript,
  KEY_ENCRYPTION_KEY_BINDING,
  WORKERS_SCRIPT,
} from "./issuer-script.js";

/** The type the bindings table gives the key-encryption key (worker/bindings/table.ts). */
const SECRET_TYPE = ISSUER_BINDINGS[KEY_ENCRYPTION_KEY_BINDING].type;
/** The previous KEK, bound only during a KEK rotation (infra/cloudflare/key-encryption-keys.ts). */
const PREVIOUS_BINDING = "KEY_ENCRYPTION_KEY_PREVIOUS" satisfies IssuerBindingsOfType<typeof SECRET_TYPE>;
const KEK_BINDINGS = [KEY_ENCRYPTION_KEY_BINDING, PREVIOUS_BINDING] as const;

export function keyEncryptionKeyViolations(script: Readonly<Record<string, unknown>>): readonly string[] {
  const bindings = bindingsOf(script);
  if (bindings === undefined || !isIssuerScript(bindings)) return [];
  return KEK_BINDINGS.flatMap((name) => {
    const binding = bindingNamed(bindings, name);
    if (binding === undefined || isUnknown(binding.type) || binding.type === SECRET_TYPE) return [];
    return [
      `the ${name} binding is of type ${JSON.stringify(binding.type)}, readable by anyone who can see ` +
        `the script's settings; make it {type: "${SECRET_TYPE}", text: pulumi.secret(...)}`,
    ];
  });
}

export const cloudflareKeyEncryptionKeySecret: ResourceValidationPolicy = {
  name: "cloudflare-key-encryption-key-secret",
  description: `An issuer script's ${KEY_ENCRYPTION_KEY_BINDING} and ${PREVIOUS_BINDING} bindings are ${SECRET_TYPE}, never plain_text or json.`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(WORKERS_SCRIPT, keyEncryptionKeyViolations),
};
