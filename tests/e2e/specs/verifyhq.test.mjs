// VerifyHQ behind the same desk, in the real window: its waiting verifications sit in the one
// queue with a provider tag; D declines one by keyboard and VerifyHQ gets a review with the
// reviewer as reviewedBy and the reason and comment in reviewNotes; the case says what VerifyHQ
// cannot do, B opens no blocklist, and R restarts the verification (no steps to pick). Each
// reaches VerifyHQ once.
import assert from "node:assert/strict";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl, waitText } from "../harness.mjs";

const ENV = {
  REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah",
  REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn",
  REVIEW_DESK_SANDBOX_SESSIONS: "40",
  REVIEW_DESK_SANDBOX_VERIFYHQ: "1",
};

desktopTest("a reviewer declines and restarts VerifyHQ verifications from the same queue and each reaches VerifyHQ once", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  // 40 Didit sessions and the waiting verifications of the four seeded VerifyHQ users.
  await waitText(browser, "queue-count", /^43 in review$/);
  // Searching their users' ids (the table renders only the rows near the view) shows all three.
  await browser.keys(["/"]);
  await browser.$("#queue-search").addValue("vhq_user");
  await waitText(browser, "shown-count", /^3 shown$/);
  const tags = await browser.$$('[data-testid="provider-tag"]');
  assert.equal(tags.length, 3);
  assert.equal(await tags[0].getText(), "VerifyHQ");
  const ids = await browser.execute(() => [...document.querySelectorAll('[data-testid="provider-tag"]')]
    .map((tag) => tag.closest('[data-testid="queue-row"]')?.getAttribute("data-case-id")));
  for (const id of ids) assert.match(id, /^verifyhq:ver_[0-9a-f]{12}$/);
  const ledgerOf = async (id) => (await (await fetch(`${base}/_sandbox/ledger`)).json())
    .filter((e) => e.api === "verifyhq" && e.target === id.slice("verifyhq:".length));

  // D: a review REJECTED, with who decided and why.
  await browser.$(`[data-case-id="${ids[1]}"]`).click();
  await waitText(browser, "case-title", /^VerifyHQ verification$/);
  await browser.keys(["d"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["1"]);
  await browser.$('[data-testid="decision-comment"]').addValue("Document photo is a screen capture");
  await browser.keys([Key.Ctrl, "Enter"]);
  await browser.waitUntil(async () => (await ledgerOf(ids[1])).length > 0, { timeout: 40_000, timeoutMsg: "the decline never reached VerifyHQ" });
  const [review] = await ledgerOf(ids[1]);
  assert.equal(review.effect, "review REJECTED");
  assert.equal(review.actor, "Amira Ben Salah <amira@dhmad.tn>");
  assert.match(review.detail.reviewNotes, /^\[Review Desk · Amira Ben Salah <amira@dhmad\.tn> · [^\]]+\] .*Document photo is a screen capture \(reason: [a-z-]+\)$/);

  const caseId = ids[0];
  await browser.$(`[data-case-id="${caseId}"]`).click();
  await waitText(browser, "case-title", /^VerifyHQ verification$/);
  await waitText(browser, "provider-limits", /no blocklist and no AML hit reviews/);

  // What VerifyHQ lacks is absent, not an error after the fact.
  await browser.keys(["b"]);
  await browser.pause(300);
  assert.equal(await browser.$('[data-testid="blocklist-dialog"]').isExisting(), false);

  await browser.keys(["r"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await waitText(browser, "restart-note", /starts a new one/);
  await browser.keys(["1"]);
  await browser.$('[data-testid="decision-comment"]').addValue("Liveness failed twice — إعادة");
  await browser.keys([Key.Ctrl, "Enter"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000, reverse: true });

  const id = caseId.slice("verifyhq:".length);
  let ours = [];
  await browser.waitUntil(async () => {
    const ledger = await (await fetch(`${base}/_sandbox/ledger`)).json();
    ours = ledger.filter((e) => e.api === "verifyhq" && e.target === id);
    return ours.length > 0;
  }, { timeout: 40_000, timeoutMsg: "the restart never reached VerifyHQ" });
  await browser.pause(2_000);
  const ledger = await (await fetch(`${base}/_sandbox/ledger`)).json();
  assert.deepEqual(
    ledger.filter((e) => e.api === "verifyhq").map((e) => [e.effect, e.target]),
    [["review REJECTED", ids[1].slice("verifyhq:".length)], ["restart", id]],
  );
}, { env: ENV });

desktopTest("the watch list decides which VerifyHQ users' cases are in the queue", async ({ browser }) => {
  await waitText(browser, "queue-count", /^43 in review$/);
  await browser.keys(["w"]);
  await waitText(browser, "watch-explainer", /only a user's/);
  await waitText(browser, "watch-count", /^4 of at most 5000 users$/);

  await browser.$('button[aria-label="Stop watching vhq_user_0001"]').click();
  await waitText(browser, "watch-report", /^3 watched \(was 4\)\.$/);
  await browser.keys(["q"]);
  await waitText(browser, "queue-count", /^42 in review$/);

  await browser.keys(["w"]);
  const input = await browser.$('[data-testid="watch-input"]');
  await input.waitForExist({ timeout: 5_000 });
  await input.setValue("bad id!");
  await browser.keys(["Enter"]);
  await waitText(browser, "watch-error", /"id!" is not a VerifyHQ user id/);
  await waitText(browser, "watch-count", /^3 of/);
  // Cleared as a person would (WebDriver's own clear does not reach React's state), then typed.
  await input.click();
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys(["Backspace"]);
  await browser.waitUntil(async () => (await input.getValue()) === "", { timeout: 5_000, timeoutMsg: "the field did not clear" });
  await input.addValue("vhq_user_0001");
  await browser.waitUntil(async () => (await input.getValue()) === "vhq_user_0001", { timeout: 5_000, timeoutMsg: "the id was not typed whole" });
  await browser.keys(["Enter"]);
  await waitText(browser, "watch-report", /^4 watched \(was 3\)\.$/);
  await browser.$('[data-testid="nav-queue"]').click();
  await waitText(browser, "queue-count", /^43 in review$/);
}, { env: ENV });
