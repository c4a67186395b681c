// The `access` stack key (Cloudflare Access in front of the operator page): what resolves, and one
// broken field per test, each asserting the issue's key and that its message names the fix. The
// tag and team domain below are written by hand in the forms the Zero Trust dashboard shows.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { checkRuntimeConfig } from "../../worker/runtime-config/check.js";
import { runtimeConfigOf } from "../../worker/runtime-config/compute.js";
import { expectOneIssue, happyRaw, OPTIONS, PROJECT, withKey } from "./fixtures.js";

const key = (path: string) => `${PROJECT}:${path}`;
const TEAM = "https://example-team.cloudflareaccess.com";
const TAG = "32eafc7626e974616deaf0dc3ce63d7bcbed58a2731e84d06bc3cdf1b53c4228";

const withAccess = (value: unknown) => withKey("access", value);
const accessOf = (value: unknown) => validateStackConfig(withAccess(value), OPTIONS).access;

describe("validateStackConfig: access, what resolves", () => {
  it("is absent unless written: only the admin token opens the operator page", () => {
    assert.equal(validateStackConfig(happyRaw(), OPTIONS).access, undefined);
  });

  it("the team domain and the AUD tag, as written", () => {
    assert.deepEqual(accessOf({ teamDomain: TEAM, audience: TAG }), { teamDomain: TEAM, audience: TAG });
  });

  it("as JSON text (pulumi config set), with a trailing '/' and upper case in the host dropped", () => {
    const text = JSON.stringify({ teamDomain: "https://Example-Team.cloudflareaccess.com/", audience: TAG });
    assert.deepEqual(accessOf(text), { teamDomain: TEAM, audience: TAG });
  });

  it("travels into the runtime config the issuer checks", () => {
    const config = validateStackConfig(withAccess({ teamDomain: TEAM, audience: TAG }), OPTIONS);
    const runtime = checkRuntimeConfig(JSON.parse(JSON.stringify(runtimeConfigOf(config, {}))));
    assert.deepEqual(runtime.access, { teamDomain: TEAM, audience: TAG });
  });
});

describe("validateStackConfig: access, refused", () => {
  it("an empty key", () => {
    expectOneIssue(withAccess(null), key("access"), /is empty; write access: \{teamDomain: .*or delete the line/);
  });

  it("a list, or text that is not JSON", () => {
    expectOneIssue(withAccess([TEAM, TAG]), key("access"), /is a list, but must be a map like \{teamDomain/);
    expectOneIssue(withAccess("{teamDomain"), key("access"), /not valid JSON/);
  });

  it("a missing team domain or tag, each named with the command that sets it", () => {
    expectOneIssue(
      withAccess({ audience: TAG }),
      key("access.teamDomain"),
      /pulumi config set --path access.teamDomain/,
    );
    expectOneIssue(withAccess({ teamDomain: TEAM }), key("access.audience"), /Application Audience \(AUD\) tag/);
  });

  it("an unknown field, with a suggestion", () => {
    expectOneIssue(withAccess({ teamDomain: TEAM, audience: TAG, aud: TAG }), key("access.aud"), /audience/);
  });

  it("a bare team name, or a host without https://", () => {
    expectOneIssue(
      withAccess({ teamDomain: "example-team", audience: TAG }),
      key("access.teamDomain"),
      /write it 'https:\/\/example-team\.cloudflareaccess\.com'/,
    );
    expectOneIssue(
      withAccess({ teamDomain: "example-team.cloudflareaccess.com", audience: TAG }),
      key("access.teamDomain"),
      /write it 'https:\/\/example-team\.cloudflareaccess\.com'/,
    );
  });

  it("a host that is not <team>.cloudflareaccess.com, look-alikes included", () => {
    for (const teamDomain of [
      "https://example-team.cloudflareaccess.com.evil.example",
      "https://evilcloudflareaccess.com",
      "https://cloudflareaccess.com",
      "https://a.b.cloudflareaccess.com",
      "https://id.example.dev",
    ]) {
      expectOneIssue(
        withAccess({ teamDomain, audience: TAG }),
        key("access.teamDomain"),
        /is not <team>\.cloudflareaccess\.com/,
      );
    }
  });

  it("http, a port or credentials: iss is compared exactly", () => {
    for (const teamDomain of [
      "http://example-team.cloudflareaccess.com",
      "https://example-team.cloudflareaccess.com:8443",
      "https://user:pw@example-team.cloudflareaccess.com",
    ]) {
      expectOneIssue(
        withAccess({ teamDomain, audience: TAG }),
        key("access.teamDomain"),
        /name their issuer exactly 'https:\/\/example-team\.cloudflareaccess\.com'; write that/,
      );
    }
  });

  it("the certs URL instead of the team domain", () => {
    expectOneIssue(
      withAccess({ teamDomain: `${TEAM}/cdn-cgi/access/certs`, audience: TAG }),
      key("access.teamDomain"),
      /reads \/cdn-cgi\/access\/certs there itself\); write 'https:\/\/example-team\.cloudflareaccess\.com'/,
    );
  });

  it("a tag in upper case, one of the wrong length, and one that is not hex", () => {
    expectOneIssue(
      withAccess({ teamDomain: TEAM, audience: TAG.toUpperCase() }),
      key("access.audience"),
      new RegExp(`must be written '${TAG}'`),
    );
    expectOneIssue(withAccess({ teamDomain: TEAM, audience: TAG.slice(1) }), key("access.audience"), /63 characters/);
    expectOneIssue(
      withAccess({ teamDomain: TEAM, audience: `${"g".repeat(64)}` }),
      key("access.audience"),
      /64 hex characters; copy it from the Access application's Overview/,
    );
    expectOneIssue(withAccess({ teamDomain: TEAM, audience: 42 }), key("access.audience"), /quote it/);
  });
});
