// The wrangler snippets a workload team pastes: the JSONC and the TOML must say the same thing,
// as wrangler reads each (JSONC: JSON after its comment line; TOML: a real TOML parser), however
// the values are spelled.

import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { type WranglerFragment, wranglerSnippets } from "../../infra/cloudflare/wrangler-config.js";

const FRAGMENT: WranglerFragment = {
  worker: "billing",
  services: [{ binding: "ISSUER", service: "worker-identity", entrypoint: "Workload_billing" }],
  vars: {
    AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/wid-billing",
    ODD: 'a "quoted" \\ back\nslash, tab\t and é',
    GCP_CREDENTIAL_CONFIGURATION: { type: "external_account", "token.url": "https://sts.googleapis.com/v1/token" },
  },
  mtlsCertificates: [{ binding: "MTLS", certificate_id: "cert-0123" }],
};

/** What wrangler sees: the object both formats must carry (written out here, not derived). */
const EXPECTED = {
  services: [{ binding: "ISSUER", service: "worker-identity", entrypoint: "Workload_billing" }],
  vars: {
    AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/wid-billing",
    ODD: 'a "quoted" \\ back\nslash, tab\t and é',
    GCP_CREDENTIAL_CONFIGURATION: { type: "external_account", "token.url": "https://sts.googleapis.com/v1/token" },
  },
  mtls_certificates: [{ binding: "MTLS", certificate_id: "cert-0123" }],
};

/** TOML as plain objects (the parser builds null-prototype ones). */
function readToml(text: string): unknown {
  return JSON.parse(JSON.stringify(parseToml(text)));
}

function readJsonc(text: string): unknown {
  const [comment, ...rest] = text.split("\n");
  assert.match(comment!, /^\/\/ wrangler\.jsonc of the Worker "billing"/);
  return JSON.parse(rest.join("\n"));
}

describe("wrangler snippets", () => {
  it("carries the same binding, vars and certificate in JSONC and in TOML", () => {
    const { jsonc, toml } = wranglerSnippets(FRAGMENT);
    assert.deepEqual(readJsonc(jsonc), EXPECTED);
    assert.deepEqual(readToml(toml), EXPECTED);
    assert.match(toml, /^# wrangler\.toml of the Worker "billing"/);
  });

  it("leaves out vars and mtls_certificates when the workload has none", () => {
    const { jsonc, toml } = wranglerSnippets({ ...FRAGMENT, vars: {}, mtlsCertificates: [] });
    const bindingOnly = { services: EXPECTED.services };
    assert.deepEqual(readJsonc(jsonc), bindingOnly);
    assert.deepEqual(readToml(toml), bindingOnly);
  });
});
