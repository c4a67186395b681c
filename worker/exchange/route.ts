// POST /token on the issuer: RFC 8693 token exchange of a native (Cloudflare `oidc_tokens`)
// subject token for a worker-identity token. The form (request.ts), the subject token against the
// native issuer the runtime config trusts (native-token.ts), the audience against the workload's,
// the replay store (replays.ts), then the issuance every RPC token takes (worker/tokens/issue.ts),
// so an exchanged token carries exactly what the workload's RPC token does. Logged like RPC
// issuance: `token.issued` when signed, `token.refused` with the code, `token.exchanged` with the
// native iss, sub and jti; never a token. Every outcome is reported to the issuance log
// (worker/activity/), as the RPC paths' are.

import type { ActivityReport, ResolvedRequester } from "../activity/event.js";
import type { IssuerEnv } from "../bindings/env.js";
import { errorCodeOf, errorDetailOf } from "../errors.js";
import type { IssuerAnswerCode } from "../http/issuer-problems.js";
import { methodNotAllowed } from "../http/issuer-problems.js";
import { readRequestText } from "../http/request-body.js";
import type { RuntimeSettings } from "../runtime-config/types.js";
import { type IssueContext, issueWorkloadToken } from "../tokens/issue.js";
import { exchangeAnswer, exchangeProblem, type OAuthError } from "./answers.js";
import { NativeTokenError, verifyNativeToken } from "./native-token.js";
import { claimWithinDeadline } from "./replay-claim.js";
import { replayKey, replayStoreOf } from "./replays.js";
import { ExchangeRequestError, MAX_EXCHANGE_BODY_BYTES, parseExchangeRequest } from "./request.js";

export interface ExchangeContext {
  readonly config: RuntimeSettings;
  readonly nowMs: number;
  /** The issue context RPC issuance uses (worker/issuer/issuance.ts), at the same time. */
  readonly issueContext: () => IssueContext;
  /** The issuance log of this request (worker/issuer/issuance.ts activityReport); absent: nothing is reported. */
  readonly report?: ActivityReport;
}

/** A refusal on its way to the answer: our code, the OAuth error, the detail. */
class Refusal extends Error {
  constructor(
    readonly code: IssuerAnswerCode,
    readonly detail: string,
    readonly error?: OAuthError,
  ) {
    super(detail);
  }
}

export async function handleTokenExchange(
  request: Request,
  env: IssuerEnv,
  context: ExchangeContext,
): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed(["POST"]);
  let workload: string | null = null;
  let resolved: ResolvedRequester | undefined;
  let asked: string | undefined;
  const report = (refused?: { code: string }) =>
    context.report?.({
      channel: "exchange",
      requester: "workload",
      resolved,
      audience: asked,
      ...(refused === undefined ? {} : { refused }),
    });
  try {
    const { config, nowMs } = context;
    if (!config.workloads.some((w) => w.native !== undefined)) {
      throw new Refusal(
        "ERR_EXCHANGE_DISABLED",
        `no workload has native settings; set ${config.project}:workloads.<name>.native (the issuer and subject ` +
          "`wrangler deploy` printed) and redeploy",
      );
    }
    const body = await readBody(request);
    const { subjectToken, audience } = parse(request.headers.get("content-type"), body);
    asked = audience;
    const verified = await verifyNativeToken(subjectToken, config, nowMs).catch((error: unknown) => {
      if (!(error instanceof NativeTokenError)) throw error;
      throw new Refusal(error.code, error.detail);
    });
    workload = verified.workload.name;
    resolved = verified.workload;
    if (!verified.workload.audiences.includes(audience)) {
      throw new Refusal(
        "ERR_INVALID_TARGET",
        `workload '${workload}' may not have tokens for that audience; its audiences are ` +
          `${verified.workload.audiences.map((a) => JSON.stringify(a)).join(", ")}. Add it to ` +
          `workloads.${workload}.audiences in the stack config to allow it`,
        "invalid_target",
      );
    }
    await claimOnce(env, await replayKey(verified.issuer, verified.jti, subjectToken), verified.rememberUntilMs, nowMs);
    const issueContext = context.issueContext();
    const { certificateThumbprint } = verified.workload;
    const issued = await issueWorkloadToken(
      { ...issueContext, ...(certificateThumbprint === undefined ? {} : { certificateThumbprint }) },
      verified.workload,
      audience,
      undefined,
    ).catch((error: unknown) => {
      const code = errorCodeOf(error);
      if (code === undefined || !(error instanceof Error)) throw error;
      throw new Refusal(code, errorDetailOf(error), code === "ERR_AUDIENCE_NOT_ALLOWED" ? "invalid_target" : undefined);
    });
    console.log(
      JSON.stringify({
        event: "token.exchanged",
        workload,
        iss: verified.issuer,
        sub: verified.subject,
        jti: verified.jti ?? null,
        aud: audience,
      }),
    );
    report();
    return exchangeAnswer(issued.token, issued.expiresAt, Math.floor(issueContext.nowMs / 1_000));
  } catch (error) {
    if (!(error instanceof Refusal)) {
      report({ code: errorCodeOf(error) ?? "ERR_INTERNAL" });
      throw error;
    }
    console.warn(JSON.stringify({ event: "token.refused", via: "exchange", workload, code: error.code }));
    report({ code: error.code });
    return exchangeProblem(error.code, error.detail, error.error);
  }
}

async function readBody(request: Request): Promise<string> {
  try {
    return await readRequestText(
      request,
      MAX_EXCHANGE_BODY_BYTES,
      `the form is larger than ${MAX_EXCHANGE_BODY_BYTES} bytes; send only the token exchange parameters`,
    );
  } catch (error) {
    if (errorCodeOf(error) !== "ERR_INVALID_REQUEST" || !(error instanceof Error)) throw error;
    throw new Refusal("ERR_INVALID_REQUEST", errorDetailOf(error), "invalid_request");
  }
}

function parse(contentType: string | null, body: string): ReturnType<typeof parseExchangeRequest> {
  try {
    return parseExchangeRequest(contentType, body);
  } catch (error) {
    if (!(error instanceof ExchangeRequestError)) throw error;
    throw new Refusal(error.code, error.detail, error.error);
  }
}

/** Claims the token in the replay store; refuses when it was presented before or the store cannot say in time. */
async function claimOnce(env: IssuerEnv, key: string, untilMs: number, nowMs: number): Promise<void> {
  let first: boolean;
  try {
    first = await claimWithinDeadline(replayStoreOf(env), key, untilMs, nowMs);
  } catch (error) {
    console.error(JSON.stringify({ event: "exchange.replay_store_failed", error: String(error) }));
    throw new Refusal("ERR_REPLAY_STORE_UNAVAILABLE", "the replay store could not be reached; retry with a new token");
  }
  if (!first) {
    throw new Refusal(
      "ERR_SUBJECT_TOKEN_REPLAYED",
      "this subject token was exchanged before; call getToken() again for a new one",
    );
  }
}
