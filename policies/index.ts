// The pack as the Pulumi CLI runs it (`pulumi preview --policy-pack policies`): constructing the
// PolicyPack serves it to the engine, so only the CLI's runner imports this file (through
// main.cjs); tests import pack.ts.

import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies, stackPolicies } from "./pack.js";

new PolicyPack(POLICY_PACK_NAME, {
  description:
    "Refuses unsafe federated trust of worker-identity issuers in AWS IAM, GCP Workload Identity Federation and Cloudflare.",
  enforcementLevel: "mandatory",
  policies: [...policies, ...stackPolicies],
});
