// Authentication of the admin API: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant
// time over digests (so neither length nor content leaks through timing).

import { secretsEqual } from "../http/secret-compare.js";

export type AdminAuthResult = "ok" | "disabled" | "missing" | "invalid";

const MIN_ADMIN_TOKEN_LENGTH = 32;

export async function authenticateAdmin(request: Request, adminToken: string | undefined): Promise<AdminAuthResult> {
  if (adminToken === undefined || adminToken.length < MIN_ADMIN_TOKEN_LENGTH) return "disabled";
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer ([\x21-\x7e]+)$/.exec(header) : null;
  if (!match?.[1]) return "missing";
  return (await secretsEqual(match[1], adminToken)) ? "ok" : "invalid";
}

export { MIN_ADMIN_TOKEN_LENGTH };
