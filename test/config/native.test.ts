import assert from "node:assert/strict";
import { nativeSubjectCondition } from "../../worker/config/native.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import {
  CLOUD_AWS_AUDIENCE,
  CLOUD_GCP_AUDIENCE,
  cloudRaw,
  cloudWithKey,
  cloudWithWorkload,
  key,
} from "./cloud-fixtures.js";
import { ACCOUNT_ID, expectOneIssue, issuesOf, OPTIONS } from "./fixtures.js";

/** The form is not public: an https URL with a path stands for whatever wrangler deploy prints. */
const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/0123";
const BILLING_SUBJECT = "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f";
const LEDGER_SUBJECT = "cf:worker:11111111-2222-4333-8444-555555555555";

function nativeOf(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: NATIVE_ISSUER,
    subject: BILLING_SUBJECT,
    audiences: [CLOUD_AWS_AUDIENCE, CLOUD_GCP_AUDIENCE],
    ...overrides,
  };
}

/** billing (aws and gcp) with a native section; `edit` changes it. */
function withNative(edit: (native: Record<string, unknown>) => void, workload = "billing"): Record<string, unknown> {
  return cloudWithWorkload(workload, (settings) => {
    const native = nativeOf();
    edit(native);
    settings.native = native;
  });
}

const nativeKey = (field: string, workload = "billing") => key(`workloads.${workload}.native.${field}`);

