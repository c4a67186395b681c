// The `vault` stack key and a workload's `vault` section: what resolves (defaults written out by
// hand from the task's rules) and one broken field per test, each asserting the issue's key and
// that its message names the fix.

import assert from "node:assert/strict";
import { validateStackConfig } from "../../worker/config/validate.js";
import { dev } from "../support/dev-stack.js";
import { ACCOUNT_ID, expectOneIssue, OPTIONS, PROJECT } from "./fixtures.js";

const key = (path: string) => `${PROJECT}:${path}`;
const VAULT_AUDIENCE = "https://vault.example.dev";

/** A valid raw config: one Vault mount, two workloads with roles. */
function vaultRaw(): Record<string, unknown> {
  return {
    [key("accountId")]: ACCOUNT_ID,
    [key("issuerHostname")]: "id.example.dev",
    [key("vault")]: { address: "https://vault.example.dev:8200", audience: VAULT_AUDIENCE },
    [key("workloads")]: {
      "secrets-sync": { audiences: [VAULT_AUDIENCE], vault: { policies: ["payments-read"] } },
      billing: {
        audiences: [VAULT_AUDIENCE, "https://api.example.dev"],
        vault: {
          role: "billing-writer",
          policies: ["ledger-write", "kv/ledger"],
          tokenTtlSeconds: 600,
          tokenMaxTtlSeconds: 1800,
          tokenType: "batch",
          boundCidrs: ["198.51.100.0/24", "2001:db8::/32"],
        },
      },
    },
  };
}

function withStack(change: unknown): Record<string, unknown> {
  const raw = vaultRaw();
  if (change === undefined) delete raw[key("vault")];
  else raw[key("vault")] = change;
  return raw;
}

function withVaultField(workload: string, field: string, value: unknown): Record<string, unknown> {
  const raw = vaultRaw();
  const workloads = raw[key("workloads")] as Record<string, Record<string, Record<string, unknown>>>;
  const section = workloads[workload]?.vault as Record<string, unknown>;
  if (value === undefined) delete section[field];
  else section[field] = value;
  return raw;
}

const resolvedOf = (raw: Record<string, unknown>) => validateStackConfig(raw, OPTIONS);

/** The raw config without the workloads' vault sections (a stack key checked on its own). */
function withoutSections(raw: Record<string, unknown>): Record<string, unknown> {
  const workloads = raw[key("workloads")] as Record<string, Record<string, unknown>>;
  for (const settings of Object.values(workloads)) delete settings.vault;
  return raw;
}

describe("validateStackConfig: vault, what resolves", () => {
  it("the stack key with its defaults: mount worker-identity, audience the address", () => {
    const config = resolvedOf(withoutSections(withStack({ address: "https://vault.example.dev:8200" })));
    assert.deepEqual(config.vault, {
      address: "https://vault.example.dev:8200",
      mount: "worker-identity",
      audience: "https://vault.example.dev:8200",
    });
  });

  it("the stack key as JSON text (pulumi config set), with a trailing '/' dropped and a namespace", () => {
    const config = resolvedOf(
      withoutSections(
        withStack(
          JSON.stringify({
            address: "https://vault.example.dev:8200/",
            mount: "ci/workers",
            namespace: "admin/payments",
          }),
        ),
      ),
    );
    assert.deepEqual(config.vault, {
      address: "https://vault.example.dev:8200",
      mount: "ci/workers",
      audience: "https://vault.example.dev:8200",
      namespace: "admin/payments",
    });
  });

  it("a dev server on http://127.0.0.1:8200", () => {
    assert.equal(
      resolvedOf(withoutSections(withStack({ address: "http://127.0.0.1:8200" }))).vault?.address,
      "http://127.0.0.1:8200",
    );
  });

  it("a workload's role with its defaults: wid-<workload>, an hour, service tokens, no CIDRs", () => {
    const sync = resolvedOf(vaultRaw()).workloads.find((w) => w.name === "secrets-sync");
    assert.deepEqual(sync?.vault, {
      role: "wid-secrets-sync",
      policies: ["payments-read"],
      tokenTtlSeconds: 3600,
      tokenMaxTtlSeconds: 3600,
      tokenType: "service",
      boundCidrs: [],
    });
  });

  it("every field written", () => {
    const billing = resolvedOf(vaultRaw()).workloads.find((w) => w.name === "billing");
    assert.deepEqual(billing?.vault, {
      role: "billing-writer",
      policies: ["ledger-write", "kv/ledger"],
      tokenTtlSeconds: 600,
      tokenMaxTtlSeconds: 1800,
      tokenType: "batch",
      boundCidrs: ["198.51.100.0/24", "2001:db8::/32"],
    });
  });

  it("a max TTL shorter than an hour makes the default TTL that max", () => {
    const billing = resolvedOf(withVaultField("secrets-sync", "tokenMaxTtlSeconds", 900)).workloads.find(
      (w) => w.name === "secrets-sync",
    );
    assert.equal(billing?.vault?.tokenTtlSeconds, 900);
    assert.equal(billing?.vault?.tokenMaxTtlSeconds, 900);
  });

  it("a TTL alone makes the max that TTL", () => {
    const sync = resolvedOf(withVaultField("secrets-sync", "tokenTtlSeconds", 7200)).workloads.find(
      (w) => w.name === "secrets-sync",
    );
    assert.equal(sync?.vault?.tokenMaxTtlSeconds, 7200);
  });

  it("Pulumi.dev.yaml's secrets-sync: the role the task's dev stack names", () => {
    const config = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack });
    assert.deepEqual(config.vault, {
      address: "https://vault.example.dev:8200",
      mount: "worker-identity",
      audience: "https://vault.example.dev",
    });
    const sync = config.workloads.find((w) => w.name === "secrets-sync");
    assert.equal(sync?.vault?.role, "wid-secrets-sync");
    assert.deepEqual(sync?.vault?.policies, ["payments-read"]);
    assert.equal(sync?.vault?.tokenTtlSeconds, 900);
  });
});

