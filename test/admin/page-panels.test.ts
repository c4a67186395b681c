// The registry, issuance and revocation panels, the page around them, and the escaping of
// everything they read from the stack config or from storage.

import assert from "node:assert/strict";
import { renderActivity } from "../../worker/admin/page/activity.js";
import { text } from "../../worker/admin/page/escape.js";
import { span, utc } from "../../worker/admin/page/format.js";
import { renderPage, renderSignIn } from "../../worker/admin/page/layout.js";
import { renderRegistry } from "../../worker/admin/page/registry.js";
import { renderRevocations } from "../../worker/admin/page/revocations.js";
import type { RuntimeWorkflow, RuntimeWorkload } from "../../worker/runtime-config/types.js";
import { activity, adminView, NOW, REVOKED_JTI, revocations } from "./page-fixtures.js";

const HOSTILE = `<script>alert(1)</script>"'&`;
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";

const billing: RuntimeWorkload = {
  name: "billing",
  subject: "spiffe://id.example.dev/account/0123/worker/billing",
  audiences: ["sts.amazonaws.com", "https://vault.example.dev"],
  tokenLifetimeSeconds: 300,
  maxTokenLifetimeSeconds: 3_600,
  claims: {},
  targets: [
    {
      party: "aws",
      target: "wid-billing",
      audience: "sts.amazonaws.com",
      trusts: [{ issuer: "https://id.example.dev", subject: "spiffe://id.example.dev/account/0123/worker/billing" }],
    },
    {
      party: "vault",
      target: "jwt/role/wid-billing",
      audience: "https://vault.example.dev",
      trusts: [{ issuer: "https://id.example.dev", subject: "spiffe://id.example.dev/account/0123/worker/billing" }],
    },
  ],
};

const nightly: RuntimeWorkflow = {
  name: "nightly-export",
  subjectPrefix: "spiffe://id.example.dev/account/0123/workflow/nightly-export/",
  binding: "WORKFLOW_nightly",
  maxInstanceIdLength: 64,
  audiences: ["sts.amazonaws.com"],
  tokenLifetimeSeconds: 600,
  maxTokenLifetimeSeconds: 900,
  claims: {},
  targets: [],
};

describe("operator page: text and dates", () => {
  it("escapes the five characters that matter in content and quoted attributes", () => {
    assert.equal(text(HOSTILE), ESCAPED);
  });

  it("writes instants as UTC to the second and spans in at most two units", () => {
    assert.equal(utc(Date.parse("2026-03-07T05:04:09.999Z")), "2026-03-07 05:04:09 UTC");
    assert.equal(span(90 * 60_000), "1 h 30 min");
    assert.equal(span(30 * 86_400_000), "30 d");
    assert.equal(span(45_000), "45 s");
    assert.equal(span(0), "0 s");
  });
});

describe("operator page: the registry", () => {
  it("shows each workload and workflow with its audiences, lifetimes and federated targets", () => {
    const html = renderRegistry({ workloads: [billing], workflows: [nightly] });
    const article = /<article class="entry workload" data-name="billing">([\s\S]*?)<\/article>/.exec(html)?.[1] ?? "";
    assert.match(
      article,
      /<dt>audiences<\/dt><dd><code>sts\.amazonaws\.com<\/code>, <code>https:\/\/vault\.example\.dev<\/code><\/dd>/,
    );
    assert.match(article, /5 min by default, at most 1 h/);
    assert.match(
      article,
      /<td>AWS IAM<\/td>\s*<td><code>wid-billing<\/code><\/td>\s*<td><code>sts\.amazonaws\.com<\/code><\/td>/,
    );
    assert.match(article, /<td>HashiCorp Vault<\/td>\s*<td><code>jwt\/role\/wid-billing<\/code><\/td>/);
    assert.match(
      article,
      /<li><code>spiffe:\/\/id\.example\.dev\/account\/0123\/worker\/billing<\/code> from <code>https:\/\/id\.example\.dev<\/code><\/li>/,
    );
    const workflow =
      /<article class="entry workflow" data-name="nightly-export">([\s\S]*?)<\/article>/.exec(html)?.[1] ?? "";
    assert.match(workflow, /nightly-export\/&lt;instance id&gt;/);
    assert.match(workflow, /10 min by default, at most 15 min/);
    assert.match(workflow, /No federated target/);
  });

  it("escapes every field it shows", () => {
    const hostile: RuntimeWorkload = {
      ...billing,
      name: HOSTILE,
      subject: HOSTILE,
      audiences: [HOSTILE],
      targets: [{ party: "gcp", target: HOSTILE, audience: HOSTILE, trusts: [{ issuer: HOSTILE, subject: HOSTILE }] }],
      native: { issuer: HOSTILE, subject: HOSTILE, jwksUri: HOSTILE },
    };
    const html = renderRegistry({
      workloads: [hostile],
      workflows: [{ ...nightly, name: HOSTILE, subjectPrefix: HOSTILE }],
    });
    assert.ok(!html.includes("<script>"), "a raw <script> reached the page");
    assert.ok(!html.includes(`"'&`), "a raw quote reached the page");
    assert.ok(html.split(ESCAPED).length - 1 >= 10, "not every field was shown escaped");
  });
});

