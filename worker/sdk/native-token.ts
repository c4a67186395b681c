// Cloudflare's `oidc_tokens` binding as a token source: `env.X.getToken()` signs a new JWT for the
// Worker's own identity, for the one audience the binding was configured with. The SDK caches it
// by its `exp`, read from the payload without verifying it (the SDK is not the token's relying
// party; the cloud that receives it verifies it). Only `exp` is read: the native claim set is not
// public, so nothing else of it is believed or required here.

import { NativeTokenInvalidError, NativeTokenUnavailableError } from "./errors.js";
import type { IssuedToken } from "./issuer-token.js";

/**
 * What the SDK needs of a native token binding (`env.AWS_TOKEN` for
 * `"oidc_tokens": [{ "binding": "AWS_TOKEN", "audience": "sts.amazonaws.com" }]`): any object
 * with `getToken()` answering a compact JWT.
 */
export interface NativeTokenBinding {
  getToken(): Promise<string>;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function isNativeTokenBinding(value: unknown): value is NativeTokenBinding {
  return (
    typeof value === "object" && value !== null && typeof (value as { getToken?: unknown }).getToken === "function"
  );
}

/** One token from the binding, with its `exp`; `audience` only names the binding in messages. */
export async function requestNativeToken(
  binding: NativeTokenBinding,
  audience: string,
  nowMs: number,
): Promise<IssuedToken> {
  const name = `the native token binding for ${JSON.stringify(audience)}`;
  let token: unknown;
  try {
    token = await binding.getToken();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new NativeTokenUnavailableError(
      `${name} failed in getToken(): ${message} (is the account enabled for oidc_tokens, and the binding deployed?)`,
      error,
    );
  }
  if (typeof token !== "string") {
    throw new NativeTokenInvalidError(`${name} answered getToken() with a ${typeof token}, not a compact JWT`);
  }
  const expiresAt = expiryOf(token, name);
  if (expiresAt * 1_000 <= nowMs) {
    throw new NativeTokenInvalidError(
      `${name} answered a token that expired ${Math.ceil(nowMs / 1_000 - expiresAt)} s ago; check this machine's clock`,
    );
  }
  return Object.freeze({ token, expiresAt });
}

/** The payload's `exp`, decoded without verifying; a NativeTokenInvalidError names what is wrong. */
export function expiryOf(token: string, name: string): number {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new NativeTokenInvalidError(`${name} answered something that is not a compact JWT (three base64url parts)`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64urlBytes(parts[1]!)));
  } catch {
    throw new NativeTokenInvalidError(`${name} answered a JWT whose payload is not UTF-8 JSON`);
  }
  const exp = typeof payload === "object" && payload !== null ? (payload as { exp?: unknown }).exp : undefined;
  if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= 0) {
    throw new NativeTokenInvalidError(
      `${name} answered a JWT without a numeric "exp", so the SDK cannot tell when to renew it`,
    );
  }
  return exp;
}

function base64urlBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
