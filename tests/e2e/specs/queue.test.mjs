// The queue knows every case: a warning-code filter, set by keyboard through the command palette,
// finds exactly the cases Didit says carry that code, including ones no reviewer has opened.
import assert from "node:assert/strict";
import { Key } from "webdriverio";
import { desktopTest, sandboxUrl } from "../harness.mjs";

const KEY = "sandbox_didit_key_0123456789abcdef";

async function get(base, path) {
  return (await fetch(`${base}${path}`, { headers: { "x-api-key": KEY } })).json();
}

desktopTest("a warning-code filter finds cases that were never opened", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await browser.waitUntil(async () => /^200 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  // The provider's own answer: which in-review cases carry the code.
  const code = "DOCUMENT_EXPIRED";
  const expected = await get(base, `/v3/sessions/?status=In%20Review&warning=${code}&limit=200`);
  assert.ok(expected.count > 0 && expected.count < 200, `some, not all, cases carry ${code}: ${expected.count}`);
  const want = expected.results.map((r) => r.session_id).sort();

  await browser.keys([Key.Ctrl, "k"]);
  await browser.$('[data-testid="palette"]').waitForExist({ timeout: 5_000 });
  await browser.keys([..."filter by warning"]);
  await browser.keys(["Enter"]);
  await browser.keys([...code]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="shown-count"]').getText().catch(() => "")) === `${want.length} shown`, { timeout: 20_000, timeoutMsg: "the filter never settled on the provider's count" });
  const shown = await browser.$$('[data-testid="queue-row"]').map((r) => r.getAttribute("data-case-id"));
  // The table is virtualized: compare what it renders with the provider's set.
  for (const id of shown) assert.ok(want.includes(id), `${id} carries ${code}`);
  assert.equal(shown.length, Math.min(want.length, shown.length));
  assert.ok(!(await browser.$('[data-testid="unjudged"]').isExisting()), "an exact filter has nothing left to judge");
});

desktopTest("the background fill brings every row's warnings in place, without reading the whole queue again each time", async ({ browser }) => {
  await browser.waitUntil(async () => /^100 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  // 100 summaries in passes of 20: five "rows brought" notices.
  await browser.$('[data-testid="unfetched"]').waitForExist({ reverse: true, timeout: 90_000, timeoutMsg: "the fill never finished" });
  const cells = await browser.$$('[data-testid="row-warnings"]').map((c) => c.getText());
  assert.ok(cells.length > 0);
  for (const text of cells) assert.notEqual(text, "not fetched yet");
  const reads = await browser.execute(() => performance.getEntriesByName("queue-asked").length);
  // The first read, the one after the first sync, and one for a sync or a decision meanwhile.
  assert.ok(reads <= 3, `the whole queue was read ${reads} times while 100 rows filled in`);
}, { env: { REVIEW_DESK_SANDBOX_SESSIONS: "100" } });

desktopTest("a decided session found by search opens read-only", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await browser.waitUntil(async () => /^200 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  // Another reviewer decides the oldest case in Didit's console; a sync drops it from the queue.
  const oldest = (await get(base, "/v3/sessions/?status=In%20Review&limit=1&offset=199")).results[0];
  await fetch(`${base}/_sandbox/compete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ session_id: oldest.session_id, new_status: "Approved", reviewer: "leila.trabelsi@dhmad.tn" }) });
  await browser.keys(["s"]);
  await browser.waitUntil(async () => /^199 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  const target = oldest;

  await browser.keys(["/"]);
  // Typed into the field: WebKitWebDriver drops a key repeated back to back ("cc").
  await browser.$("#queue-search").addValue(target.session_id);
  const found = await browser.$(`[data-testid="found-session"][data-case-id="${target.session_id}"]`);
  await found.waitForExist({ timeout: 15_000 });
  assert.match(await found.getText(), new RegExp(`Session ${target.session_number} · Approved`));
  assert.ok(!(await found.getText()).includes(target.vendor_data), "vendor_data stays masked");
  await browser.keys(["Enter"]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="case-title"]').getText().catch(() => "")).startsWith("Session "), { timeout: 20_000 });
  await browser.$('[data-testid="read-only"]').waitForExist({ timeout: 10_000 });
  assert.match(await browser.$('[data-testid="read-only"]').getText(), /Approved, no longer in review/);
  await browser.keys(["a"]);
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(!(await browser.$('[data-testid="decision-dialog"]').isExisting()), "no decision on a decided case");
});
