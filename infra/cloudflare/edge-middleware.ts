// The edge middleware on Cloudflare (optional): its Worker script with the bindings the Worker reads
// (worker/middleware/worker.ts) and a Workers route on the API's zone. Every argument is checked
// when the component is built, with the validator the Worker itself runs on its bindings, so a
// broken rules document fails `pulumi preview` instead of answering 503 after `pulumi up`.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { COMPATIBILITY_DATE } from "../../worker/build/bundle.js";
import { ROUTE_PATTERN } from "../../worker/config/edge-middleware.js";
import { utf8Length } from "../../worker/config/fields.js";
import { scriptNameProblem } from "../../worker/config/script-name.js";
import type { WorkloadConfig } from "../../worker/config/types.js";
import { MiddlewareConfigError, readMiddlewareConfig } from "../../worker/middleware/config.js";
import { middlewareTextBindings } from "../../worker/middleware/settings-bindings.js";
import { OptionsIssues } from "../../worker/options/options-error.js";

export interface EdgeMiddlewareArgs {
  readonly accountId: pulumi.Input<string>;
  /** The middleware's Worker script name. */
  readonly scriptName: string;
  /** The issuer's URL, exactly the tokens' `iss` (the issuer component's `issuerUrl`). */
  readonly issuerUrl: string;
  /** The audiences the API accepts. */
  readonly audiences: readonly string[];
  /** The rules document (parsed JSON; format: worker/middleware/README.md). */
  readonly rules: unknown;
  /** The origin: a Worker script name (bound as the ORIGIN service) or an https URL (ORIGIN_URL). */
  readonly origin: string;
  /** The issuer's script name: discovery and the JWKS are then fetched over a service binding. */
  readonly issuerScriptName?: string;
  /** Where the middleware runs: a Workers route pattern (such as api.example.com/*) on a zone. */
  readonly route: { readonly pattern: string; readonly zoneId: pulumi.Input<string> };
  /** The middleware's ES module bundle: bundleWorker(MIDDLEWARE_MODULE). */
  readonly bundle: pulumi.Input<string>;
  /** Keep the Authorization header on forwarded requests. Default false. */
  readonly forwardAuthorization?: boolean;
  /** Refuse tokens on the issuer's revocation list (`<issuer>/revocations.json`). */
  readonly revocationList?: boolean;
  /** Ask the issuer's /introspect about workflow tokens, as this registered introspection client. */
  readonly introspection?: { readonly clientId: string; readonly clientSecret: pulumi.Input<string> };
  /** Where the middleware learns client certificates (CLIENT_CERTIFICATES); default "none". */
  readonly clientCertificates?: "none" | "cloudflare-edge";
  /** The stack's workloads: those with native settings make NATIVE_ISSUERS (Cloudflare's own tokens accepted). */
  readonly workloads?: readonly WorkloadConfig[];
}

/** The module name of the bundle inside the script upload. */
export const MIDDLEWARE_MAIN_MODULE = "middleware.js";
/** Cloudflare's limit on one environment variable (text binding). */
export const TEXT_BINDING_MAX_BYTES = 5 * 1_024;

type TextBinding = { type: "plain_text"; name: string; text: string };
type SecretBinding = { type: "secret_text"; name: string; text: pulumi.Input<string> };
type ServiceBinding = { type: "service"; name: string; service: string };

