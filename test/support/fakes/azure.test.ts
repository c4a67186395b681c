// The Entra ID fakes refuse what Entra refuses, naming the limit: more than 20 FICs on one
// application or managed identity (also across deploys), a second FIC with the same issuer and
// subject or the same name on one parent, issuer and subject over 600 characters, names outside
// 3-120 of [A-Za-z0-9_-] starting alphanumeric, anything but exactly one audience, an unknown
// parent (application or managed identity), a service principal for an unknown application or a
// second one, FICs created concurrently on one managed identity; applications keep their ids.

import assert from "node:assert/strict";
import { ENTRA_DIRECTORY } from "./azure.js";
import { FakeCloud } from "./engine.js";
import type { Properties } from "./model.js";
import { refused } from "./refusal-assert.js";
import { declare, declareAfter, freshDeploy, NOW } from "./register.js";
import { TYPE } from "./types.js";

const EXISTING = ENTRA_DIRECTORY.applications[0];
const IDENTITY = ENTRA_DIRECTORY.managedIdentities[0];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const fic = (change: Properties = {}) => ({
  applicationId: `/applications/${EXISTING.objectId}`,
  displayName: "wid-billing",
  issuer: "https://id.example.dev",
  subject: "worker/0123/billing",
  audiences: ["api://AzureADTokenExchange"],
  ...change,
});
const miFic = (change: Properties = {}) => ({
  resourceGroupName: IDENTITY.resourceGroupName,
  resourceName: IDENTITY.resourceName,
  federatedIdentityCredentialResourceName: "wid-billing",
  issuer: "https://id.example.dev",
  subject: "worker/0123/billing",
  audiences: ["api://AzureADTokenExchange"],
  ...change,
});
const refusesFic = (change: Properties, message: RegExp) =>
  refused(() => declare(freshDeploy(), TYPE.azureApplicationFic, "f", fic(change)), message);

describe("fake Entra ID: applications and service principals", () => {
  it("generates GUID client and object ids, kept across deploys", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    const app = declare(first, TYPE.azureApplication, "app", { displayName: "wid-billing" });
    assert.match(String(app.clientId), GUID);
    assert.match(String(app.objectId), GUID);
    assert.notEqual(app.clientId, app.objectId);
    assert.deepEqual(first.finish().refusals, []);
    const second = cloud.begin(NOW + 1000);
    const again = declare(second, TYPE.azureApplication, "app", { displayName: "wid-billing renamed" });
    assert.equal(again.clientId, app.clientId);
    assert.equal(again.objectId, app.objectId);
    const other = declare(second, TYPE.azureApplication, "other", { displayName: "x" });
    assert.notEqual(other.clientId, app.clientId);
  });

  it("refuses a display name over 256, a description over 1,024, a tag with a space or over 256", () => {
    const app = (change: Properties) =>
      declare(freshDeploy(), TYPE.azureApplication, "a", { displayName: "d", ...change });
    app({ displayName: "d".repeat(256), description: "d".repeat(1024), tags: ["t".repeat(256)] });
    refused(() => app({ displayName: "d".repeat(257) }), /displayName is 257 characters; at most 256/);
    refused(() => app({ description: "d".repeat(1025) }), /description is 1025 characters; at most 1024/);
    refused(() => app({ tags: ["has space"] }), /without white space/);
    refused(() => app({ tags: ["t".repeat(257)] }), /257 characters; at most 256/);
    refused(() => app({ displayName: "" }), /displayName is required/);
  });

  it("a service principal needs a known application, and only one", () => {
    const deploy = freshDeploy();
    const app = declare(deploy, TYPE.azureApplication, "app", { displayName: "a" });
    declare(deploy, TYPE.azureServicePrincipal, "sp", { clientId: app.clientId });
    refused(
      () => declare(deploy, TYPE.azureServicePrincipal, "sp2", { clientId: app.clientId }),
      /already exists for application/,
    );
    refused(
      () =>
        declare(freshDeploy(), TYPE.azureServicePrincipal, "sp", { clientId: "00000000-0000-4000-8000-000000000000" }),
      /Could not find application/,
    );
  });
});