describe("validateStackConfig: the vault stack key, one error each", () => {
  const stackRows: readonly [string, unknown, string, RegExp][] = [
    ["written with no value", null, "vault", /write vault: \{address: https:\/\/<vault>:8200\}/],
    ["a string that is not JSON", "vault.example.dev", "vault", /not valid JSON/],
    ["a list", ["https://vault.example.dev"], "vault", /is a list, but must be a map like \{address:/],
    ["address missing", { mount: "jwt" }, "vault.address", /is missing; .*pulumi config set --path vault\.address/],
    [
      "an unknown field, with a suggestion",
      { address: "https://v.example.dev", mnt: "x" },
      "vault.mnt",
      /did you mean 'mount'\?/,
    ],
    [
      "an address without a scheme",
      { address: "vault.example.dev:8200" },
      "vault.address",
      /write it 'https:\/\/vault\.example\.dev:8200'/,
    ],
    [
      "plain http to a remote host",
      { address: "http://vault.example.dev:8200" },
      "vault.address",
      /clear text; write it 'https:\/\/vault\.example\.dev:8200'/,
    ],
    [
      "an address with /v1",
      { address: "https://vault.example.dev:8200/v1" },
      "vault.address",
      /appends \/v1\/auth\/<mount>\/login itself\); write 'https:\/\/vault\.example\.dev:8200'/,
    ],
    [
      "an address with credentials",
      { address: "https://ops:pw@vault.example.dev" },
      "vault.address",
      /credentials in the URL; remove them/,
    ],
    ["a number for the address", { address: 8200 }, "vault.address", /quote it/],
    [
      "a mount under auth/",
      { address: "https://v.example.dev", mount: "auth/jwt" },
      "vault.mount",
      /path under auth\/.*write 'jwt'/,
    ],
    [
      "a mount with a leading '/'",
      { address: "https://v.example.dev", mount: "/workers" },
      "vault.mount",
      /write 'workers'/,
    ],
    [
      "a mount with a space",
      { address: "https://v.example.dev", mount: "my workers" },
      "vault.mount",
      /segments of letters.*e\.g\. 'worker-identity'/,
    ],
    [
      "the token/ mount",
      { address: "https://v.example.dev", mount: "token" },
      "vault.mount",
      /built-in token\/ auth mount.*path is already in use/,
    ],
    [
      "an audience with a comma",
      { address: "https://v.example.dev", audience: "a,b" },
      "vault.audience",
      /without spaces or commas/,
    ],
    [
      "a namespace with slashes around it",
      { address: "https://v.example.dev", namespace: "/admin/" },
      "vault.namespace",
      /write 'admin'/,
    ],
    ["a secure value", { address: { secure: "v1:abc" } }, "vault.address", /encrypted secret/],
  ];
  for (const [title, value, path, fix] of stackRows) {
    it(title, () => {
      // Without a valid stack key, the workloads' sections are not checked against it: drop them.
      expectOneIssue(withoutSections(withStack(value)), key(path), fix);
    });
  }
});