/** The script's bindings for `args`, or every problem with its argument and fix. Pure. */
export function edgeMiddlewareBindings(
  args: Omit<EdgeMiddlewareArgs, "accountId" | "bundle">,
): (TextBinding | ServiceBinding | SecretBinding)[] {
  const issues = new OptionsIssues();
  if (!ROUTE_PATTERN.test(args.route.pattern)) {
    issues.add(
      "route.pattern",
      `must be a Workers route such as api.example.com/* (host and path, no scheme); got ${JSON.stringify(args.route.pattern)}`,
    );
  }
  const scriptProblem = scriptNameProblem(args.scriptName);
  if (scriptProblem) issues.add("scriptName", `${JSON.stringify(args.scriptName)} ${scriptProblem}`);
  const originIsUrl = /^https?:\/\//.test(args.origin);
  if (!originIsUrl) {
    const originProblem = scriptNameProblem(args.origin);
    if (originProblem)
      issues.add(
        "origin",
        `must be an https URL or a Worker script name; ${JSON.stringify(args.origin)} ${originProblem}`,
      );
    if (args.origin === args.scriptName) issues.add("origin", "names the middleware itself; name the Worker behind it");
  }
  if (args.issuerScriptName !== undefined) {
    const issuerProblem = scriptNameProblem(args.issuerScriptName);
    if (issuerProblem) issues.add("issuerScriptName", issuerProblem);
  }
  // The same function builds the local stack's middleware (worker/local/edge-middleware.ts).
  const text = middlewareTextBindings({
    issuerUrl: args.issuerUrl,
    audiences: args.audiences,
    rules: args.rules,
    ...(originIsUrl ? { originUrl: args.origin } : {}),
    ...(args.forwardAuthorization !== undefined ? { forwardAuthorization: args.forwardAuthorization } : {}),
    ...(args.revocationList !== undefined ? { revocationList: args.revocationList } : {}),
    ...(args.introspection !== undefined ? { introspectionClientId: args.introspection.clientId } : {}),
    ...(args.clientCertificates !== undefined ? { clientCertificates: args.clientCertificates } : {}),
    workloads: Object.fromEntries((args.workloads ?? []).map((workload) => [workload.name, workload])),
  });
  try {
    // The secret is checked for presence only: its value may not be known before `pulumi up`.
    const secret = args.introspection !== undefined ? { INTROSPECTION_CLIENT_SECRET: "(secret)" } : {};
    readMiddlewareConfig({ ...text, ...secret }, { issuer: args.issuerScriptName !== undefined, origin: !originIsUrl });
  } catch (error) {
    if (!(error instanceof MiddlewareConfigError)) throw error;
    const argument: Record<string, string> = {
      ISSUER_URL: "issuerUrl",
      AUDIENCES: "audiences",
      RULES: "rules",
      ORIGIN_URL: "origin",
      ORIGIN: "origin",
    };
    for (const p of error.problems) issues.add(`${argument[p.binding] ?? p.binding} (${p.binding})`, p.detail ?? p.fix);
  }
  for (const [name, value] of Object.entries(text)) {
    const bytes = utf8Length(value);
    if (bytes > TEXT_BINDING_MAX_BYTES) {
      issues.add(
        name,
        `is ${bytes} bytes; Cloudflare allows ${TEXT_BINDING_MAX_BYTES} per text binding: merge rules with wildcards and parameters`,
      );
    }
  }
  issues.throwIfAny("invalid EdgeMiddleware arguments");
  return [
    ...Object.entries(text).map(([name, value]): TextBinding => ({ type: "plain_text", name, text: value })),
    ...(args.issuerScriptName !== undefined
      ? [{ type: "service" as const, name: "ISSUER", service: args.issuerScriptName }]
      : []),
    ...(!originIsUrl ? [{ type: "service" as const, name: "ORIGIN", service: args.origin }] : []),
    ...(args.introspection !== undefined
      ? [
          {
            type: "secret_text" as const,
            name: "INTROSPECTION_CLIENT_SECRET",
            text: pulumi.secret(args.introspection.clientSecret),
          },
        ]
      : []),
  ];
}

export class EdgeMiddleware extends pulumi.ComponentResource {
  readonly scriptName: string;
  readonly script: cloudflare.WorkersScript;
  readonly route: cloudflare.WorkersRoute;

  constructor(name: string, args: EdgeMiddlewareArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything is registered: a bad argument declares nothing.
    const bindings = edgeMiddlewareBindings(args);
    super("worker-identity:cloudflare:EdgeMiddleware", name, {}, opts);
    this.scriptName = args.scriptName;

    this.script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        content: args.bundle,
        mainModule: MIDDLEWARE_MAIN_MODULE,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings,
        observability: { enabled: true },
      },
      { parent: this },
    );

    this.route = new cloudflare.WorkersRoute(
      `${name}-route`,
      { zoneId: args.route.zoneId, pattern: args.route.pattern, script: this.script.scriptName },
      { parent: this },
    );

    this.registerOutputs({ scriptName: this.script.scriptName, routePattern: this.route.pattern });
  }
}
