// Entra ID trust proven end to end on the repository's dev stack: the Pulumi program (under
// mocks) declares the federated identity credentials (FICs); the issuer in workerd, run from the
// same Pulumi.dev.yaml, mints a token for every workload and audience; an evaluator written from
// Entra's documented matching, independent of the program's code, decides. Entra admits a client
// assertion for an identity when one of its FICs names the token's `iss` and `sub` exactly
// (case-sensitive) and its audience is in the token's `aud`
// (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations).
// The issuer in workerd serves on a loopback URL, which its tokens carry as `iss`; that one exact
// string stands for the deployed issuer's URL, which the validator derives from the same file
// (https://<issuerHostname>): it is swapped for it, and nothing else in the claims is touched.

import assert from "node:assert/strict";
import { decodeJwt, type JWTPayload } from "jose";
import { validateStackConfig } from "../../worker/config/validate.js";
import { dev, engineConfig, runProgram } from "../support/dev-stack.js";
import { IssuerHarness } from "../support/issuer-harness.js";
import { ofType, type RecordedResource } from "../support/pulumi-mocks.js";

/** Written from the documentation, not read from the program. */
const EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
const APPLICATION_FIC = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
const MANAGED_IDENTITY_FIC = "azure-native:managedidentity:FederatedIdentityCredential";
const APPLICATION = "azuread:index/application:Application";

