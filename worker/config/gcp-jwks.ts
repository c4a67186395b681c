// `gcp.jwksJson`: the JWKS a GCP provider trusts inline, for an issuer GCP cannot reach. It is
// stack config, readable by everyone who can read the stack: public keys only, ever.

import { describeValue, type FieldReader, isPlainObject, parseJsonText, readString } from "./fields.js";
import { GCP_JWK_KEY_TYPES, JWK_PRIVATE_MEMBERS } from "./limits.js";

const SOURCE = "the body of the issuer's /.well-known/jwks.json";

export const readJwksJson: FieldReader<string> = (value, key, issues) => {
  const text = readString(value, key, issues, `the issuer's public JWKS as JSON text (${SOURCE})`);
  if (text === undefined) return undefined;
  if (text.trim() === "") {
    issues.add(key, `is empty; set it to ${SOURCE}, or remove it to let GCP fetch the keys from the issuer`);
    return undefined;
  }
  const jwks = parseJsonText(text, key, issues, `set it to ${SOURCE}, or remove it`);
  if (jwks === undefined) return undefined;
  const keys = isPlainObject(jwks) ? jwks.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) {
    issues.add(
      key,
      `is ${describeValue(jwks)}, but must be a JWKS with a non-empty "keys" list ({"keys": [...]}); ` +
        `set it to ${SOURCE}`,
    );
    return undefined;
  }
  return issues.checked(() => {
    keys.forEach((jwk: unknown, index) => {
      const problem = jwkProblem(jwk);
      if (problem !== undefined) issues.add(key, `has keys[${index}] ${problem}`);
    });
    return JSON.stringify(jwks);
  });
};

function jwkProblem(jwk: unknown): string | undefined {
  if (!isPlainObject(jwk)) return `${describeValue(jwk)}, which is not a JWK; set jwksJson to ${SOURCE}`;
  const secret = JWK_PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member));
  if (secret.length > 0) {
    const members = secret.map((member) => `'${member}'`).join(", ");
    return (
      `with the private member${secret.length === 1 ? "" : "s"} ${members}: a private or secret key, where GCP ` +
      `must be given public keys only. Replace jwksJson with ${SOURCE}, and treat that key as leaked: revoke it ` +
      "(npm run wid -- keys revoke <kid>)"
    );
  }
  const kty = jwk.kty;
  if (typeof kty !== "string" || !GCP_JWK_KEY_TYPES.includes(kty)) {
    return (
      `with kty ${describeValue(kty)}, but GCP accepts only ${GCP_JWK_KEY_TYPES.join(" and ")} keys; ` +
      `use ${SOURCE} (RS256 keys are RSA, ES256 keys are EC)`
    );
  }
  const kid = jwk.kid;
  if (typeof kid !== "string" || kid === "") {
    return `without a kid, which GCP needs to match a token's kid header; use ${SOURCE}, where every key has one`;
  }
  return undefined;
}