describe("operator page: issuance and refusals", () => {
  it("counts per requester, audience, outcome and code, then the last events", () => {
    const html = renderActivity(activity());
    const refused = /<tr class="count count-refused">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? "";
    assert.match(
      refused,
      /billing <span class="kind">workload<\/span><\/td><td><code>\(other\)<\/code><\/td><td><span class="outcome outcome-refused">REFUSED<\/span><\/td><td><code>ERR_AUDIENCE_NOT_ALLOWED<\/code><\/td>\s*<td class="number">3<\/td>/,
    );
    const issued = /<tr class="count count-issued">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? "";
    assert.match(issued, /<td class="number">12<\/td>/);
    assert.match(
      html,
      /<tr class="event event-refused">\s*<td><time datetime="2026-12-04T11:59:30Z">2026-12-04 11:59:30 UTC<\/time><\/td><td>rpc<\/td>/,
    );
    assert.match(html, /Counted since .*2026-12-04 10:00:00 UTC/);
  });

  it("says when nothing was recorded, and when events went uncounted", () => {
    assert.match(
      renderActivity({ since: null, counts: [], recent: [], limits: { counts: 0, recent: 0 }, uncounted: 0 }),
      /No token request recorded yet/,
    );
    assert.match(renderActivity(activity({ uncounted: 7 })), /<strong>7 events are in no row<\/strong>/);
  });

  it("escapes what storage holds", () => {
    const html = renderActivity(
      activity({
        counts: [{ ...activity().counts[0]!, name: HOSTILE, audience: HOSTILE, code: HOSTILE }],
        recent: [{ ...activity().recent[0]!, name: HOSTILE, audience: HOSTILE, code: HOSTILE }],
      }),
    );
    assert.ok(!html.includes("<script>"));
    assert.equal(html.split(ESCAPED).length - 1, 6);
  });
});

describe("operator page: revocations in force", () => {
  it("lists each entry with when it was revoked and how long it is kept, a token's jti left off", () => {
    const html = renderRevocations(revocations());
    assert.match(html, /every token of ledger-sync issued up to <time datetime="2026-12-04T11:50:00Z">/);
    assert.match(html, /<td>token<\/td><td>one token \(expires <time datetime="2026-12-04T12:03:20Z">/);
    assert.match(html, /kept until/);
    assert.ok(!html.includes(REVOKED_JTI), "the page shows a revoked token's jti");
  });

  it("says when none is in force", () => {
    assert.match(renderRevocations({ now: NOW / 1_000, entries: [] }), /No revocation is in force/);
  });
});

describe("operator page: the document", () => {
  const config = {
    project: "worker-identity",
    stack: "test",
    issuer: { issuerUrl: "https://id.example.dev" } as never,
    workloads: [billing],
    workflows: [nightly],
  };

  it("has the four panels, the issuer's stylesheet and no script or inline style at all", () => {
    const html = renderPage({ config, view: adminView(), viewer: "admin token", session: false });
    for (const id of ["keys", "registry", "activity", "revocations"])
      assert.match(html, new RegExp(`<section id="${id}"`));
    assert.match(html, /<link rel="stylesheet" href="\/admin\/page\.css">/);
    assert.ok(!/<script|\son[a-z]+=|style=|javascript:/i.test(html), "the page holds script or inline style");
    assert.ok(!html.includes("Sign out"), "a Bearer viewer has no session to end");
    assert.match(renderPage({ config, view: adminView(), viewer: "x", session: true }), /action="\/admin\/sign-out"/);
  });

  it("the sign-in form posts the token to /admin/session and shows its notice escaped", () => {
    const html = renderSignIn({ project: "p", stack: "s", notice: HOSTILE });
    assert.match(html, /<form method="post" action="\/admin\/session">/);
    assert.match(html, /<input id="token" name="token" type="password"/);
    assert.ok(html.includes(`<p class="notice" role="alert">${ESCAPED}</p>`));
    assert.ok(!/<script/i.test(html));
  });
});
