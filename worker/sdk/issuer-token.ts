// One call through the issuer binding. Workers RPC keeps only an error's message, so the issuer's
// code is read back from it (errorCodeOf); an error without a code means the call itself failed.

import { errorCodeOf, errorDetailOf } from "../errors.js";
// Types only (erased from the bundle): the issuer's own RPC declaration, so the SDK and the
// entrypoint cannot disagree on the call's shape.
import type { IssuedToken, IssuerRpc, TokenOptions } from "../tokens/rpc.js";
import { IssuerRefusalError, IssuerUnavailableError, MalformedResponseError } from "./errors.js";

export type { IssuedToken, TokenOptions };

/**
 * What the SDK needs of the issuer binding (`env.ISSUER`, typed `Service<Issuer>` in a Worker):
 * the entrypoint's `token`. Any object with this method works, which is how the SDK is used from Node.
 */
export type IssuerBinding = Pick<IssuerRpc, "token">;

export async function requestToken(
  binding: IssuerBinding,
  audience: string,
  options: TokenOptions | undefined,
): Promise<IssuedToken> {
  let answer: unknown;
  try {
    answer = await (options === undefined ? binding.token(audience) : binding.token(audience, options));
  } catch (error) {
    const code = errorCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code !== undefined && error instanceof Error) {
      throw new IssuerRefusalError(
        code,
        `the issuer refused a token for ${JSON.stringify(audience)}: ${errorDetailOf(error)}`,
      );
    }
    throw new IssuerUnavailableError(`the issuer binding's token() failed without an issuer code: ${message}`, error);
  }
  const { token, expiresAt } = (typeof answer === "object" && answer !== null ? answer : {}) as Partial<IssuedToken>;
  if (
    typeof token !== "string" ||
    token.split(".").length !== 3 ||
    typeof expiresAt !== "number" ||
    !Number.isFinite(expiresAt)
  ) {
    throw new MalformedResponseError(
      "issuer",
      0,
      "the issuer binding's token() answered without { token, expiresAt }: is the binding's entrypoint the issuer?",
    );
  }
  return Object.freeze({ token, expiresAt });
}
