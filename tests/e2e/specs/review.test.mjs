// The review loop in the real window, keyboard only, against the in-process sandbox.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Key } from "webdriverio";
import { desktopTest, logFiles, sandboxUrl, waitText } from "../harness.mjs";

const REVIEWER = { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn" };
const DEFAULT_KEY = "sandbox_didit_key_0123456789abcdef";

async function text(browser, testId) {
  return browser.$(`[data-testid="${testId}"]`).getText();
}

/** The sandbox's ledger once it holds `count` effects (decisions wait out the undo window). */
async function ledgerOf(base, count, timeout = 30_000) {
  const started = Date.now();
  for (;;) {
    const ledger = await (await fetch(`${base}/_sandbox/ledger`)).json();
    if (ledger.length >= count || Date.now() - started > timeout) return ledger;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function sandboxGet(base, path, key) {
  const response = await fetch(`${base}${path}`, { headers: { "x-api-key": key } });
  return response.json();
}

/** Opens the oldest case and declines it with the first reason, keyboard only. */
async function declineOldest(browser) {
  await waitText(browser, "queue-count", /^200 in review$/);
  await browser.keys(["j"]);
  await waitText(browser, "case-title", /^Session 1000$/);
  await browser.keys(["d"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await typeReasonAndComment(browser);
}

/** Digit 1 picks the first reason and moves focus to the comment, where the text is typed. */
async function typeReasonAndComment(browser) {
  await browser.keys(["1"]);
  const focused = await browser.execute(() => document.activeElement?.getAttribute("data-testid"));
  assert.equal(focused, "decision-comment", "picking a reason moves focus to the comment");
  await browser.$('[data-testid="decision-comment"]').addValue("Altered document — وثيقة معدلة");
  await browser.keys([Key.Ctrl, "Enter"]);
}

desktopTest("a reviewer declines the oldest case by keyboard and the next one opens", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await browser.keys(["j"]);
  await waitText(browser, "case-title", /^Session 1000$/);

  // The summary shows the case's seeded warnings, and nothing that is media.
  const oldest = (await sandboxGet(base, "/v3/sessions/?status=In%20Review&limit=1&offset=199", DEFAULT_KEY)).results[0];
  assert.equal(oldest.session_number, 1000);
  const decision = await sandboxGet(base, `/v3/session/${oldest.session_id}/decision/`, DEFAULT_KEY);
  const seeded = new Set();
  for (const value of Object.values(decision)) {
    if (Array.isArray(value)) for (const item of value) for (const w of item?.warnings ?? []) seeded.add(w.risk);
  }
  assert.ok(seeded.size > 0);
  const shown = new Set(await browser.$$('[data-testid="warnings"] [data-code]').map((e) => e.getAttribute("data-code")));
  assert.deepEqual([...shown].sort(), [...seeded].sort());
  assert.equal(await browser.execute(() => document.querySelectorAll("img, video, picture, source, iframe, object, embed").length), 0);
  const html = await browser.getPageSource();
  for (const forbidden of ["X-Amz", "amazonaws", "session_url", "verify.didit.me"]) {
    assert.ok(!html.includes(forbidden), `the DOM holds ${forbidden}`);
  }

  await browser.keys(["d"]);
  await browser.$('[data-testid="decision-dialog"]').waitForExist({ timeout: 5_000 });
  await typeReasonAndComment(browser);

  await waitText(browser, "case-title", /^Session 1001$/);
  await waitText(browser, "queue-count", /^199 in review$/);
  // Queued, not sent: the undo window holds it back.
  await waitText(browser, "undo-toast", /decline queued — sent in \d+ s/);
  assert.equal((await (await fetch(`${base}/_sandbox/ledger`)).json()).length, 0, "nothing is sent inside the undo window");
  const ledger = await ledgerOf(base, 1);
  assert.equal(ledger.length, 1, JSON.stringify(ledger));
  assert.equal(ledger[0].effect, "update-status");
  assert.equal(ledger[0].target, oldest.session_id);
  assert.equal(ledger[0].detail.new_status, "Declined");
  assert.match(ledger[0].detail.comment, /^\[Review Desk · Amira Ben Salah <amira@dhmad\.tn> · [0-9a-f]{12}\] .+ — Altered document — وثيقة معدلة$/);
  await waitText(browser, "outbox-status", /^0 pending$/);
}, { env: REVIEWER });

const CANARY = "canary_key_do_not_leak_4f1e9b27";

/** The answers (and errors) of every command the UI uses, called from inside the webview. */
async function answersOfEveryCommand(browser) {
  return browser.executeAsync((done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const out = [];
    const record = (p) => p.then((a) => out.push(JSON.stringify(a)), (e) => out.push(JSON.stringify(e)));
    (async () => {
      await record(invoke("app_info"));
      const queue = await invoke("queue_view");
      out.push(JSON.stringify(queue));
      const id = queue.rows[0].caseId;
      await record(invoke("open_case", { caseId: id }));
      await record(invoke("reveal", { caseId: id, field: "document_number", reason: "canary check" }));
      await record(invoke("sync_queue"));
      await record(invoke("decide", { request: { case_id: "not-a-case", verdict: "Approve", comment: null, notify: null, redo: [], reason_id: null } }));
      await record(invoke("outbox"));
      await record(invoke("outbox_status"));
      done(out.join("\n"));
    })();
  });
}

desktopTest("a recognisable API key appears nowhere after a review session", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await waitText(browser, "queue-count", /^200 in review$/);
  await declineOldest(browser);
  await waitText(browser, "case-title", /^Session 1001$/);
  await browser.keys(["s"]);
  await waitText(browser, "queue-count", /^199 in review$/);
  const ledger = await ledgerOf(base, 1);
  assert.equal(ledger.length, 1, "the scenario really ran with the canary key");

  const ipc = await answersOfEveryCommand(browser);
  assert.ok(ipc.includes("Session") || ipc.includes("case_id"), "IPC answers were collected");
  assert.ok(!ipc.includes(CANARY), "IPC answers hold the key");
  assert.ok(!(await browser.getPageSource()).includes(CANARY), "the DOM holds the key");
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(desk.dataDir);
  assert.ok(files.some((f) => f.endsWith("desk.sqlite")), "the database was written");
  assert.ok((await logFiles(desk)).length > 0, "logs were written");
  for (const file of files) {
    const bytes = await readFile(file);
    assert.ok(!bytes.includes(Buffer.from(CANARY)), `${file} holds the key`);
  }
}, { env: { ...REVIEWER, REVIEW_DESK_SANDBOX_DIDIT_KEY: CANARY } });
