// biome-ignore-all lint/performance/useDomNodeTextContent: the test reads what a person sees, which is innerText (rendered, CSS applied), not the DOM's textContent.
// The operator page as a person sees it: Debian's Chromium, driven by playwright-core (never a
// downloaded browser), loads /admin/ from `npm start`, signs in through the form with the local
// admin token, and reads the page: the timeline's keys and their dates against GET /admin/keys, a
// key revoked through the admin API drawn as revoked, a refused audience counted, the registry's
// targets. It saves screenshots to test-output/ (operator-page.png, and -keys.png of the timeline).
// Without a browser the suite is not registered (mocha here forbids pending tests) and the run
// says so plainly, at its start and its end, with how to get one; WID_REQUIRE_BROWSER=1 (CI, set
// by .ci/run after installing Debian's chromium) makes a missing browser a failure instead.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { validateStackConfig } from "../../worker/config/validate.js";
import { readStackConfigMap } from "../../worker/config-files/stack-file.js";
import { federatedTargets } from "../../worker/trust/targets.js";
import { freePort } from "../support/free-port.js";
import { startLocal, stopLocal } from "../support/local-start.js";
import { REPO_ROOT } from "../support/run-tsx.js";

/** The browser's own function, called inside the page by `evaluate` (this program has no DOM lib). */
declare const getComputedStyle: (element: unknown) => { borderTopStyle: string; stroke: string; fill: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** What this machine's closed network needs: nothing that phones home, no sandbox (root in a container), no GPU. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const SCREENSHOT = resolve(REPO_ROOT, "test-output/operator-page.png");
const REFUSED_AUDIENCE = "https://not-an-allowed-audience.example";

interface ListedKey {
  readonly kid: string;
  readonly state: string;
  readonly publishedAt: number | null;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
  readonly unpublishAt: number | null;
}

/** The page's date text, written here from the ISO string, not with the page's own formatter. */
function shown(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

const MISSING_BROWSER = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}, so the operator page's browser test did NOT run. ` +
    "Install Debian's package (apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.";

/** `describe`, or (no browser, not required) a plain notice at the run's start and end instead of the suite. */
const browserSuite: (title: string, body: (this: Mocha.Suite) => void) => void =
  MISSING_BROWSER === undefined || process.env.WID_REQUIRE_BROWSER === "1"
    ? describe
    : (title) => {
        const notice = `\n  ${title}: ${MISSING_BROWSER}\n`;
        console.warn(notice);
        after(() => console.warn(notice));
      };

browserSuite("operator page: in a real browser, from npm start", function () {
  this.timeout(240_000);
  let child: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let stateDir: string;
  let profileDir: string;
  let issuer: string;
  let adminToken: string;
  let revokedKid: string;
  let keysAfter: ListedKey[];
  let rotationPeriodDays: number;
  let banner: string;

  const admin = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${issuer}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminToken}`, ...(init.headers ?? {}) },
    });
    assert.ok(response.ok, `${init.method ?? "GET"} ${path}: ${response.status} ${await response.clone().text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };

  before(async () => {
    if (MISSING_BROWSER !== undefined) throw new Error(`${MISSING_BROWSER} (WID_REQUIRE_BROWSER=1 requires a browser)`);
    stateDir = mkdtempSync(join(tmpdir(), "wid-browser-state-"));
    profileDir = mkdtempSync(join(tmpdir(), "wid-browser-profile-"));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const started = await startLocal(port, stateDir);
    child = started.child;
    banner = started.banner;
    adminToken = (JSON.parse(readFileSync(join(stateDir, "local-secrets.json"), "utf8")) as { adminToken: string })
      .adminToken;

    // One token issued (so a key exists and signs), one audience refused, then the active key
    // revoked through the admin API: a fresh key takes over, the old one is drawn as revoked.
    const issued = await fetch(`${issuer}/workloads/billing/token?audience=sts.amazonaws.com`);
    assert.equal(issued.status, 200, await issued.clone().text());
    const refused = await fetch(`${issuer}/workloads/billing/token?audience=${encodeURIComponent(REFUSED_AUDIENCE)}`);
    assert.match(await refused.text(), /ERR_AUDIENCE_NOT_ALLOWED/);
    const before = (await admin("/admin/keys")) as unknown as { keys: ListedKey[] };
    const active = before.keys.find((k) => k.state === "active");
    assert.ok(active, "no active key after an issuance");
    revokedKid = active.kid;
    await admin(`/admin/keys/${revokedKid}/revoke`, { method: "POST" });
    const listing = (await admin("/admin/keys")) as unknown as { keys: ListedKey[]; rotationPeriodDays: number };
    keysAfter = listing.keys;
    rotationPeriodDays = listing.rotationPeriodDays;
    assert.ok(!keysAfter.some((k) => k.kid === revokedKid));

    // launchPersistentContext: the profile is the fresh directory made above (--user-data-dir).
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    if (child !== undefined) await stopLocal(child);
    for (const dir of [stateDir, profileDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("is announced by npm start beside the issuer: its URL and where the token is, never the token", () => {
    assert.match(
      banner,
      new RegExp(
        `operator +${issuer}/admin/ +\\(the operator page: sign in with the adminToken in ${stateDir}/local-secrets\\.json\\)`,
      ),
    );
    assert.ok(!banner.includes(adminToken), "npm start printed the admin token");
  });

  it("shows the sign-in form first, and signs in with the admin token", async () => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${issuer}/admin`);
    assert.equal(new URL(page.url()).pathname, "/admin/");
    assert.equal(await page.locator("section#keys").count(), 0, "the page before signing in");
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector("section#keys");
    assert.equal(new URL(page.url()).pathname, "/admin/");
    const cookies = await context!.cookies(`${issuer}/admin/`);
    const session = cookies.find((c) => c.name === "wid_admin_session");
    assert.ok(session, "no session cookie");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.notEqual(session.value, adminToken);
    // The stylesheet applied: the timeline has its border, which no browser default gives an svg.
    const border = await page.locator("svg.timeline").evaluate((el) => getComputedStyle(el).borderTopStyle);
    assert.equal(border, "solid");
    assert.deepEqual(violations, [], "the page broke its own CSP");
  });

  it("draws the timeline's keys with the dates GET /admin/keys gives", async () => {
    for (const key of keysAfter) {
      const row = page.locator(`tr.key-row[data-kid="${key.kid}"]`);
      assert.equal(await row.count(), 1, `no row for ${key.kid}`);
      const cells = await row.locator("td").allInnerTexts();
      assert.equal(cells[0], key.kid);
      assert.equal(cells[1], key.state.toUpperCase());
      if (key.publishedAt !== null) assert.ok(cells[3]?.startsWith(shown(key.publishedAt)), `published: ${cells[3]}`);
      if (key.activatedAt !== null) assert.equal(cells[4], shown(key.activatedAt));
      if (key.retiredAt !== null) assert.equal(cells[5], shown(key.retiredAt));
      if (key.unpublishAt !== null) assert.equal(cells[6], `${shown(key.unpublishAt)} (planned)`);
      const lane = page.locator(`svg.timeline g.lane-${key.state}`, { hasText: key.kid.slice(0, 14) });
      assert.equal(await lane.count(), 1, `no ${key.state} lane for ${key.kid}`);
    }
    const svgText = await page.locator("svg.timeline").textContent();
    assert.match(svgText ?? "", /now \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match(svgText ?? "", /next step \d{4}-\d\d-\d\d/);
    const facts = await page.locator("section#keys dl.facts").innerText();
    assert.match(facts, new RegExp(`Rotation period\\s+${rotationPeriodDays} days`));
    assert.match(facts, /Next scheduled step\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: /);
    assert.match(facts, /JWKS cache bound\s+relying parties may cache the JWKS for/);
  });

  it("draws the key revoked through the admin API as revoked", async () => {
    const row = page.locator(`tr.key-row[data-kid="${revokedKid}"]`);
    assert.equal(await row.locator("td.state").innerText(), "REVOKED");
    const lane = page.locator("svg.timeline g.lane-revoked", { hasText: revokedKid.slice(0, 14) });
    assert.equal(await lane.count(), 1);
    assert.match((await lane.textContent()) ?? "", /REVOKED/);
    // A line's box has no height, so "visible" is judged by its length and its paint.
    const strike = await lane.locator("line.strike").evaluate((el) => ({
      width: el.getBoundingClientRect().width,
      stroke: getComputedStyle(el).stroke,
    }));
    assert.ok(strike.width >= 12, `the strike through the revoked lane is ${strike.width} px long`);
    assert.equal(strike.stroke, "rgb(207, 34, 46)");
    const mark = lane.locator("text.mark-revoked");
    assert.ok(await mark.isVisible(), "no visible ✕ on the revoked lane");
    assert.equal(await mark.evaluate((el) => getComputedStyle(el).fill), "rgb(207, 34, 46)");
  });

  it("counts the refused audience after the refusal", async () => {
    const refused = page.locator("table.counts tr.count-refused", { hasText: "billing" });
    // The isolate reports its events after answering (waitUntil): reload until they are in.
    for (let i = 0; i < 20 && (await refused.count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
    }
    assert.equal(await refused.count(), 1, await page.locator("section#activity").innerText());
    const cells = await refused.locator("td").allInnerTexts();
    assert.match(cells[0] ?? "", /^billing\s+workload$/);
    assert.equal(cells[1], "(other)", "the refused audience is echoed, or not recorded as (other)");
    assert.equal(cells[2], "REFUSED");
    assert.equal(cells[3], "ERR_AUDIENCE_NOT_ALLOWED");
    assert.equal(cells[4], "1");
    const issued = page.locator("table.counts tr.count-issued", { hasText: "sts.amazonaws.com" });
    assert.ok((await issued.count()) >= 1, "the issuance is not counted");
    assert.ok(!(await page.content()).includes(REFUSED_AUDIENCE), "the page echoes a refused audience");
  });

  it("lists the registry's workloads with the targets the stack declares", async () => {
    const raw = readStackConfigMap(resolve(REPO_ROOT, "Pulumi.dev.yaml"));
    const validated = validateStackConfig(raw.config, {
      project: raw.project,
      stack: raw.stack,
      localIssuerUrl: issuer,
      ...(raw.registry === undefined ? {} : { registry: raw.registry }),
    });
    let targets = 0;
    for (const entry of [...validated.workloads, ...validated.workflows]) {
      const article = page.locator(`article.entry[data-name="${entry.name}"]`);
      assert.equal(await article.count(), 1, `no entry for ${entry.name}`);
      const shownText = await article.innerText();
      for (const audience of entry.audiences) assert.ok(shownText.includes(audience), `${entry.name}: ${audience}`);
      for (const target of federatedTargets(validated, entry)) {
        targets++;
        const row = article.locator("tr.target", { hasText: target.target });
        assert.ok((await row.count()) >= 1, `${entry.name}: no row for ${target.party} ${target.target}`);
        assert.ok((await row.first().innerText()).includes(target.audience), `${entry.name}: ${target.audience}`);
      }
    }
    assert.ok(targets >= 4, `only ${targets} targets in Pulumi.dev.yaml`);
  });

  it("saves a screenshot, then signs out", async () => {
    mkdirSync(resolve(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.locator("section#keys").screenshot({ path: SCREENSHOT.replace(".png", "-keys.png") });
    assert.ok(existsSync(SCREENSHOT));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForSelector("form[action='/admin/session']");
    assert.equal(await page.locator("section#keys").count(), 0);
  });
});
