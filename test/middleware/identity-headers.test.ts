// Which client headers the middleware removes before forwarding: every name an origin may read as
// an identity header (CGI, WSGI, PHP and Rack read `x_worker_identity_subject` as
// HTTP_X_WORKER_IDENTITY_SUBJECT; Apache httpd 2.2 read any non-alphanumeric as '_'), and every
// one read as Authorization unless it is kept; nothing else.

import assert from "node:assert/strict";
import { headerNameReading } from "../../worker/middleware/header-name.js";
import { stripClientHeaders } from "../../worker/middleware/identity-headers.js";

const LOOK_ALIKES = [
  "x-worker-identity-subject",
  "X-Worker-Identity-Subject",
  "x_worker_identity_subject",
  "X_WORKER_IDENTITY_SUBJECT",
  "X_Worker-Identity_Subject",
  "x-worker_identity-workload",
  "x.worker.identity.account",
  "X~Worker|Identity`Jti",
  "x+worker*identity!audience",
  "x-worker-identity-anything-else",
  "x_worker_identity_",
];

const UNRELATED = [
  "x-worker-identity",
  "x-worker-identityx",
  "x-workeridentity-subject",
  "x-worker-id-subject",
  "xx-worker-identity-subject",
  "x--worker-identity-subject",
  "proxy-authorization",
  "authorization-extra",
  "x-authorization",
  "x-http-method-override",
  "content-type",
];

function strip(names: readonly string[], keepAuthorization: boolean): string[] {
  const headers = new Headers(names.map((name): [string, string] => [name, "v"]));
  stripClientHeaders(headers, keepAuthorization);
  return [...headers.keys()];
}

describe("headerNameReading", () => {
  it("folds case, reads every character but a letter or digit as '-', and trims", () => {
    assert.equal(headerNameReading("X_Worker-Identity_Subject"), "x-worker-identity-subject");
    assert.equal(headerNameReading("x.worker~identity|subject"), "x-worker-identity-subject");
    assert.equal(headerNameReading(" \tAuthorization "), "authorization");
    assert.equal(headerNameReading("X-HTTP-Method-Override"), "x-http-method-override");
    assert.equal(headerNameReading("x__a"), "x--a");
  });
});

describe("stripClientHeaders", () => {
  for (const name of LOOK_ALIKES) {
    it(`removes ${name}, with Authorization kept or not`, () => {
      assert.deepEqual(strip([name, "accept"], false), ["accept"]);
      assert.deepEqual(strip([name, "accept"], true), ["accept"]);
    });
  }

  it("removes every look-alike at once, whatever else the request carries", () => {
    assert.deepEqual(strip([...LOOK_ALIKES, "accept", "x-request-id"], false), ["accept", "x-request-id"]);
  });

  it("keeps names no origin reads as reserved ones", () => {
    assert.deepEqual(strip(UNRELATED, false), [...UNRELATED].sort());
  });

  it("removes Authorization in any case unless it is kept", () => {
    for (const name of ["authorization", "Authorization", "AUTHORIZATION"]) {
      assert.deepEqual(strip([name, "accept"], false), ["accept"], name);
      assert.deepEqual(strip([name, "accept"], true), ["accept", "authorization"], name);
    }
  });
});
