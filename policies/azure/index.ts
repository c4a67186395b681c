// The Azure (Microsoft Entra ID) policies of the pack: FICs accept only the token exchange
// audience and name one exact subject (no claims-matching FIC for a custom issuer), and (over the
// stack) every FIC trusts exactly a subject the stack registers for its issuer.

import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { azureFicExchangeAudience } from "./exchange-audience.js";
import { azureFicExactSubject } from "./literal-subject.js";
import { azureTrustRegisteredSubjects } from "./registered-subjects.js";

export const azurePolicies: readonly ResourceValidationPolicy[] = [azureFicExchangeAudience, azureFicExactSubject];

export const azureStackPolicies: readonly StackValidationPolicy[] = [azureTrustRegisteredSubjects];
