// The Cloudflare fake refuses what the Workers API refuses, in its words, naming the limit: text
// variables over 5 KB, more than 128 of them, a script over 10 MB gzip-compressed, binding names
// that are not JavaScript identifiers, unknown binding types, a migration that does not start at
// the script's tag (10079), a binding to an unmigrated class; and mTLS certificates that do not
// parse or come without their key.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { issueCertificate } from "../../../worker/mtls-ca/certificate.js";
import { deriveKeyPair } from "../../../worker/mtls-ca/keys.js";
import { FakeCloud } from "./engine.js";
import type { Properties } from "./model.js";
import { refused } from "./refusal-assert.js";
import { declare, freshDeploy, NOW } from "./register.js";

const SCRIPT = "cloudflare:index/workersScript:WorkersScript";
const MTLS = "cloudflare:index/mtlsCertificate:MtlsCertificate";
const ACCOUNT = "0123456789abcdef0123456789abcdef";

const script = (change: Properties = {}): Properties => ({
  accountId: ACCOUNT,
  scriptName: "issuer",
  content: "export default {}",
  mainModule: "index.js",
  bindings: [{ type: "plain_text", name: "CONFIG", text: "{}" }],
  ...change,
});

describe("fake Cloudflare: WorkersScript", () => {
  it("accepts a modest script, with an etag of its content (the same content, the same etag) and no Durable Object classes", () => {
    const state = declare(freshDeploy(), SCRIPT, "s", script());
    assert.deepEqual(state.durableObjectClasses, []);
    assert.equal(declare(freshDeploy(), SCRIPT, "s", script()).etag, state.etag);
    assert.notEqual(
      declare(freshDeploy(), SCRIPT, "s", script({ content: "export default { fetch() {} }" })).etag,
      state.etag,
    );
  });

  it("refuses a text variable over 5 KB (5,120 bytes), counting UTF-8 bytes, and accepts one of exactly 5,120", () => {
    declare(
      freshDeploy(),
      SCRIPT,
      "s",
      script({ bindings: [{ type: "plain_text", name: "A", text: "x".repeat(5_120) }] }),
    );
    const refusal = refused(
      () =>
        declare(
          freshDeploy(),
          SCRIPT,
          "s",
          script({ bindings: [{ type: "secret_text", name: "A", text: "é".repeat(2_561) }] }),
        ),
      /the variable A \(secret_text\) is 5122 bytes; at most 5120 allowed/,
    );
    assert.match(refusal.source, /Workers limits page/);
  });

  it("refuses a 129th environment variable (128 per Worker)", () => {
    const vars = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "plain_text", name: `V${i}`, text: "1" }));
    declare(freshDeploy(), SCRIPT, "s", script({ bindings: vars(128) }));
    refused(
      () => declare(freshDeploy(), SCRIPT, "s", script({ bindings: vars(129) })),
      /environment variables is 129 variables; at most 128/,
    );
  });

  it("refuses a script over 10 MB once gzip-compressed, and accepts a larger one that compresses", function () {
    this.timeout(20_000);
    declare(freshDeploy(), SCRIPT, "s", script({ content: "a".repeat(12 * 1_024 * 1_024) }));
    const incompressible = randomBytes(11 * 1_024 * 1_024).toString("base64");
    refused(
      () => declare(freshDeploy(), SCRIPT, "s", script({ content: incompressible })),
      /the script \(gzip-compressed\) is \d+ bytes; at most 10485760/,
    );
  });

  for (const name of ["ISSUER-CONFIG", "1ST", "has space", ""]) {
    it(`refuses the binding name ${JSON.stringify(name)} (not a JavaScript identifier)`, () => {
      refused(
        () => declare(freshDeploy(), SCRIPT, "s", script({ bindings: [{ type: "plain_text", name, text: "" }] })),
        name === "" ? /name is required/ : /does not match/,
      );
    });
  }

  it("refuses a binding name used twice and an unknown binding type", () => {
    const twice = [
      { type: "plain_text", name: "A", text: "" },
      { type: "secret_text", name: "A", text: "" },
    ];
    refused(() => declare(freshDeploy(), SCRIPT, "s", script({ bindings: twice })), /'A' is bound twice/);
    refused(
      () => declare(freshDeploy(), SCRIPT, "s", script({ bindings: [{ type: "kv", name: "A" }] })),
      /unknown binding type 'kv'/,
    );
  });

  it("refuses an account id that is not 32 hex digits", () => {
    refused(
      () => declare(freshDeploy(), SCRIPT, "s", script({ accountId: "acct-1" })),
      /accountId "acct-1" does not match/,
    );
  });

  describe("Durable Object migrations", () => {
    const withStore = (migrations?: Properties) =>
      script({
        bindings: [{ type: "durable_object_namespace", name: "STORE", className: "Store" }],
        ...(migrations ? { migrations } : {}),
      });

    it("refuses a binding to a class no migration created (10061)", () => {
      refused(
        () => declare(freshDeploy(), SCRIPT, "s", withStore()),
        /Cannot create binding for class 'Store'.*\[code: 10061\]/,
      );
    });

    it("applies a tag, then refuses the same migration again (10079) and accepts none or one from the current tag", () => {
      const cloud = new FakeCloud();
      const first = freshDeploy(cloud);
      declare(first, SCRIPT, "s", withStore({ newTag: "v1", newSqliteClasses: ["Store"] }));
      first.finish();
      refused(
        () => declare(freshDeploy(cloud), SCRIPT, "s", withStore({ newTag: "v1", newSqliteClasses: ["Store"] })),
        /Migration tag precondition failed; current tag is v1.*\[code: 10079\]/,
      );
      declare(freshDeploy(cloud), SCRIPT, "s", withStore());
      const state = declare(
        freshDeploy(cloud),
        SCRIPT,
        "s",
        withStore({ oldTag: "v1", newTag: "v2", newClasses: ["Other"] }),
      );
      assert.equal(state.migrationTag, "v2");
    });

    it("refuses an oldTag on a script that has no tag", () => {
      refused(
        () =>
          declare(freshDeploy(), SCRIPT, "s", withStore({ oldTag: "v1", newTag: "v2", newSqliteClasses: ["Store"] })),
        /current tag is \(none\), the upload's old_tag is v1/,
      );
    });
  });

  it("answers getWorkersScripts with each script's id and migration tag as the last deploy left them", () => {
    const cloud = new FakeCloud();
    const deploy = freshDeploy(cloud);
    declare(deploy, SCRIPT, "s", script({ migrations: { newTag: "v1", newClasses: ["A"] } }));
    declare(deploy, SCRIPT, "t", script({ scriptName: "plain" }));
    assert.deepEqual(
      deploy.call({ token: "cloudflare:index/getWorkersScripts:getWorkersScripts", inputs: { accountId: ACCOUNT } })
        .results,
      [],
      "not before the deploy commits",
    );
    deploy.finish();
    const results = freshDeploy(cloud).call({
      token: "cloudflare:index/getWorkersScripts:getWorkersScripts",
      inputs: { accountId: ACCOUNT },
    }).results as Properties[];
    assert.deepEqual(
      results.map((r) => [r.id, r.migrationTag]),
      [
        ["issuer", "v1"],
        ["plain", undefined],
      ],
    );
  });

  it("refuses a custom domain for a Worker the account does not have", () => {
    refused(
      () =>
        declare(freshDeploy(), "cloudflare:index/workersCustomDomain:WorkersCustomDomain", "d", {
          accountId: ACCOUNT,
          hostname: "id.example.dev",
          service: "ghost",
        }),
      /script_not_found.*'ghost'/,
    );
  });
});

