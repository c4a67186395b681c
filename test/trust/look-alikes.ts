// The look-alike claims the trust tests judge with independent engines (the IAM simulator, the
// CEL engine), generated in one place so test/explain/agreement.test.ts runs every one of them
// through wid explain's evaluators too. Each generator says what it varies; none says what the
// answer is (each test decides that from its engine or its own rule).

import type { JWTPayload } from "jose";

/** Subjects one edit away from `subject`: what an exact match must refuse (test/console-trust). */
export function subjectLookAlikes(subject: string): string[] {
  return [
    `${subject}-2`,
    `${subject}/`,
    subject.slice(0, -1),
    subject.toUpperCase(),
    ` ${subject}`,
    `${subject}\u0000`,
    subject.replace(/\/[^/]+$/, "/*"),
    subject.replace(/^worker\/[0-9a-f]{32}/, `worker/${"f".repeat(32)}`),
  ];
}

/** A native subject's look-alikes (test/infra/end-to-end-native-trust.test.ts). */
export function nativeSubjectLookAlikes(subject: string): string[] {
  return [`${subject}0`, subject.slice(0, -1), subject.toUpperCase()];
}

/** account_id values that are not `accountId`, of its type and of others (test/trust/gcp/cel-evaluation.test.ts). */
export function accountIdLookAlikes(accountId: string): {
  readonly sameType: string[];
  readonly otherTypes: unknown[];
} {
  return {
    sameType: ["f".repeat(32), accountId.toUpperCase(), `${accountId} `, ""],
    otherTypes: [[accountId], { id: accountId }, 123, true, null],
  };
}

/** An OIDC provider of another issuer in the same account (test/trust/aws/trust-simulation.test.ts). */
export const OTHER_ISSUER_HOST = "token.actions.githubusercontent.com";

/** A token as a relying party sees it, with the workload it must open (or undefined: nothing). */
export interface LabelledClaims {
  readonly label: string;
  readonly claims: Record<string, unknown> & { iss: string; sub: string; aud: string };
  readonly owner: string | undefined;
}

/** Worker-identity tokens forged to carry a native subject: the issuer never mints one (end-to-end-native-trust). */
export function forgedNativeSubjectTokens(
  claims: LabelledClaims["claims"],
  nativeSubject: string,
  audiences: { readonly aws: string; readonly gcp: string },
): LabelledClaims[] {
  return [
    {
      label: "a worker-identity token with billing's native subject",
      claims: { ...claims, sub: nativeSubject, aud: audiences.aws },
      owner: undefined,
    },
    {
      label: "a worker-identity token with billing's native subject, for GCP",
      claims: { ...claims, sub: nativeSubject, aud: audiences.gcp },
      owner: undefined,
    },
  ];
}

/**
 * Per native workload: its native token per audience, and that token from another native issuer,
 * from the worker-identity issuer, with look-alike subjects, and for another audience.
 */
export function nativeTokenCorpus(
  native: Readonly<Record<string, { readonly subject: string; readonly audiences: readonly string[] }>>,
  issuers: { readonly native: string; readonly otherNative: string; readonly own: string; readonly account: string },
): LabelledClaims[] {
  const tokens: LabelledClaims[] = [];
  for (const [name, settings] of Object.entries(native)) {
    for (const aud of settings.audiences) {
      const claims = { iss: issuers.native, sub: settings.subject, aud };
      tokens.push({ label: `${name}'s native token for ${aud}`, claims, owner: name });
      tokens.push({
        label: `${name}'s native sub from another native issuer (${aud})`,
        claims: { ...claims, iss: issuers.otherNative },
        owner: undefined,
      });
      tokens.push({
        label: `${name}'s native sub from the worker-identity issuer (${aud})`,
        claims: { ...claims, iss: issuers.own, account_id: issuers.account },
        owner: undefined,
      });
      for (const lookAlike of nativeSubjectLookAlikes(settings.subject)) {
        tokens.push({
          label: `a look-alike ${lookAlike} (${aud})`,
          claims: { ...claims, sub: lookAlike },
          owner: undefined,
        });
      }
    }
    tokens.push({
      label: `${name}'s native token for another audience`,
      claims: { iss: issuers.native, sub: settings.subject, aud: "https://api.internal.example.dev" },
      owner: undefined,
    });
  }
  return tokens;
}

/** Every look-alike of one genuine token's claims: subjects, issuers, audiences, account ids, missing claims. */
export function claimLookAlikes(claims: JWTPayload, otherAudience: string): { label: string; claims: JWTPayload }[] {
  const sub = String(claims.sub);
  const iss = String(claims.iss);
  const { sub: _sub, ...withoutSubject } = claims;
  const { aud: _aud, ...withoutAudience } = claims;
  const { account_id: _account, ...withoutAccount } = claims;
  const accounts = accountIdLookAlikes(String(claims.account_id));
  return [
    ...subjectLookAlikes(sub).map((s) => ({ label: `sub ${JSON.stringify(s)}`, claims: { ...claims, sub: s } })),
    ...[`https://${OTHER_ISSUER_HOST}`, `${iss}/`, iss.toUpperCase(), iss.replace("https:", "http:")].map((i) => ({
      label: `iss ${i}`,
      claims: { ...claims, iss: i },
    })),
    { label: `aud ${otherAudience}`, claims: { ...claims, aud: otherAudience } },
    { label: "aud in upper case", claims: { ...claims, aud: String(claims.aud).toUpperCase() } },
    ...[...accounts.sameType, ...accounts.otherTypes].map((a) => ({
      label: `account_id ${JSON.stringify(a)}`,
      claims: { ...claims, account_id: a } as JWTPayload,
    })),
    { label: "no sub", claims: withoutSubject },
    { label: "no aud", claims: withoutAudience },
    { label: "no account_id", claims: withoutAccount },
  ];
}
