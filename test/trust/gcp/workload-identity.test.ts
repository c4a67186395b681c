// The pure GCP builders: attribute mapping and condition, resource names, principals, service
// account emails, and console texts within GCP's limits even for the longest valid names.

import assert from "node:assert/strict";
import type { GcpSettings, IssuerSettings } from "../../../worker/config/types.js";
import {
  attributeCondition,
  attributeMapping,
  describePool,
  describeProvider,
  describeServiceAccount,
  principalInPool,
  serviceAccountEmail,
  serviceAccountResourceName,
} from "../../../worker/trust/gcp/workload-identity.js";
import { gcpSettings } from "../../support/gcp-settings.js";
import { issuerSettings } from "../../support/issuer-settings.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

const issuer: IssuerSettings = issuerSettings({
  accountId: ACCOUNT,
  environment: "production",
  issuerUrl: "https://id.example.com",
});

const gcp: GcpSettings = gcpSettings();

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/** The pool's resource name as GCP answers it (its `name` output): by project number. */
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/cf-workers";

describe("GCP workload identity builders", () => {
  describe("attributeMapping", () => {
    it("maps google.subject to sub and the identity claims to attributes, nothing else", () => {
      assert.deepEqual(attributeMapping(), {
        "google.subject": "assertion.sub",
        "attribute.account_id": "assertion.account_id",
        "attribute.worker": "assertion.worker",
        "attribute.environment": "assertion.environment",
      });
    });
  });

  describe("attributeCondition", () => {
    it("compares account_id with the account as a CEL string literal", () => {
      assert.equal(attributeCondition(ACCOUNT), `assertion.account_id == "${ACCOUNT}"`);
    });

    it("escapes quotes and backslashes so the value cannot end the literal", () => {
      assert.equal(attributeCondition('a"b\\c'), 'assertion.account_id == "a\\"b\\\\c"');
      assert.equal(attributeCondition('x" || true || "'), 'assertion.account_id == "x\\" || true || \\""');
    });

    it("escapes control and non-ASCII characters", () => {
      assert.equal(attributeCondition("a\nb"), 'assertion.account_id == "a\\u000ab"');
      assert.equal(attributeCondition("é"), 'assertion.account_id == "\\u00e9"');
      assert.equal(attributeCondition("😀"), 'assertion.account_id == "\\U0001f600"');
    });

    it("refuses an empty account id and malformed Unicode", () => {
      assert.throws(() => attributeCondition(""), TypeError);
      assert.throws(() => attributeCondition("a\ud800b"), TypeError);
    });
  });

  describe("resource names and principals", () => {
    it("names principals only in a pool's resource name, as GCP answers it (projects/<number>/...)", () => {
      assert.throws(
        () => principalInPool("projects/example-identity-dev/locations/global/workloadIdentityPools/cf-workers", "s"),
        /is not a pool's resource name/,
      );
      assert.throws(() => principalInPool(`${POOL}/providers/wid-issuer`, "s"), /is not a pool's resource name/);
    });

    it("builds the principal of exactly one subject", () => {
      assert.equal(
        principalInPool(POOL, `worker/${ACCOUNT}/billing`),
        `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/cf-workers/subject/worker/${ACCOUNT}/billing`,
      );
    });

    it("accepts a subject of 127 bytes and refuses 128 bytes or an empty one", () => {
      assert.ok(principalInPool(POOL, "s".repeat(127)).endsWith(`/subject/${"s".repeat(127)}`));
      assert.throws(() => principalInPool(POOL, "s".repeat(128)), RangeError);
      assert.throws(() => principalInPool(POOL, "é".repeat(64)), RangeError, "64 characters but 128 bytes");
      assert.throws(() => principalInPool(POOL, ""), RangeError);
    });

    it("fits the longest worker subject (63-character script name) into google.subject", () => {
      const subject = `worker/${ACCOUNT}/${"w".repeat(63)}`;
      assert.equal(byteLength(subject), 103);
      assert.ok(principalInPool(POOL, subject).endsWith(subject));
    });
  });

  describe("service accounts", () => {
    it("derives a created account's email from its id and the project", () => {
      const settings = { serviceAccount: { kind: "create", accountId: "wid-billing" }, projectRoles: [] } as const;
      assert.equal(serviceAccountEmail(gcp, settings), "wid-billing@acme-prod.iam.gserviceaccount.com");
    });

    it("uses an existing account's email as configured", () => {
      const settings = {
        serviceAccount: { kind: "existing", email: "legacy@other-proj.iam.gserviceaccount.com" },
        projectRoles: [],
      } as const;
      assert.equal(serviceAccountEmail(gcp, settings), "legacy@other-proj.iam.gserviceaccount.com");
    });

    it("addresses an account in the project its email names, else in the federation's project", () => {
      assert.equal(
        serviceAccountResourceName(gcp, "wid-billing@acme-prod.iam.gserviceaccount.com"),
        "projects/acme-prod/serviceAccounts/wid-billing@acme-prod.iam.gserviceaccount.com",
      );
      assert.equal(
        serviceAccountResourceName(gcp, "legacy@other-proj.iam.gserviceaccount.com"),
        "projects/other-proj/serviceAccounts/legacy@other-proj.iam.gserviceaccount.com",
      );
      assert.equal(
        serviceAccountResourceName(gcp, "123456789012-compute@developer.gserviceaccount.com"),
        "projects/acme-prod/serviceAccounts/123456789012-compute@developer.gserviceaccount.com",
      );
    });
  });

  describe("console texts", () => {
    it("tell a security engineer which issuer and account the pool and provider trust", () => {
      const pool = describePool(issuer, "prod");
      assert.equal(pool.displayName, "Cloudflare Workers prod");
      assert.match(pool.description, new RegExp(`account ${ACCOUNT}`));
      assert.ok(pool.description.includes("https://id.example.com"));
      assert.ok(pool.description.includes("production"));

      const provider = describeProvider(issuer);
      assert.equal(provider.displayName, "id.example.com");
      assert.ok(provider.description.includes("https://id.example.com"));
      assert.ok(provider.description.includes(`account_id ${ACCOUNT}`));
    });

    it("tell which Worker may impersonate a service account", () => {
      const text = describeServiceAccount(
        issuer,
        gcp,
        { name: "billing", subject: `worker/${ACCOUNT}/billing` },
        "prod",
      );
      assert.equal(text.displayName, "Cloudflare Worker billing");
      assert.ok(text.description.includes(`worker/${ACCOUNT}/billing`));
      assert.ok(text.description.includes("cf-workers"));
      assert.ok(text.description.includes("https://id.example.com"));
    });

    it("stay within GCP's limits for the longest valid names", () => {
      const longHost = `${Array.from({ length: 3 }, () => "h".repeat(63)).join(".")}.${"d".repeat(57)}.dev`;
      assert.equal(longHost.length, 253);
      const longIssuer: IssuerSettings = { ...issuer, issuerUrl: `https://${longHost}`, environment: "e".repeat(63) };
      const longGcp: GcpSettings = { ...gcp, poolId: "p".repeat(32), providerId: "q".repeat(32) };
      const longStack = "s".repeat(100);
      const workload = { name: "w".repeat(63), subject: `worker/${ACCOUNT}/${"w".repeat(63)}` };

      for (const [text, displayMax, descriptionMax] of [
        [describePool(longIssuer, longStack), 32, 256],
        [describeProvider(longIssuer), 32, 256],
        [describeServiceAccount(longIssuer, longGcp, workload, longStack), 100, 256],
      ] as const) {
        assert.ok(byteLength(text.displayName) <= displayMax, `${text.displayName} exceeds ${displayMax}`);
        assert.ok(byteLength(text.description) <= descriptionMax, `${text.description} exceeds ${descriptionMax}`);
        assert.ok(text.displayName.length > 0 && text.description.length > 0);
      }
      // The provider keeps the domain end of a hostname too long to show whole.
      assert.ok(describeProvider(longIssuer).displayName.endsWith(".dev"));
      // A 63-character Worker name still shows whole in the service account's display name.
      assert.ok(describeServiceAccount(longIssuer, longGcp, workload, longStack).displayName.includes(workload.name));
    });
  });
});
