// The lead's second look in the real window, on a team store: the lead sets the share of
// approvals drawn; another desk (a real `desk` process) approves a case; the lead sees it in the
// blind re-review queue without the first verdict or who gave it, disagrees with a reason and a
// comment, and only then learns the first verdict; the disagreement is listed for discussion and
// nothing reaches the provider.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl, waitText, becomeLead } from "../harness.mjs";
import { otherDesk as teamDesk, startPostgres } from "../postgres.mjs";

const postgres = await startPostgres([
  { login: "amira", name: "Amira Ben Salah", email: "amira@dhmad.tn", role: "lead" },
  { login: "youssef", name: "Youssef Trabelsi", email: "youssef@dhmad.tn", role: "reviewer" },
]);
after(() => postgres.stop());
const otherDesk = (base, dataDir, args) => teamDesk(postgres.urlOf("youssef"), base, dataDir, args);

desktopTest("a lead's blind second look at another reviewer's approval: disagreement flagged, nothing sent", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await becomeLead(browser);
  await browser.keys([Key.Shift, "r"]);
  await browser.$('[data-testid="blind-page"]').waitForExist({ timeout: 10_000 });
  await browser.$('[data-testid="blind-share"]').addValue("100");
  await browser.keys(["Enter"]);
  await browser.waitUntil(async () => /100 % of approvals drawn/.test(await browser.$("h2").getText()), { timeout: 10_000, timeoutMsg: "the share was never set" });

  const otherData = await mkdtemp(join(tmpdir(), "review-desk-other-"));
  try {
    const claimed = await otherDesk(base, otherData, ["claim", "next", "--json"]);
    assert.ok(claimed.ok, claimed.stderr);
    const caseId = JSON.parse(claimed.stdout)[0].caseId;
    const decided = await otherDesk(base, otherData, ["decide", caseId, "--verdict", "approve", "--reason", "ok", "--undo-secs", "0"]);
    assert.ok(decided.ok, decided.stderr);
    const drained = await otherDesk(base, otherData, ["outbox", "drain"]);
    assert.match(drained.stdout, /1 applied/, drained.stderr);

    // The approval reaches the lead's queue (the other desk copied it onto the team's log).
    await browser.waitUntil(async () => {
      await browser.$('[data-testid="nav-queue"]').click();
      await browser.$('[data-testid="nav-second-look"]').click();
      await browser.$('[data-testid="blind-counts"]').waitForExist({ timeout: 5_000 });
      return (await browser.$$('[data-testid="blind-item"]').length) === 1;
    }, { timeout: 20_000, interval: 500, timeoutMsg: "the drawn approval never reached the lead" });
    await browser.$('[data-testid="blind-item"]').click();
    await browser.$('[data-testid="blind-case"]').waitForExist({ timeout: 20_000 });
    const blind = await browser.$('[data-testid="blind-case"]').getText();
    assert.match(blind, /Session \d+\s*Hidden for the blind re-review/, `the session's status is hidden: ${blind.slice(0, 400)}`);
    assert.doesNotMatch(blind, /Youssef|read-only/i, "who gave the first verdict stays hidden");

    await browser.$('[data-testid="blind-verdict-decline"]').click();
    await browser.$('[data-testid="blind-reason"]').selectByIndex(1);
    await browser.$('[data-testid="blind-comment"]').addValue("The selfie does not match the document");
    await browser.$('[data-testid="blind-submit"]').click();
    await waitText(browser, "blind-outcome", /The first verdict was approve by Youssef Trabelsi <youssef@dhmad\.tn>: you disagree/);
    await waitText(browser, "disagreement", /approved by Youssef Trabelsi <youssef@dhmad\.tn>; Amira Ben Salah <amira@dhmad\.tn> would decline .*The selfie does not match the document/);
    const rows = await browser.$$('[data-testid="agreement-row"]').map((r) => r.getText());
    // Looked at 1, agreed 0, rate 0 % (the cells read run together).
    assert.ok(rows.some((t) => /^Youssef Trabelsi <youssef@dhmad\.tn>\s*1\s*0\s*0 %$/.test(t)), rows.join("\n"));
    await browser.$('[data-testid="chart-agreement-reviewer"] canvas').waitForExist({ timeout: 10_000 });

    // Never overturned: the provider only ever saw the approval.
    const ledger = (await (await fetch(`${base}/_sandbox/ledger`)).json()).filter((e) => e.target === caseId);
    assert.equal(ledger.length, 1, JSON.stringify(ledger));
  } finally {
    await rm(otherData, { recursive: true, force: true });
  }
}, { env: { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn", REVIEW_DESK_TEAM_STORE: postgres.urlOf("amira") }, canaries: postgres.passwords });