describe("validateStackConfig: a workload's native section", () => {
  it("resolves the issuer, subject, sorted audiences and jwksUri as written", () => {
    const config = validateStackConfig(
      withNative((native) => {
        native.audiences = [CLOUD_GCP_AUDIENCE, CLOUD_AWS_AUDIENCE, "https://api.example.dev"];
        native.jwksUri = "https://oidc.cloudflare.example/accounts/0123/jwks";
      }),
      OPTIONS,
    );
    const billing = config.workloads.find((w) => w.name === "billing");
    assert.deepEqual(billing?.native, {
      issuer: NATIVE_ISSUER,
      subject: BILLING_SUBJECT,
      audiences: [CLOUD_GCP_AUDIENCE, "https://api.example.dev", CLOUD_AWS_AUDIENCE].sort(),
      jwksUri: "https://oidc.cloudflare.example/accounts/0123/jwks",
    });
    assert.equal(billing?.subject, `worker/${ACCOUNT_ID}/billing`);
    assert.equal(
      config.workloads.find((w) => w.name === "ledger-sync")?.native,
      undefined,
      "a workload without native has none",
    );
  });

  /** [title, edit of billing's native section, the key, the fix]. */
  const ISSUES: readonly [string, (native: Record<string, unknown>) => void, string, RegExp][] = [
    [
      "an unknown field, with a suggestion",
      (n) => (n.audience = ["x"]),
      nativeKey("audience"),
      /did you mean 'audiences'\?/,
    ],
    ["a missing issuer", (n) => delete n.issuer, nativeKey("issuer"), /copy the issuer wrangler deploy printed/],
    ["a missing subject", (n) => delete n.subject, nativeKey("subject"), /copy the subject wrangler deploy printed/],
    [
      "missing audiences",
      (n) => delete n.audiences,
      nativeKey("audiences"),
      /list the audiences this Worker's oidc_tokens/,
    ],
    ["an http issuer", (n) => (n.issuer = "http://oidc.cloudflare.example"), nativeKey("issuer"), /only https issuers/],
    ["an issuer that is not a URL", (n) => (n.issuer = "oidc.cloudflare.example"), nativeKey("issuer"), /not a URL/],
    [
      "an issuer with a trailing slash",
      (n) => (n.issuer = `${NATIVE_ISSUER}/`),
      nativeKey("issuer"),
      /remove the trailing slash: 'https:\/\/oidc\.cloudflare\.example\/accounts\/0123'/,
    ],
    [
      "an issuer with a query",
      (n) => (n.issuer = `${NATIVE_ISSUER}?a=1`),
      nativeKey("issuer"),
      /has a query.*remove it/,
    ],
    ["an issuer with a fragment", (n) => (n.issuer = `${NATIVE_ISSUER}#x`), nativeKey("issuer"), /has a fragment/],
    [
      "an issuer with a port",
      (n) => (n.issuer = "https://oidc.cloudflare.example:8443/a"),
      nativeKey("issuer"),
      /names a port/,
    ],
    [
      "an issuer with surrounding whitespace",
      (n) => (n.issuer = ` ${NATIVE_ISSUER}`),
      nativeKey("issuer"),
      /whitespace.*write 'https:\/\/oidc/,
    ],
    [
      "an issuer not written as its URL",
      (n) => (n.issuer = "https://OIDC.cloudflare.example/a"),
      nativeKey("issuer"),
      /write it exactly as iss has it/,
    ],
    [
      "this stack's own issuer",
      (n) => (n.issuer = "https://id.example.dev"),
      nativeKey("issuer"),
      /this stack's own issuer \(https:\/\/id\.example\.dev\)/,
    ],
    ["an empty subject", (n) => (n.subject = ""), nativeKey("subject"), /is empty; copy the subject/],
    ["a subject with '*'", (n) => (n.subject = "cf:worker:*"), nativeKey("subject"), /'\*' or '\?'.*never a pattern/],
    ["a subject with '?'", (n) => (n.subject = "cf:worker:?"), nativeKey("subject"), /'\*' or '\?'/],
    ["a subject with whitespace", (n) => (n.subject = `${BILLING_SUBJECT} `), nativeKey("subject"), /whitespace/],
    ["a subject that is not ASCII", (n) => (n.subject = "cf:wörker"), nativeKey("subject"), /not printable ASCII/],
    [
      "a subject in this issuer's own worker/ form",
      (n) => (n.subject = `worker/${ACCOUNT_ID}/ledger-sync`),
      nativeKey("subject"),
      /starts with 'worker\/0123456789abcdef0123456789abcdef\/'/,
    ],
    [
      "a subject in this issuer's own workflow/ form",
      (n) => (n.subject = `workflow/${ACCOUNT_ID}/nightly/1`),
      nativeKey("subject"),
      /starts with 'workflow\//,
    ],
    [
      "a subject over GCP's 127 bytes, for a workload with gcp",
      (n) => (n.subject = `cf:${"a".repeat(125)}`),
      nativeKey("subject"),
      /128 bytes, more than GCP's 127-byte google\.subject/,
    ],
    ["audiences as a string", (n) => (n.audiences = CLOUD_AWS_AUDIENCE), nativeKey("audiences"), /write it as a list/],
    ["empty audiences", (n) => (n.audiences = []), nativeKey("audiences"), /is empty; list the audience/],
    [
      "a repeated audience",
      (n) => (n.audiences = [CLOUD_AWS_AUDIENCE, CLOUD_GCP_AUDIENCE, CLOUD_AWS_AUDIENCE]),
      nativeKey("audiences[2]"),
      /repeats audiences\[0\]/,
    ],
    [
      "an audience with whitespace",
      (n) => (n.audiences = [CLOUD_AWS_AUDIENCE, CLOUD_GCP_AUDIENCE, "a b"]),
      nativeKey("audiences[2]"),
      /printable ASCII without whitespace/,
    ],
    [
      "an audience over 2048 characters",
      (n) => (n.audiences = [CLOUD_AWS_AUDIENCE, CLOUD_GCP_AUDIENCE, "a".repeat(2049)]),
      nativeKey("audiences[2]"),
      /2049 characters long, more than the 2048/,
    ],
    [
      "audiences without the AWS audience, for a workload with aws",
      (n) => (n.audiences = [CLOUD_GCP_AUDIENCE]),
      nativeKey("audiences"),
      /does not list the AWS audience 'aws-sts\.id\.example\.dev'/,
    ],
    [
      "audiences without the GCP provider's audience, for a workload with gcp",
      (n) => (n.audiences = [CLOUD_AWS_AUDIENCE]),
      nativeKey("audiences"),
      /does not list the GCP provider's audience '\/\/iam\.googleapis\.com\/projects\/987654321098/,
    ],
    [
      "a jwksUri over http",
      (n) => (n.jwksUri = "http://oidc.cloudflare.example/jwks"),
      nativeKey("jwksUri"),
      /must be an https URL/,
    ],
  ];
  for (const [title, edit, configKey, fix] of ISSUES) {
    it(`refuses ${title}`, () => {
      expectOneIssue(withNative(edit), configKey, fix);
    });
  }

  it("accepts a subject of 128 bytes for a workload without gcp, whose only cloud is AWS", () => {
    const raw = cloudWithWorkload("ledger-sync", (settings) => {
      settings.native = nativeOf({ subject: `cf:${"a".repeat(125)}`, audiences: [CLOUD_AWS_AUDIENCE] });
    });
    const ledger = validateStackConfig(raw, OPTIONS).workloads.find((w) => w.name === "ledger-sync");
    assert.equal(ledger?.native?.subject.length, 128);
  });

  it("refuses an empty native section with the shape to write", () => {
    expectOneIssue(
      cloudWithWorkload("billing", (s) => (s.native = null)),
      key("workloads.billing.native"),
      /write the issuer and subject wrangler deploy printed/,
    );
  });

  it("refuses a second workload claiming the same native subject, from the same issuer or another", () => {
    for (const issuer of [NATIVE_ISSUER, "https://other.cloudflare.example"]) {
      const raw = withNative(() => {});
      const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
      workloads["ledger-sync"]!.native = nativeOf({ issuer, audiences: [CLOUD_AWS_AUDIENCE] });
      expectOneIssue(raw, nativeKey("subject", "ledger-sync"), /also workload 'billing''s native subject/);
    }
  });

  it("refuses two workloads of one native issuer naming different JWKS", () => {
    const raw = withNative((n) => (n.jwksUri = "https://oidc.cloudflare.example/accounts/0123/jwks"));
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    workloads["ledger-sync"]!.native = nativeOf({ subject: LEDGER_SUBJECT, audiences: [CLOUD_AWS_AUDIENCE] });
    expectOneIssue(
      raw,
      nativeKey("jwksUri", "ledger-sync"),
      /is not set, but workload 'billing' names 'https:\/\/oidc\.cloudflare\.example\/accounts\/0123\/jwks'.*one JWKS/,
    );
  });

  it("accepts two workloads of one issuer with their own subjects", () => {
    const raw = withNative(() => {});
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    workloads["ledger-sync"]!.native = nativeOf({ subject: LEDGER_SUBJECT, audiences: [CLOUD_AWS_AUDIENCE] });
    const config = validateStackConfig(raw, OPTIONS);
    assert.deepEqual(
      config.workloads.filter((w) => w.native !== undefined).map((w) => [w.name, w.native?.subject]),
      [
        ["billing", BILLING_SUBJECT],
        ["ledger-sync", LEDGER_SUBJECT],
      ],
    );
  });

  it("refuses native issuers whose gcp subjects would pass GCP's 4096-character attributeCondition", () => {
    const raw = cloudRaw();
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    // 40 workloads with 120-byte subjects: "assertion.sub in [" + 40 × (122 + 2) - 2 + "]" = 4977 characters.
    for (let i = 0; i < 40; i++) {
      workloads[`native-${String(i).padStart(2, "0")}`] = {
        audiences: [CLOUD_GCP_AUDIENCE],
        gcp: {},
        native: nativeOf({ subject: `cf:${String(i).padStart(117, "0")}`, audiences: [CLOUD_GCP_AUDIENCE] }),
      };
    }
    expectOneIssue(raw, nativeKey("issuer", "native-39"), /attributeCondition 4977 characters, more than GCP's 4096/);
  });

  it("lets a workload without aws or gcp name any audiences its bindings use", () => {
    const raw = cloudWithWorkload("edge-api", (s) => {
      s.native = nativeOf({ audiences: ["https://api.internal.example.dev"] });
    });
    const edge = validateStackConfig(raw, OPTIONS).workloads.find((w) => w.name === "edge-api");
    assert.deepEqual(edge?.native?.audiences, ["https://api.internal.example.dev"]);
  });

  it("reports every problem of one section at once", () => {
    const raw = withNative((n) => {
      n.issuer = "http://x.example";
      n.subject = "a*";
      n.audiences = [""];
    });
    assert.deepEqual(
      issuesOf(() => validateStackConfig(raw, OPTIONS))
        .map((i) => i.key)
        .sort(),
      [nativeKey("audiences[0]"), nativeKey("issuer"), nativeKey("subject")],
    );
  });

  it("refuses native without the stack federating the clouds only through the clouds' own checks", () => {
    // native alone never federates a cloud: a workload with gcp but no stack gcp key is told about gcp, once.
    const raw = cloudWithKey("gcp", undefined);
    const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
    delete workloads["reports-exporter"];
    workloads.billing!.native = nativeOf();
    const issues = issuesOf(() => validateStackConfig(raw, OPTIONS));
    assert.deepEqual(
      issues.map((i) => i.key),
      [key("workloads.billing.gcp")],
    );
  });
});

describe("nativeSubjectCondition", () => {
  it("admits exactly the sorted, distinct subjects as CEL string literals", () => {
    assert.equal(nativeSubjectCondition(["b", 'a"q', "b"]), 'assertion.sub in ["a\\"q", "b"]');
  });
  it("refuses a pattern or an empty list", () => {
    assert.throws(() => nativeSubjectCondition(["a*"]), /not an exact subject/);
    assert.throws(() => nativeSubjectCondition([]), /no subject/);
  });
});

describe("a registry file's native section", () => {
  it("is read with the stack key's readers, keyed by file and path", () => {
    const raw = { ...cloudRaw(), [key("registry")]: "registry/" };
    const native = nativeOf({ subject: "cf:worker:*", audiences: [CLOUD_AWS_AUDIENCE] });
    const issues = issuesOf(() =>
      validateStackConfig(raw, {
        ...OPTIONS,
        registry: {
          documents: [
            {
              source: "registry/payments.yaml",
              content: { workloads: { ledger: { audiences: [CLOUD_AWS_AUDIENCE], aws: {}, native } } },
            },
          ],
          problems: [],
        },
      }),
    );
    assert.deepEqual(
      issues.map((i) => i.key),
      ["registry/payments.yaml: workloads.ledger.native.subject"],
    );
  });
});