interface Fic {
  readonly name: string;
  /** The application (its display name) or managed identity the FIC opens. */
  readonly opens: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

/** Entra's matching: exact issuer and subject, the FIC's audience among the token's. */
function entraAdmits(fic: Fic, claims: JWTPayload): boolean {
  const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  return (
    typeof claims.iss === "string" &&
    typeof claims.sub === "string" &&
    claims.iss === fic.issuer &&
    claims.sub === fic.subject &&
    fic.audiences.length === 1 &&
    audiences.includes(fic.audiences[0]!)
  );
}

interface Minted {
  readonly workload: string;
  readonly audience: string;
  readonly claims: JWTPayload;
}

describe("end to end on Pulumi.dev.yaml: Entra ID's FICs, the issuer's tokens, Entra's matching", function () {
  this.timeout(120_000);
  const minted: Minted[] = [];
  let fics: Fic[];

  before(async () => {
    await runProgram(engineConfig());
    const applications: RecordedResource[] = ofType(APPLICATION);
    const byId = new Map(applications.map((a) => [`${a.name}-id`, String(a.inputs.displayName)]));
    fics = [
      ...ofType(APPLICATION_FIC).map((f) => ({
        name: String(f.inputs.displayName),
        opens: byId.get(String(f.inputs.applicationId)) ?? String(f.inputs.applicationId),
        issuer: String(f.inputs.issuer),
        subject: String(f.inputs.subject),
        audiences: f.inputs.audiences as string[],
      })),
      ...ofType(MANAGED_IDENTITY_FIC).map((f) => ({
        name: String(f.inputs.federatedIdentityCredentialResourceName),
        opens: String(f.inputs.resourceName),
        issuer: String(f.inputs.issuer),
        subject: String(f.inputs.subject),
        audiences: f.inputs.audiences as string[],
      })),
    ];

    const deployedIssuer = validateStackConfig(dev.config, { project: dev.project, stack: dev.stack }).issuer.issuerUrl;
    assert.equal(deployedIssuer, `https://${String(dev.config["worker-identity:issuerHostname"])}`);
    const issuer = await IssuerHarness.start({ config: { ...dev.config } });
    try {
      assert.equal(issuer.config.issuer.issuerUrl, issuer.url, "the local issuer's iss is the URL it serves on");
      for (const workload of issuer.config.workloads) {
        for (const audience of workload.audiences) {
          const { token } = await issuer.token(workload.name, audience);
          const claims = decodeJwt(token);
          assert.equal(claims.iss, issuer.url);
          minted.push({ workload: workload.name, audience, claims: { ...claims, iss: deployedIssuer } });
        }
      }
    } finally {
      await issuer.dispose();
    }
  });

  it("declares one FIC, for inventory-sync, on its own application", () => {
    assert.deepEqual(
      fics.map((f) => [f.opens, f.audiences]),
      [["wid-inventory-sync", [EXCHANGE_AUDIENCE]]],
    );
    assert.ok(minted.length >= 8, `the dev stack mints ${minted.length} tokens`);
  });

  it("inventory-sync's token for api://AzureADTokenExchange matches its own FIC and nothing else; every other token matches none", () => {
    let admitted = 0;
    for (const token of minted) {
      for (const fic of fics) {
        const expected = token.workload === "inventory-sync" && token.audience === EXCHANGE_AUDIENCE;
        assert.equal(
          entraAdmits(fic, token.claims),
          expected,
          `${token.workload} (aud ${token.audience}) on ${fic.opens}'s FIC ${fic.name}`,
        );
        if (expected) admitted++;
      }
    }
    assert.equal(admitted, 1, "the one Entra workload opens its application");
    const others = minted.filter((t) => t.workload !== "inventory-sync");
    assert.ok(others.length >= 7, "every other workload's tokens were tried");
  });

  it("denies every look-alike of inventory-sync's claims", () => {
    const own = minted.find((t) => t.workload === "inventory-sync" && t.audience === EXCHANGE_AUDIENCE)!.claims;
    const fic = fics[0]!;
    assert.ok(entraAdmits(fic, own), "the genuine claims are admitted (the denials below are not vacuous)");
    const sub = String(own.sub);
    const iss = String(own.iss);
    const account = String(dev.config["worker-identity:accountId"]);
    const { aud: _aud, ...withoutAudience } = own;
    const lookAlikes: readonly [string, JWTPayload][] = [
      ["the subject in capitals", { ...own, sub: sub.toUpperCase() }],
      ["the workload name capitalised", { ...own, sub: sub.replace("inventory-sync", "Inventory-sync") }],
      ["a trailing slash on the subject", { ...own, sub: `${sub}/` }],
      ["a prefix of the subject", { ...own, sub: sub.slice(0, -1) }],
      ["a suffix added", { ...own, sub: `${sub}-admin` }],
      ["a path below the subject", { ...own, sub: `${sub}/child` }],
      ["another account's Worker of the same name", { ...own, sub: sub.replace(account, "f".repeat(32)) }],
      ["the subject percent-encoded", { ...own, sub: encodeURIComponent(sub) }],
      ["the subject with a leading space", { ...own, sub: ` ${sub}` }],
      ["another workload's subject", { ...own, sub: sub.replace("inventory-sync", "billing") }],
      ["a trailing slash on the issuer", { ...own, iss: `${iss}/` }],
      ["the issuer's host in capitals", { ...own, iss: iss.toUpperCase() }],
      ["the issuer over http", { ...own, iss: iss.replace("https:", "http:") }],
      ["the audience in lower case", { ...own, aud: EXCHANGE_AUDIENCE.toLowerCase() }],
      ["another audience", { ...own, aud: "sts.amazonaws.com" }],
      ["no audience", withoutAudience],
    ];
    for (const [what, claims] of lookAlikes) assert.equal(entraAdmits(fic, claims), false, what);
  });
});

describe("end to end with inventory-sync's Cloudflare-native tokens registered: each issuer's FIC admits only its own subject", function () {
  this.timeout(120_000);
  const NATIVE_ISSUER = "https://oidc.cloudflare.example/accounts/0123";
  const NATIVE_SUBJECT = "cf:worker:7d1f0c2e-3b5a-4c8e-9f61-0a2b3c4d5e6f";
  let fics: Fic[];

  before(async () => {
    const workloads = structuredClone(dev.config["worker-identity:workloads"]) as Record<
      string,
      Record<string, unknown>
    >;
    workloads["inventory-sync"]!.native = {
      issuer: NATIVE_ISSUER,
      subject: NATIVE_SUBJECT,
      audiences: [EXCHANGE_AUDIENCE],
    };
    await runProgram(engineConfig({ "worker-identity:workloads": workloads }));
    fics = ofType(APPLICATION_FIC).map((f) => ({
      name: String(f.inputs.displayName),
      opens: String(f.inputs.applicationId),
      issuer: String(f.inputs.issuer),
      subject: String(f.inputs.subject),
      audiences: f.inputs.audiences as string[],
    }));
  });

  it("two FICs on one application; a native-shaped token opens the native one only, and no mix of the two opens either", () => {
    assert.equal(fics.length, 2);
    assert.equal(new Set(fics.map((f) => f.opens)).size, 1, "both on inventory-sync's application");
    const deployed = `https://${String(dev.config["worker-identity:issuerHostname"])}`;
    const own = `worker/${String(dev.config["worker-identity:accountId"])}/inventory-sync`;
    const native = { iss: NATIVE_ISSUER, sub: NATIVE_SUBJECT, aud: EXCHANGE_AUDIENCE };
    const issued = { iss: deployed, sub: own, aud: EXCHANGE_AUDIENCE };
    const admittedBy = (claims: JWTPayload) => fics.filter((f) => entraAdmits(f, claims)).map((f) => f.subject);
    assert.deepEqual(admittedBy(native), [NATIVE_SUBJECT]);
    assert.deepEqual(admittedBy(issued), [own]);
    for (const claims of [
      { ...native, sub: own },
      { ...issued, sub: NATIVE_SUBJECT },
      { ...native, iss: `${NATIVE_ISSUER}/` },
      { ...native, sub: NATIVE_SUBJECT.toUpperCase() },
      { ...native, aud: "sts.amazonaws.com" },
      { ...native, iss: "https://oidc.cloudflare.example/accounts/9999" },
    ]) {
      assert.deepEqual(admittedBy(claims), [], JSON.stringify(claims));
    }
  });
});
