// AML hits one by one, keyboard only: H opens the review, a digit picks the hit, F marks it a
// false positive, the comment says why, Ctrl+Enter queues it; the sandbox's ledger holds exactly
// that change, and the case's timeline shows Didit's AML activity.
import assert from "node:assert/strict";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl, waitText } from "../harness.mjs";

const KEY = "sandbox_didit_key_0123456789abcdef";
const REVIEWER = { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn" };

async function get(base, path) {
  return (await fetch(`${base}${path}`, { headers: { "x-api-key": KEY } })).json();
}

desktopTest("a reviewer marks an AML hit a false positive by keyboard and it reaches Didit once", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  const page = await get(base, "/v3/sessions/?status=In%20Review&limit=200");
  let target = null;
  for (const row of page.results) {
    const decision = await get(base, `/v3/session/${row.session_id}/decision/`);
    const hit = decision.aml_screenings?.[0]?.hits?.[0];
    if (hit) { target = { id: row.session_id, number: row.session_number, hit: hit.id }; break; }
  }
  assert.ok(target, "the seed has a case in review with an AML hit");

  await browser.keys(["/"]);
  await browser.$('input[type="search"]').addValue(String(target.number));
  await browser.waitUntil(async () => /^1 shown$/.test(await browser.$('[data-testid="shown-count"]').getText().catch(() => "")), { timeout: 10_000 });
  await browser.keys(["Enter"]);
  await waitText(browser, "case-title", new RegExp(`^Session ${target.number}$`));
  await browser.keys(["h"]);
  await browser.$('[data-testid="aml-dialog"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["1"]);
  await browser.keys(["f"]);
  const focused = await browser.execute(() => document.activeElement?.getAttribute("data-testid"));
  assert.equal(focused, "aml-comment", "picking the status moves focus to the comment");
  await browser.$('[data-testid="aml-comment"]').addValue("Different date of birth and nationality");
  await browser.keys([Key.Ctrl, "Enter"]);
  await waitText(browser, "notice", /AML: hit marked False Positive — queued\./);

  await browser.waitUntil(async () => (await (await fetch(`${base}/_sandbox/ledger`)).json()).length === 1, { timeout: 20_000 });
  const ledger = await (await fetch(`${base}/_sandbox/ledger`)).json();
  assert.equal(ledger[0].effect, "aml-hit-status");
  assert.equal(ledger[0].target, target.id);
  assert.equal(ledger[0].detail.hit_id, target.hit);
  assert.equal(ledger[0].detail.review_status, "False Positive");
  const decision = await get(base, `/v3/session/${target.id}/decision/`);
  assert.equal(decision.status, "In Review", "an AML review does not decide the case");
}, { env: REVIEWER });
