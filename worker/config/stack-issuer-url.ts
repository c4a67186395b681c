// The issuer's URL, the `iss` of every token: the custom domain, the workers.dev hostname, or the
// local stack's URL, and which of the stack's keys choose it.

import { isHostnameLabel, localIssuerUrlProblem, workersDevUrl } from "./issuer-url.js";
import type { IssueCollector } from "./issues.js";

export function resolveIssuerUrl(
  fields: { readonly issuerHostname?: string; readonly workersDevSubdomain?: string },
  scriptName: string | undefined,
  unset: (name: string) => boolean,
  localIssuerUrl: string | undefined,
  key: (name: string) => string,
  issues: IssueCollector,
): string | undefined {
  const hostnameSet = !unset("issuerHostname");
  const subdomainSet = !unset("workersDevSubdomain");
  if (hostnameSet && subdomainSet) {
    issues.add(
      key("workersDevSubdomain"),
      "is set together with issuerHostname; keep only one: issuerHostname for a " +
        "custom domain, or workersDevSubdomain to serve the issuer at https://<issuerScriptName>.<subdomain>.workers.dev",
    );
  } else if (!hostnameSet && !subdomainSet && localIssuerUrl === undefined) {
    issues.add(
      key("issuerHostname"),
      "is missing, and so is workersDevSubdomain; set one: pulumi config set issuerHostname " +
        "id.example.com (a custom domain in your account), or pulumi config set workersDevSubdomain <your-subdomain>",
    );
  }
  const subdomain = fields.workersDevSubdomain;
  if (subdomain !== undefined && scriptName !== undefined && !isHostnameLabel(scriptName)) {
    issues.add(
      key("issuerScriptName"),
      `is '${scriptName}', which cannot start the workers.dev hostname ('_' is not ` +
        `allowed in hostnames); rename it to '${scriptName.replaceAll("_", "-")}', or use issuerHostname`,
    );
  }
  if (localIssuerUrl !== undefined) {
    const problem = localIssuerUrlProblem(localIssuerUrl);
    if (problem === undefined) return localIssuerUrl;
    issues.add("localIssuerUrl", problem);
    return undefined;
  }
  if (fields.issuerHostname !== undefined) return `https://${fields.issuerHostname}`;
  if (subdomain !== undefined && scriptName !== undefined) return workersDevUrl(scriptName, subdomain);
  return undefined;
}
