// The Vault policies of the pack. CONTRACT STUB: the Vault work adds its policies here.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const vaultPolicies: readonly ResourceValidationPolicy[] = [];

export const vaultStackPolicies: readonly StackValidationPolicy[] = [];