describe("fake Cloudflare: MtlsCertificate", () => {
  const key = deriveKeyPair(new Uint8Array(32).fill(7), "fake-test");
  const other = deriveKeyPair(new Uint8Array(32).fill(8), "fake-test");
  const pem = issueCertificate({
    serialNumber: new Uint8Array(16).fill(0x41),
    subject: { organization: "t", organizationalUnit: "u", commonName: "client" },
    subjectKey: key,
    notBefore: new Date(NOW - 86_400_000),
    notAfter: new Date(NOW + 30 * 86_400_000),
    kind: "client",
    uri: "spiffe://example.dev/worker/a/client",
  }).pem;
  const upload = (change: Properties = {}) => ({
    accountId: ACCOUNT,
    ca: false,
    name: "c",
    certificates: pem,
    privateKey: key.privateKeyPem,
    ...change,
  });

  it("accepts a certificate with its key and answers its expiry", () => {
    const state = declare(freshDeploy(), MTLS, "c", upload());
    assert.equal(state.expiresOn, new Date(NOW + 30 * 86_400_000).toISOString());
  });

  it("refuses a PEM that is not a certificate, a missing key and another certificate's key", () => {
    refused(() => declare(freshDeploy(), MTLS, "c", upload({ certificates: "hello" })), /no PEM certificate found/);
    refused(
      () =>
        declare(
          freshDeploy(),
          MTLS,
          "c",
          upload({ certificates: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }),
        ),
      /does not parse/,
    );
    refused(
      () => declare(freshDeploy(), MTLS, "c", upload({ privateKey: undefined })),
      /privateKey is required for a client certificate/,
    );
    refused(
      () => declare(freshDeploy(), MTLS, "c", upload({ privateKey: other.privateKeyPem })),
      /not the key of the first certificate/,
    );
  });
});
