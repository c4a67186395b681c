// Entra ID's token endpoint as the SDK tests replay it: the v2.0 client credentials answers from
// Microsoft's documentation (success; the OAuth error document with error_codes, trace_id,
// correlation_id), and an httpClient for @azure/identity that sends MSAL's requests for
// login.microsoftonline.com to a loopback server instead, so the official client and ours are
// captured by the same server.

import type { ClientAssertionCredentialOptions } from "@azure/identity";
import type { ScriptedAnswer } from "./loopback.js";

export const TENANT = "8d2b6f3e-51a4-4c9e-9a1b-3f0e7c5d2a10";
export const CLIENT_ID = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d";
export const STORAGE_SCOPE = "https://storage.azure.com/.default";
export const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;
export const PUBLIC_AUTHORITY = "https://login.microsoftonline.com";

/** https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#successful-response-1 */
export function entraSuccess(accessToken: string, expiresIn: number | string = 3599): ScriptedAnswer {
  return {
    contentType: "application/json; charset=utf-8",
    body: JSON.stringify({
      token_type: "Bearer",
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: accessToken,
    }),
  };
}

/** https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response-1 */
export function entraError(
  status: number,
  error: string,
  code: number | undefined,
  description: string,
  ids = { trace: "255d1aef-8c98-452f-ac51-23d051240864", correlation: "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7" },
): ScriptedAnswer {
  return {
    status,
    contentType: "application/json; charset=utf-8",
    body: JSON.stringify({
      error,
      error_description: `${description}\r\nTrace ID: ${ids.trace}\r\nCorrelation ID: ${ids.correlation}\r\nTimestamp: 2026-05-01 12:00:00Z`,
      ...(code === undefined ? {} : { error_codes: [code] }),
      timestamp: "2026-05-01 12:00:00Z",
      trace_id: ids.trace,
      correlation_id: ids.correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code ?? 0}`,
    }),
  };
}

type HttpClient = NonNullable<ClientAssertionCredentialOptions["httpClient"]>;
type PipelineRequest = Parameters<HttpClient["sendRequest"]>[0];
type PipelineResponse = Awaited<ReturnType<HttpClient["sendRequest"]>>;
type HttpHeaders = PipelineResponse["headers"];

/** Response headers as @azure/core-rest-pipeline's HttpHeaders (case-insensitive names). */
function httpHeaders(from: Headers): HttpHeaders {
  const map = new Map<string, string>();
  for (const [name, value] of from) map.set(name.toLowerCase(), value);
  const headers: HttpHeaders = {
    get: (name) => map.get(name.toLowerCase()),
    has: (name) => map.has(name.toLowerCase()),
    set: (name, value) => void map.set(name.toLowerCase(), String(value)),
    delete: (name) => void map.delete(name.toLowerCase()),
    toJSON: () => Object.fromEntries(map),
    [Symbol.iterator]: () => map.entries(),
  };
  return headers;
}

/** An httpClient for @azure/identity: every request to `PUBLIC_AUTHORITY` goes to `base` instead. */
export function loopbackHttpClient(base: string): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = request.url.replace(PUBLIC_AUTHORITY, base);
      if (url === request.url) throw new Error(`MSAL asked for ${request.url}, which the test does not serve`);
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) headers[name] = value;
      const response = await fetch(url, {
        method: request.method,
        headers,
        ...(typeof request.body === "string" ? { body: request.body } : {}),
      });
      return {
        request,
        status: response.status,
        headers: httpHeaders(response.headers),
        bodyAsText: await response.text(),
      };
    },
  };
}
