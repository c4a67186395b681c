// Cloudflare Access in front of the operator page: the stack's `access` key (access-settings.ts),
// read and checked here. The team domain is the Access JWTs' `iss` exactly and where their keys
// are (`<teamDomain>/cdn-cgi/access/certs`); the audience is the Access application's AUD tag.

import type { AccessSettings } from "./access-settings.js";
import { describeValue, type FieldReader, readMapSection, readString } from "./fields.js";
import type { IssueCollector } from "./issues.js";

/** `<team>.cloudflareaccess.com`: every Zero Trust organization's team domain has this form. */
const ACCESS_DOMAIN = "cloudflareaccess.com";
/** A team name as Zero Trust takes it: letters, digits and hyphens, not at either end. */
const TEAM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** The Application Audience (AUD) tag Access shows on the application's Overview: 64 lowercase hex. */
const AUD_TAG = /^[0-9a-f]{64}$/;

const TEAM_DOMAIN_RULE = `https://<team>.${ACCESS_DOMAIN}, your Zero Trust organization's team domain`;

const ACCESS_FIELDS = {
  teamDomain: {
    read: readTeamDomain,
    required: `is missing; set it to your Zero Trust team domain: pulumi config set --path access.teamDomain https://<team>.${ACCESS_DOMAIN}`,
  },
  audience: {
    read: readAudienceTag,
    required:
      "is missing; set it to the Access application's Application Audience (AUD) tag (64 hex characters, on the " +
      "application's Overview in Zero Trust): pulumi config set --path access.audience <tag>",
  },
} as const;

/** The `access` stack key. */
export const readAccessSettings: FieldReader<AccessSettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, ACCESS_FIELDS, {
    what: "an access setting",
    jsonText: true,
    shape: `a map like {teamDomain: https://<team>.${ACCESS_DOMAIN}, audience: <AUD tag>}`,
  });
  if (fields === undefined || fields.teamDomain === undefined || fields.audience === undefined) return undefined;
  return { teamDomain: fields.teamDomain, audience: fields.audience };
};

export const ACCESS_STACK_KEY_EMPTY =
  `is empty; write access: {teamDomain: https://<team>.${ACCESS_DOMAIN}, audience: <AUD tag>} to admit ` +
  "Cloudflare Access users to the operator page, or delete the line (the admin token still opens it)";

/** The team domain as Access writes `iss`: https, the team's host, nothing else (a trailing slash is dropped). */
function readTeamDomain(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, TEAM_DOMAIN_RULE);
  if (text === undefined) return undefined;
  const bareTeam = TEAM_NAME.test(text.toLowerCase()) ? text.toLowerCase() : undefined;
  let url: URL | undefined;
  try {
    url = bareTeam === undefined ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    const fix =
      bareTeam !== undefined
        ? `write it 'https://${bareTeam}.${ACCESS_DOMAIN}'`
        : /^[\w.-]+$/.test(text)
          ? `write it 'https://${text}'`
          : `e.g. https://example-team.${ACCESS_DOMAIN}`;
    issues.add(key, `is ${describeValue(text)}, but must be ${TEAM_DOMAIN_RULE}; ${fix}`);
    return undefined;
  }
  const host = url.hostname;
  const team = host.endsWith(`.${ACCESS_DOMAIN}`) ? host.slice(0, -ACCESS_DOMAIN.length - 1) : undefined;
  if (team === undefined || !TEAM_NAME.test(team)) {
    issues.add(
      key,
      `is ${describeValue(text)}, whose host is not <team>.${ACCESS_DOMAIN}: Access signs its JWTs with the ` +
        `team domain as iss and serves their keys there; copy the team domain from Zero Trust (https://<team>.${ACCESS_DOMAIN})`,
    );
    return undefined;
  }
  const origin = `https://${host}`;
  if (url.protocol !== "https:" || url.port !== "" || url.username !== "" || url.password !== "") {
    issues.add(key, `is ${describeValue(text)}, but Access JWTs name their issuer exactly '${origin}'; write that`);
    return undefined;
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    const hint = url.pathname.startsWith("/cdn-cgi") ? " (the issuer reads /cdn-cgi/access/certs there itself)" : "";
    issues.add(
      key,
      `is ${describeValue(text)}, but must be the team domain without a path or query${hint}; write '${origin}'`,
    );
    return undefined;
  }
  return origin;
}

function readAudienceTag(value: unknown, key: string, issues: IssueCollector): string | undefined {
  const text = readString(value, key, issues, "the Access application's AUD tag, 64 hex characters");
  if (text === undefined) return undefined;
  if (AUD_TAG.test(text)) return text;
  const trimmed = text.trim().toLowerCase();
  if (AUD_TAG.test(trimmed)) {
    issues.add(key, `must be written '${trimmed}': Access writes the tag in lowercase, and aud is compared exactly`);
    return undefined;
  }
  issues.add(
    key,
    `is ${text.length} characters that are not the Application Audience (AUD) tag, which is 64 hex characters; ` +
      "copy it from the Access application's Overview in Zero Trust (not the application's id or its domain)",
  );
  return undefined;
}
