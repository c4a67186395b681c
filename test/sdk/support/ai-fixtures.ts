// The Claude API's and the OpenAI API's token endpoints as the SDK tests script them: the
// documented success answers (wif-reference "Token exchange response"; openai-node's
// TokenExchangeResponse), their error shapes, and a fetch that adds the request-id headers the
// loopback server cannot.

import type { SdkFetch } from "@worker-identity/sdk";
import { json } from "./fixtures.js";
import type { ScriptedAnswer } from "./loopback.js";

export const ORGANIZATION = "5f1c9a7e-2b3d-4e8f-9a6b-1c2d3e4f5a6b";
export const SVAC = "svac_01HZX3K9Q7R2M4N6P8S0T1V3W5";
export const RULE = "fdrl_01HZX3M2B4C6D8F0G2H4J6K8L0";
export const ANTHROPIC_AUDIENCE = "https://api.anthropic.com";
export const PROVIDER_ID = "wip_01HZX3P5R7T9V1X3Z5B7D9F1H3";
export const OPENAI_SERVICE_ACCOUNT = "svc_acct_01HZX3Q8S0U2W4Y6A8C0E2G4J6";
export const OPENAI_AUDIENCE = "https://api.openai.com/v1";

export function anthropicSuccess(accessToken: string, expiresIn: unknown = 3600): ScriptedAnswer {
  return json(200, {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: expiresIn,
    scope: "workspace:inference",
  });
}

export function openaiSuccess(accessToken: string, expiresIn: unknown = 3600): ScriptedAnswer {
  return json(200, {
    access_token: accessToken,
    issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
    token_type: "Bearer",
    expires_in: expiresIn,
  });
}

export function oauthError(status: number, error: string, description: string): ScriptedAnswer {
  return json(status, { error, error_description: description });
}

/** The global fetch, with `headers` added to every answer (request ids). */
export function withAnswerHeaders(headers: Record<string, string>): SdkFetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const merged = new Headers(response.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return new Response(await response.arrayBuffer(), { status: response.status, headers: merged });
  };
}
