// The team lead's audit in the real window: a decision made at this desk, then, as a lead, the
// audit filtered by reviewer and outcome, Verify, and an export whose file holds exactly that
// entry, with its signed head beside it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl, waitText, becomeLead } from "../harness.mjs";

const ME = "Amira Ben Salah <amira@dhmad.tn>";

desktopTest("a lead filters the audit by reviewer and outcome, verifies the chain and exports the view", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await browser.keys(["j"]);
  await waitText(browser, "case-title", /^Session 1000$/);
  await browser.keys(["d"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["1"]);
  await browser.$('[data-testid="decision-comment"]').addValue("=HYPERLINK(\"x\") altered document");
  await browser.keys([Key.Ctrl, "Enter"]);
  await browser.waitUntil(async () => (await (await fetch(`${base}/_sandbox/ledger`)).json()).length === 1, { timeout: 40_000, timeoutMsg: "the decision was never sent" });

  await becomeLead(browser);
  await browser.keys([Key.Shift, "a"]);
  await browser.$('[data-testid="audit-page"]').waitForExist({ timeout: 10_000 });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="audit-row"]').length) >= 3, { timeout: 10_000, timeoutMsg: "the audit never listed the decision's entries" });

  await browser.$(`[data-testid="audit-filter-actor"] option[value="${ME}"]`).waitForExist({ timeout: 10_000 });
  await browser.$('[data-testid="audit-filter-actor"]').selectByAttribute("value", ME);
  await browser.$('[data-testid="audit-filter-state"]').selectByAttribute("value", "applied");
  await browser.$('[data-testid="audit-apply"]').click();
  await waitText(browser, "audit-count", /^1 shown$/);
  // The row's cells as the DOM holds them (WebKitWebDriver gives no visible text for the
  // virtualized rows, which are positioned by transform).
  const rowText = () => browser.execute(() => document.querySelector('[data-testid="audit-row"]')?.textContent ?? "");
  await browser.waitUntil(async () => /Amira Ben Salah <amira@dhmad\.tn>declineapplied/.test(await rowText()), { timeout: 10_000, timeoutMsg: "the filtered entry is not the applied decline" });

  await browser.$('[data-testid="audit-verify"]').click();
  await waitText(browser, "verify-result", /^OK: \d+ entries, the chain holds/);

  await browser.$('[data-testid="audit-export"]').click();
  await waitText(browser, "export-result", /^1 entries written to /);
  const said = await browser.$('[data-testid="export-result"]').getText();
  const [, file, checkpoint] = /written to (\S+); signed head \(entry \d+\) in (\S+)$/.exec(said);
  assert.ok(existsSync(checkpoint), checkpoint);
  const lines = readFileSync(file, "utf8").trim().split("\r\n");
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0], /^seq,at,actor,action,case_id/);
  assert.match(lines[1], /,Amira Ben Salah <amira@dhmad\.tn>,decline,/);
  assert.match(lines[1], /\[withheld: \d+ characters\]/, "comments are withheld without a reason");

  // The export signed the head: Verify now also says the last checkpoint still matches.
  await browser.$('[data-testid="audit-verify"]').click();
  await waitText(browser, "verify-checkpoint", /the last signed checkpoint still matches/);

  // The figures' charts draw inside the strict CSP (and the frozen prototypes): the decline's
  // red bar is on the canvas, and no policy was violated.
  await browser.execute(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective));
  });
  await browser.$('[data-testid="audit-figures"] summary').click();
  await browser.$('[data-testid="chart-verdicts"] canvas').waitForExist({ timeout: 10_000 });
  const red = () => browser.execute(() => {
    const canvas = document.querySelector('[data-testid="chart-verdicts"] canvas');
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - 198) < 8 && Math.abs(px[i + 1] - 40) < 8 && Math.abs(px[i + 2] - 40) < 8) n++;
    return n;
  });
  await browser.waitUntil(async () => (await red()) > 100, { timeout: 10_000, timeoutMsg: "the verdicts chart never drew the decline" });
  assert.deepEqual(await browser.execute(() => window.__cspViolations), []);

  // Enter on the entry opens its case, with the timeline.
  await browser.$('[data-testid="audit-row"]').click();
  await waitText(browser, "case-title", /^Session 1000$/);
}, { env: { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn" } });