describe("fake Entra ID: application FICs", () => {
  it("accepts a FIC on an existing application, and on the stack's application by its id", () => {
    declare(freshDeploy(), TYPE.azureApplicationFic, "f", fic());
    const deploy = freshDeploy();
    declare(deploy, TYPE.azureApplication, "app", { displayName: "a" });
    // The mocks resolve `app.id` to the engine's id for it.
    const out = declare(deploy, TYPE.azureApplicationFic, "f", fic({ applicationId: "app-id" }));
    assert.match(String(out.credentialId), GUID);
  });

  it("refuses an unknown application, and an applicationId that is not /applications/{objectId}", () => {
    refusesFic({ applicationId: "/applications/00000000-0000-4000-8000-000000000000" }, /does not exist/);
    refusesFic({ applicationId: EXISTING.objectId }, /is not \/applications\/\{objectId\}/);
    refusesFic({ applicationId: `/applications/${EXISTING.clientId}` }, /does not exist/);
  });

  for (const name of ["ab", "a".repeat(121), "-starts-with-dash", "has.dot", "has space", "ü-umlaut"]) {
    it(`refuses the name ${JSON.stringify(name)}`, () => {
      refusesFic({ displayName: name }, /displayName ".*" does not match/);
    });
  }

  it("accepts issuer and subject of 600 characters, refuses 601; refuses a padded issuer", () => {
    declare(
      freshDeploy(),
      TYPE.azureApplicationFic,
      "f",
      fic({ issuer: `https://${"i".repeat(592)}`, subject: "s".repeat(600) }),
    );
    refusesFic({ issuer: `https://${"i".repeat(593)}` }, /issuer is 601 characters; at most 600/);
    refusesFic({ subject: "s".repeat(601) }, /subject is 601 characters; at most 600/);
    refusesFic({ issuer: "https://id.example.dev " }, /leading or trailing white space/);
    refusesFic({ description: "d".repeat(601) }, /description is 601 characters; at most 600/);
  });

  it("takes exactly one audience", () => {
    refusesFic({ audiences: [] }, /audiences has 0 values; .*exactly one/);
    refusesFic({ audiences: ["api://AzureADTokenExchange", "b"] }, /audiences has 2 values/);
  });

  it("refuses a second FIC with the same issuer and subject, or the same name, on one application", () => {
    const deploy = freshDeploy();
    declare(deploy, TYPE.azureApplicationFic, "f1", fic());
    refused(
      () => declare(deploy, TYPE.azureApplicationFic, "f2", fic({ displayName: "other" })),
      /with issuer https:\/\/id.example.dev and subject worker\/0123\/billing already exists/,
    );
    refused(
      () =>
        declare(
          deploy,
          TYPE.azureApplicationFic,
          "f3",
          fic({ subject: "worker/0123/other", displayName: "WID-BILLING" }),
        ),
      /with name WID-BILLING already exists/,
    );
  });

  it("refuses a 21st FIC on one application, counting those an earlier deploy left", () => {
    const cloud = new FakeCloud();
    const first = cloud.begin(NOW);
    for (let i = 0; i < 15; i++)
      declare(
        first,
        TYPE.azureApplicationFic,
        `f${i}`,
        fic({ displayName: `wid-w${i}`, subject: `worker/0123/w${i}` }),
      );
    assert.deepEqual(first.finish().refusals, []);
    const second = cloud.begin(NOW + 1000);
    // The 15 stay (declared again), 5 are added: 20 is the limit, the 21st is refused.
    for (let i = 0; i < 20; i++)
      declare(
        second,
        TYPE.azureApplicationFic,
        `f${i}`,
        fic({ displayName: `wid-w${i}`, subject: `worker/0123/w${i}` }),
      );
    refused(
      () =>
        declare(second, TYPE.azureApplicationFic, "f20", fic({ displayName: "wid-w20", subject: "worker/0123/w20" })),
      /already has 20 federated identity credentials; the limit is 20/,
    );
    // A third deploy that no longer declares the first 15 still meets them (Pulumi creates before it deletes).
    const third = cloud.begin(NOW + 2000);
    for (let i = 0; i < 5; i++)
      declare(
        third,
        TYPE.azureApplicationFic,
        `g${i}`,
        fic({ displayName: `wid-g${i}`, subject: `worker/0123/g${i}` }),
      );
    refused(
      () => declare(third, TYPE.azureApplicationFic, "g5", fic({ displayName: "wid-g5", subject: "worker/0123/g5" })),
      /already has 20 federated identity credentials/,
    );
  });
});

describe("fake managed identities: FICs", () => {
  it("accepts one on the directory's identity; refuses an unknown identity", () => {
    declare(freshDeploy(), TYPE.azureManagedIdentityFic, "m", miFic());
    refused(
      () => declare(freshDeploy(), TYPE.azureManagedIdentityFic, "m", miFic({ resourceName: "uai-other" })),
      /userAssignedIdentities\/uai-other' under resource group 'rg-identity' was not found/,
    );
  });

  it("refuses FICs created concurrently on one identity; accepts them one after the other", () => {
    const concurrent = freshDeploy();
    declare(concurrent, TYPE.azureManagedIdentityFic, "m1", miFic());
    refused(
      () =>
        declare(
          concurrent,
          TYPE.azureManagedIdentityFic,
          "m2",
          miFic({ federatedIdentityCredentialResourceName: "wid-b", subject: "worker/0123/b" }),
        ),
      /written concurrently for the managed identity uai-sync/,
    );
    const sequential = freshDeploy();
    declare(sequential, TYPE.azureManagedIdentityFic, "m1", miFic());
    declareAfter(
      sequential,
      TYPE.azureManagedIdentityFic,
      "m2",
      miFic({ federatedIdentityCredentialResourceName: "wid-b", subject: "worker/0123/b" }),
      [{ type: TYPE.azureManagedIdentityFic, name: "m1" }],
    );
  });

  it("applies the FIC field rules and the limit of 20", () => {
    refused(
      () =>
        declare(
          freshDeploy(),
          TYPE.azureManagedIdentityFic,
          "m",
          miFic({ federatedIdentityCredentialResourceName: "x" }),
        ),
      /does not match/,
    );
    refused(
      () => declare(freshDeploy(), TYPE.azureManagedIdentityFic, "m", miFic({ audiences: ["a", "b"] })),
      /audiences has 2 values/,
    );
    const deploy = freshDeploy();
    let previous: { type: string; name: string }[] = [];
    for (let i = 0; i < 20; i++) {
      declareAfter(
        deploy,
        TYPE.azureManagedIdentityFic,
        `m${i}`,
        miFic({ federatedIdentityCredentialResourceName: `wid-w${i}`, subject: `worker/0123/w${i}` }),
        previous,
      );
      previous = [...previous, { type: TYPE.azureManagedIdentityFic, name: `m${i}` }];
    }
    refused(
      () =>
        declareAfter(
          deploy,
          TYPE.azureManagedIdentityFic,
          "m20",
          miFic({ federatedIdentityCredentialResourceName: "wid-w20", subject: "worker/0123/w20" }),
          previous,
        ),
      /identity uai-sync already has 20 federated identity credentials/,
    );
  });
});