describe("validateStackConfig: a workload's vault section, one error each", () => {
  const rows: readonly [string, string, string, unknown, string, RegExp][] = [
    ["policies missing", "secrets-sync", "policies", undefined, "policies", /is missing; list the Vault policies/],
    ["policies empty", "secrets-sync", "policies", [], "policies", /only Vault's default policy/],
    [
      "policies as one string",
      "secrets-sync",
      "policies",
      "payments-read",
      "policies",
      /write it as a list: \[payments-read\]/,
    ],
    ["the root policy", "secrets-sync", "policies", ["root"], "policies[0]", /auth methods cannot create root tokens/],
    ["response-wrapping", "secrets-sync", "policies", ["response-wrapping"], "policies[0]", /cannot assign policy/],
    ["a policy in uppercase", "secrets-sync", "policies", ["Payments-Read"], "policies[0]", /write it 'payments-read'/],
    [
      "a policy with a comma",
      "secrets-sync",
      "policies",
      ["a,b"],
      "policies[0]",
      /without spaces or commas; rename it/,
    ],
    ["a repeated policy", "secrets-sync", "policies", ["a", "a"], "policies[1]", /repeats policies\[0\]/],
    ["a role name with a space", "billing", "role", "billing writer", "role", /rename it, e.g. to 'billing-writer'/],
    ["a role name ending in '-'", "billing", "role", "billing-", "role", /e\.g\. to 'billing'/],
    ["a TTL under a minute", "secrets-sync", "tokenTtlSeconds", 30, "tokenTtlSeconds", /between 60 and 2764800/],
    [
      "a max TTL past 768h",
      "secrets-sync",
      "tokenMaxTtlSeconds",
      2764801,
      "tokenMaxTtlSeconds",
      /between 60 and 2764800.*max_lease_ttl/,
    ],
    [
      "a TTL over the max TTL",
      "billing",
      "tokenTtlSeconds",
      3600,
      "tokenTtlSeconds",
      /ttl should not be greater than max ttl.*at most 1800/,
    ],
    ["an unknown token type", "billing", "tokenType", "periodic", "tokenType", /must be service .* or batch/],
    [
      "a bare address as a CIDR",
      "billing",
      "boundCidrs",
      ["198.51.100.7"],
      "boundCidrs[0]",
      /write '198\.51\.100\.7\/32'/,
    ],
    ["a prefix out of range", "billing", "boundCidrs", ["10.0.0.0/33"], "boundCidrs[0]", /must be a CIDR block/],
    ["an unknown field, with a suggestion", "billing", "polices", ["x"], "polices", /did you mean 'policies'\?/],
  ];
  for (const [title, workload, field, value, path, fix] of rows) {
    it(title, () => {
      expectOneIssue(withVaultField(workload, field, value), key(`workloads.${workload}.vault.${path}`), fix);
    });
  }

  it("an empty section", () => {
    const raw = vaultRaw();
    (raw[key("workloads")] as Record<string, Record<string, unknown>>)["secrets-sync"]!.vault = null;
    expectOneIssue(raw, key("workloads.secrets-sync.vault"), /write vault: \{policies: \[<policy>\]\}/);
  });

  it("a section when the stack does not federate Vault", () => {
    const raw = withStack(undefined);
    delete ((raw[key("workloads")] as Record<string, Record<string, unknown>>).billing as Record<string, unknown>)
      .vault;
    expectOneIssue(
      raw,
      key("workloads.secrets-sync.vault"),
      /the stack does not federate Vault; add worker-identity:vault: \{address: https:\/\/<vault>:8200\}/,
    );
  });

  it("a workload that does not list the Vault audience", () => {
    const raw = vaultRaw();
    (raw[key("workloads")] as Record<string, Record<string, unknown>>)["secrets-sync"]!.audiences = [
      "https://api.example.dev",
    ];
    expectOneIssue(
      raw,
      key("workloads.secrets-sync.audiences"),
      /does not list the Vault audience .*add 'https:\/\/vault\.example\.dev' to audiences/,
    );
  });

  it("the default audience is the address, which the workload must then list", () => {
    const raw = withStack({ address: "https://vault.example.dev:8200" });
    expectOneIssue(
      // Only secrets-sync keeps its section: billing would report the same.
      (() => {
        delete ((raw[key("workloads")] as Record<string, Record<string, unknown>>).billing as Record<string, unknown>)
          .vault;
        return raw;
      })(),
      key("workloads.secrets-sync.audiences"),
      /add 'https:\/\/vault\.example\.dev:8200' to audiences/,
    );
  });

  it("two workloads with one role: the explicit one is told to rename", () => {
    expectOneIssue(
      withVaultField("billing", "role", "wid-secrets-sync"),
      key("workloads.billing.vault.role"),
      /also the role of workload 'secrets-sync' \(its default\).*set another vault\.role here/,
    );
  });
});
