// Blocklist from the case, keyboard only: B opens it, P and E pick the phone and the email, the
// preview says what else they reach (counts, never values), a digit picks the reason, Ctrl+Enter
// queues it; the sandbox's ledger holds exactly that blocklist-add. Then, from the command palette,
// the Blocklist view: the phone entry is there (masked) and X unblocks it through the outbox.
import assert from "node:assert/strict";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl } from "../harness.mjs";

const KEY = "sandbox_didit_key_0123456789abcdef";

async function get(base, path) {
  return (await fetch(`${base}${path}`, { headers: { "x-api-key": KEY } })).json();
}

desktopTest("a reviewer blocklists a case's phone and email after the impact preview", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await browser.waitUntil(async () => /^200 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  const page = await get(base, "/v3/sessions/?status=In%20Review&limit=200");
  let target = null;
  for (const row of page.results) {
    const d = await get(base, `/v3/session/${row.session_id}/decision/`);
    if (d.phone_verifications?.[0]?.full_number && d.email_verifications?.[0]?.email) {
      target = { id: row.session_id, number: row.session_number, phone: d.phone_verifications[0].full_number, email: d.email_verifications[0].email };
      break;
    }
  }
  assert.ok(target, "a case in review has both a phone and an email");

  await browser.keys(["/"]);
  await browser.$('input[type="search"]').addValue(String(target.number));
  await browser.waitUntil(async () => /^1 shown$/.test(await browser.$('[data-testid="shown-count"]').getText().catch(() => "")), { timeout: 10_000 });
  await browser.keys(["Enter"]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="case-title"]').getText().catch(() => "")) === `Session ${target.number}`, { timeout: 30_000 });
  await browser.keys(["b"]);
  const preview = await browser.$('[data-testid="blocklist-preview"]');
  await preview.waitForExist({ timeout: 5_000 });
  await browser.waitUntil(async () => /cached cases checked/.test(await preview.getText()), { timeout: 10_000 });
  const text = await preview.getText();
  assert.match(text, /phone — \d+ other cases? with this phone/);
  assert.match(text, /email — \d+ other cases? with this email/);
  for (const value of [target.phone, target.email]) assert.ok(!text.includes(value), "the preview never shows the value");
  await browser.keys(["p"]);
  await browser.keys(["e"]);
  await browser.keys(["1"]);
  await browser.$('[data-testid="blocklist-comment"]').addValue("Same phone and email as a confirmed fraud ring");
  await browser.keys([Key.Ctrl, "Enter"]);

  await browser.waitUntil(async () => (await (await fetch(`${base}/_sandbox/ledger`)).json()).length === 1, { timeout: 20_000 });
  await new Promise((r) => setTimeout(r, 1_500));
  const ledger = await (await fetch(`${base}/_sandbox/ledger`)).json();
  assert.equal(ledger.length, 1, JSON.stringify(ledger));
  assert.equal(ledger[0].effect, "blocklist-add");
  assert.equal(ledger[0].target, target.id);
  assert.deepEqual([...ledger[0].detail.items].sort(), ["email", "phone"]);

  // The Blocklist view, reached by name through the palette: phone entries, newest first.
  await browser.keys([Key.Ctrl, "k"]);
  await browser.$('[data-testid="palette"]').waitForExist({ timeout: 5_000 });
  await browser.keys([..."go to blocklist"]);
  await browser.keys(["Enter"]);
  await browser.$('[data-testid="blocklist-view"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["3"]);
  const entry = await browser.$(`[data-testid="blocklist-entry"][data-case-id="${target.id}"]`);
  await entry.waitForExist({ timeout: 10_000 });
  const shown = await entry.getText();
  assert.ok(!shown.includes(target.phone) && shown.includes("•"), `masked: ${shown}`);
  await browser.keys(["x"]);
  await browser.$('[data-testid="unblock-dialog"]').waitForExist({ timeout: 5_000 });
  await browser.$('[data-testid="unblock-comment"]').addValue("Phone reassigned by the carrier");
  await browser.keys([Key.Ctrl, "Enter"]);
  await browser.waitUntil(async () => (await (await fetch(`${base}/_sandbox/ledger`)).json()).length === 2, { timeout: 20_000, timeoutMsg: "the unblock never reached the sandbox" });
  const after = await (await fetch(`${base}/_sandbox/ledger`)).json();
  assert.equal(after[1].effect, "blocklist-remove");
  assert.equal(after[1].target, target.id);
  assert.deepEqual(after[1].detail.items, ["phone"]);
  await browser.waitUntil(async () => !(await browser.$(`[data-testid="blocklist-entry"][data-case-id="${target.id}"]`).isExisting()), { timeout: 10_000, timeoutMsg: "the unblocked entry is still listed" });
});
