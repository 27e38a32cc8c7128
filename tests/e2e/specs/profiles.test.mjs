// A Live profile in the real window: keys typed into the settings go to the real Secret
// Service, "Test connection" reports what the API said, and switching opens its queue.
// The "live" APIs here are a `desk sandbox serve` process on loopback.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Key } from "webdriverio";
import { desktopTest, repoRoot } from "../harness.mjs";

async function serveSandbox(sessions) {
  const child = spawn(join(repoRoot, "target/debug/desk"), ["sandbox", "serve", "--sessions", String(sessions), "--seed", "3"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const env = {};
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [k, v] = line.split("=");
    if (v) env[k] = v;
    if (env.VERIFYHQ_API_KEY) break;
  }
  return { child, env };
}

// Typed as a person would: select what is there, delete it, type. (WebDriver's programmatic
// clear does not reach React, so a re-render in between would put the old value back.)
async function fill(browser, label, value) {
  const input = await browser.$(`//label[contains(., "${label}")]//input`);
  await input.click();
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(["Backspace"]);
  await input.addValue(value);
  await browser.waitUntil(async () => (await input.getValue()) === value, { timeout: 5_000, timeoutMsg: `${label} did not take ${value}` });
}

desktopTest("a live profile keeps its keys in the keyring, tests its connection and opens its queue", async ({ browser, dataDir }) => {
  const live = await serveSandbox(37);
  try {
    await browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 20_000 });
    await browser.keys(["p"]);
    await browser.$('[data-testid="profiles"]').waitForExist({ timeout: 5_000 });
    await fill(browser, "Name", "Local live");
    await fill(browser, "Didit URL", live.env.DIDIT_BASE_URL);
    await fill(browser, "DHMAD API URL", live.env.DHMAD_BASE_URL);
    await fill(browser, "Reviewer name", "Amira Ben Salah");
    await fill(browser, "Reviewer email", "amira@dhmad.tn");
    await fill(browser, "Didit API key", live.env.DIDIT_API_KEY);
    await fill(browser, "DHMAD API key", live.env.DHMAD_API_KEY);
    await fill(browser, "VerifyHQ URL", live.env.VERIFYHQ_BASE_URL);
    await fill(browser, "VerifyHQ API key", live.env.VERIFYHQ_API_KEY);
    await browser.$("button=Save profile").click();
    await browser.$("//*[contains(text(), 'Didit key saved · DHMAD key saved · VerifyHQ key saved')]").waitForExist({ timeout: 10_000 });

    const row = await browser.$("//tr[.//th[starts-with(., 'Local live')]]");
    await row.$("button=Test connection").click();
    const report = await row.$('[data-testid="connection-report"]');
    await report.waitForExist({ timeout: 10_000 });
    assert.match(await report.getText(), /Didit answered: 37 sessions in review/);
    assert.match(await report.getText(), /DHMAD answered: the key is accepted/);
    assert.match(await report.getText(), /VerifyHQ answered: the key is accepted/);

    await row.$("button=Switch").click();
    const count = await browser.$('[data-testid="queue-count"]');
    await browser.waitUntil(async () => (await count.getText()) === "37 in review", { timeout: 30_000, timeoutMsg: "the live queue never showed" });
    assert.ok(!(await browser.$('[data-testid="simulated-banner"]').isExisting()), "no SIMULATED banner on a live profile");
    assert.match(await browser.$('[data-testid="statusbar"]').getText(), /Profile: Local live/);

    // VerifyHQ's cases join once a user is watched (a Live profile starts watching nobody).
    await browser.keys(["w"]);
    await browser.$('[data-testid="watch-input"]').setValue("vhq_user_0001");
    await browser.keys(["Enter"]);
    await browser.$('[data-testid="watch-report"]').waitForExist({ timeout: 10_000 });
    await browser.$('[data-testid="nav-queue"]').click();
    await browser.waitUntil(async () => (await count.getText()) === "38 in review", { timeout: 30_000, timeoutMsg: "the VerifyHQ case never joined the queue" });
    // Each provider's own rate budget: Didit's reads and writes, VerifyHQ's one window.
    const budget = await browser.$('[data-testid="rate-budget"]');
    await browser.waitUntil(async () => /^Budget: Didit \d+\/600 reads · \d+\/300 writes · VerifyHQ \d+\/100 requests$/.test(await budget.getText()),
      { timeout: 10_000, timeoutMsg: "the status bar does not show both providers' budgets" });

    // The profile file names the profile and never a key.
    const book = await readFile(join(dataDir, "profiles.json"), "utf8");
    assert.match(book, /Local live/);
    for (const key of [live.env.DIDIT_API_KEY, live.env.DHMAD_API_KEY, live.env.VERIFYHQ_API_KEY]) {
      assert.ok(!book.includes(key), "profiles.json holds a key");
      assert.ok(!(await browser.getPageSource()).includes(key), "the DOM holds a key");
      for (const f of await readdir(join(dataDir, "logs"))) {
        assert.ok(!(await readFile(join(dataDir, "logs", f), "utf8")).includes(key), "a log holds a key");
      }
    }
  } finally {
    live.child.kill();
  }
});

const unopenable = await mkdtemp(join(tmpdir(), "review-desk-e2e-book-"));
await writeFile(join(unopenable, "profiles.json"), JSON.stringify({
  active: "Live without keys",
  profiles: [{ name: "Live without keys", kind: "Live", diditUrl: "https://verification.didit.me", dhmadUrl: "https://dhmad.tn/api/v1", reviewerName: "Amira", reviewerEmail: "amira@dhmad.tn" }],
}));

desktopTest("a live profile whose keys are missing falls back to the sandbox and says why", async ({ browser }) => {
  const notice = await browser.$('[data-testid="startup-notice"]');
  await notice.waitForExist({ timeout: 20_000 });
  assert.equal(
    await notice.getText(),
    "Profile Live without keys could not open (the Didit API key of this profile is not set); the Sandbox profile is open instead.",
  );
  assert.ok(await browser.$('[data-testid="simulated-banner"]').isExisting());
  assert.ok(!(await browser.$('[data-testid="first-run"]').isExisting()), "a desk with a profile book is not on its first run");
}, { env: { REVIEW_DESK_DATA_DIR: unopenable } });
