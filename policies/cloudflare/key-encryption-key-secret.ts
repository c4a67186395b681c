// The key-encryption key seals every signing key at rest. As a plain_text or json binding its
// value shows in the dashboard, the API and the stack's state in clear: it must be secret_text.

import type { ResourceValidationPolicy } from "@pulumi/policy";
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

export function keyEncryptionKeyViolations(script: Readonly<Record<string, unknown>>): readonly string[] {
  const bindings = bindingsOf(script);
  if (bindings === undefined || !isIssuerScript(bindings)) return [];
  const binding = bindingNamed(bindings, KEY_ENCRYPTION_KEY_BINDING);
  if (binding === undefined || isUnknown(binding.type) || binding.type === SECRET_TYPE) return [];
  return [
    `the ${KEY_ENCRYPTION_KEY_BINDING} binding is of type ${JSON.stringify(binding.type)}, readable by anyone who can see ` +
      `the script's settings; make it {type: "${SECRET_TYPE}", text: pulumi.secret(...)}`,
  ];
}

export const cloudflareKeyEncryptionKeySecret: ResourceValidationPolicy = {
  name: "cloudflare-key-encryption-key-secret",
  description: `An issuer script's ${KEY_ENCRYPTION_KEY_BINDING} binding is ${SECRET_TYPE}, never plain_text or json.`,
  enforcementLevel: "mandatory",
  validateResource: reportViolationsOfType(WORKERS_SCRIPT, keyEncryptionKeyViolations),
};
