// The outbox in the real window, keyboard only: undo inside the window, a decision sent after
// it, decisions queued while the APIs are down and drained in order when they are back, and a
// double Ctrl+Enter that still makes one action.
import assert from "node:assert/strict";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl, waitText } from "../harness.mjs";

const REVIEWER = { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn" };

async function ledger(base) {
  return (await fetch(`${base}/_sandbox/ledger`)).json();
}

async function faults(base, body) {
  await fetch(`${base}/_sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** D, reason 1, a comment, Ctrl+Enter (`times` presses of it). */
async function decline(browser, expectedTitle, times = 1) {
  await waitText(browser, "case-title", expectedTitle);
  await browser.keys(["d"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["1"]);
  await browser.$('[data-testid="decision-comment"]').addValue("Altered document");
  for (let i = 0; i < times; i++) await browser.keys([Key.Ctrl, "Enter"]);
}

desktopTest("U inside the undo window takes a decision back: nothing reaches the API, the audit shows it", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await browser.keys(["j"]);
  await decline(browser, /^Session 1000$/);
  await waitText(browser, "undo-toast", /decline queued/);
  await browser.keys(["u"]);
  await waitText(browser, "notice", /Session 1000: decline undone\./);
  await waitText(browser, "case-title", /^Session 1000$/);
  // Past the window: still nothing at the sandbox.
  await new Promise((r) => setTimeout(r, 10_000));
  assert.deepEqual(await ledger(base), []);
  const kinds = await browser.$$('[data-testid="timeline-entry"][data-source="desk"]').map((e) => e.getAttribute("data-kind"));
  assert.deepEqual(kinds, ["undo", "decline"], "queued then undone, both on the case's timeline (newest first)");
  await browser.keys(["o"]);
  await waitText(browser, "outbox", /cancelled/);
}, { env: REVIEWER });

desktopTest("Ctrl+Enter twice makes one action; it is applied once the window has passed", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await browser.keys(["j"]);
  await decline(browser, /^Session 1000$/, 2);
  await waitText(browser, "case-title", /^Session 1001$/);
  await browser.waitUntil(async () => (await ledger(base)).length === 1, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 2_000));
  const effects = await ledger(base);
  assert.equal(effects.length, 1, JSON.stringify(effects));
  assert.equal(effects[0].detail.new_status, "Declined");
  await browser.keys(["o"]);
  await browser.$('[data-testid="outbox"]').waitForExist({ timeout: 5_000 });
  const rows = await browser.$$('[data-testid="outbox-row"]').map((r) => r.getAttribute("data-state"));
  assert.deepEqual(rows, ["applied"]);
}, { env: REVIEWER });

desktopTest("a competing reviewer's decision shows on the case's timeline with their name", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  const oldest = (await (await fetch(`${base}/v3/sessions/?status=In%20Review&limit=1&offset=199`, { headers: { "x-api-key": "sandbox_didit_key_0123456789abcdef" } })).json()).results[0];
  await fetch(`${base}/_sandbox/compete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ session_id: oldest.session_id, new_status: "Declined", reviewer: "leila.trabelsi@dhmad.tn", comment: "Forged document" }) });
  await browser.keys(["j"]);
  await waitText(browser, "case-title", /^Session 1000$/);
  const first = await browser.$('[data-testid="timeline-entry"]');
  await first.waitForExist({ timeout: 10_000 });
  assert.equal(await first.getAttribute("data-source"), "provider");
  const line = await first.getText();
  for (const part of ["status updated", "leila.trabelsi@dhmad.tn", "console user", "In Review → Declined", "Forged document"]) {
    assert.ok(line.includes(part), `${part} in ${line}`);
  }
}, { env: REVIEWER });

desktopTest("with the APIs down three decisions queue, the desk says offline, and they drain in order", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await faults(base, { down: true });
  await browser.keys(["j"]);
  await decline(browser, /^Session 1000$/);
  await decline(browser, /^Session 1001$/);
  await decline(browser, /^Session 1002$/);
  await waitText(browser, "outbox-status", /^Offline since \d\d:\d\d · 3 pending/, 40_000);
  assert.deepEqual(await ledger(base), []);
  await faults(base, {});
  await browser.waitUntil(async () => (await ledger(base)).length === 3, { timeout: 90_000, timeoutMsg: "the queued decisions never drained" });
  const effects = await ledger(base);
  const numbers = [];
  for (const e of effects) {
    const d = await (await fetch(`${base}/v3/session/${e.target}/decision/`, { headers: { "x-api-key": "sandbox_didit_key_0123456789abcdef" } })).json();
    numbers.push(d.session_number);
  }
  assert.deepEqual(numbers, [1000, 1001, 1002], "sent in the order they were decided");
  await waitText(browser, "outbox-status", /^0 pending$/, 30_000);
}, { env: REVIEWER });
