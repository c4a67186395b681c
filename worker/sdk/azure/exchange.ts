// azureAccessToken: a token of this Worker (audience api://AzureADTokenExchange) presented to
// Microsoft Entra ID as the client assertion of the client credentials grant, for an access token
// of the application or managed identity whose FIC trusts the Worker's subject. Options:
// options.ts; the request and its answer: token.ts.

export {
  AZURE_TOKEN_EXCHANGE_AUDIENCE,
  type AzureAccessTokenOptions,
  type ResolvedAzureAccessTokenOptions,
  resolveAzureAccessTokenOptions,
} from "./options.js";
export type { AzureAccessToken } from "./token.js";
export { requestAzureAccessToken } from "./token.js";
