// One call through the issuer binding. Workers RPC keeps only an error's message, so the issuer's
// code is read back from it (errorCodeOf); an error without a code means the call itself failed.

import { errorCodeOf } from "../errors.js";
import { IssuerRefusalError, IssuerUnavailableError, MalformedResponseError } from "./errors.js";

export interface IssuedToken {
  readonly token: string;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface TokenOptions {
  /** A lifetime shorter than the workload's default, in seconds. */
  readonly lifetimeSeconds?: number;
}

/**
 * What the SDK needs of the issuer binding (`env.ISSUER`, typed `Service<Issuer>` in a Worker).
 * Any object with this method works, which is how the SDK is used from Node.
 */
export interface IssuerBinding {
  token(audience: string, options?: TokenOptions): Promise<IssuedToken>;
}

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
    if (code !== undefined) {
      throw new IssuerRefusalError(
        code,
        message
          .replace(/^(?:[A-Za-z]*Error: )?/, "")
          .replace(/^\[ERR_[A-Z_]+\] /, `the issuer refused a token for ${JSON.stringify(audience)}: `),
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
