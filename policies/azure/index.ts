// The Azure policies of the pack. CONTRACT STUB: the Azure work adds its policies here.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const azurePolicies: readonly ResourceValidationPolicy[] = [];

export const azureStackPolicies: readonly StackValidationPolicy[] = [];
