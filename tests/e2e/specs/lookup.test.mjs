// Support in the real window: the Sandbox profile set to the Support role opens on the lookup;
// an email answers "verified? linked?" for a linked and a not-linked person; a session opened
// from the answer offers no decision, blocklist or AML keys.
import assert from "node:assert/strict";
import { desktopTest, sandboxUrl } from "../harness.mjs";

const DIDIT = { "x-api-key": "sandbox_didit_key_0123456789abcdef" };

async function people(base, dhmadKey) {
  const list = await (await fetch(`${base}/v3/sessions/?status=In%20Review&limit=80`, { headers: DIDIT })).json();
  const out = [];
  for (const row of list.results) {
    const d = await (await fetch(`${base}/v3/session/${row.session_id}/decision/`, { headers: DIDIT })).json();
    const email = d.email_verifications?.[0]?.email;
    if (!email) continue;
    const r = await (await fetch(`${base}/api/v1/identity-verifications?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${dhmadKey}` } })).json();
    if (r.verifications?.[0]) out.push({ email, record: r.verifications[0] });
  }
  return out;
}

async function lookUp(browser, email) {
  const input = await browser.$('[data-testid="lookup-input"]');
  await input.click();
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
  await input.addValue(email);
  await browser.keys(["Enter"]);
}

desktopTest("a support desk looks a person up by email and cannot reach the decision keys", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 30_000 });
  const dhmadKey = `sk_sandbox_${"00112233445566778899aabbccddeeff".repeat(2)}`;
  const found = await people(base, dhmadKey);
  const linked = found.find((p) => p.record.claim_status === "linked");
  const pending = found.find((p) => p.record.claim_status === "pending");
  assert.ok(linked && pending, "the sandbox has a linked and a not-linked person in review");

  await browser.keys(["p"]);
  await browser.$('[data-testid="profiles"]').waitForExist({ timeout: 5_000 });
  await browser.$('[data-testid="role-select"]').selectByAttribute("value", "support");
  await browser.$('[data-testid="lookup-view"]').waitForExist({ timeout: 10_000 });
  assert.ok(!(await browser.$('[data-testid="nav-queue"]').isExisting()), "no queue for support");
  assert.match(await browser.$('[data-testid="statusbar"]').getText(), /Role: Support/);

  await lookUp(browser, linked.email);
  const verdict = await browser.$('[data-testid="verification-verdict"]');
  await verdict.waitForExist({ timeout: 15_000 });
  assert.match(await verdict.getText(), /linked to a DHMAD account$/);
  const card = await browser.$('[data-testid="verification-card"]').getText();
  assert.ok(!card.includes(linked.record.linked_user_id), "the linked user id stays masked");

  await lookUp(browser, pending.email);
  await browser.waitUntil(async () => /not linked to a DHMAD account yet$/.test(await browser.$('[data-testid="verification-verdict"]').getText().catch(() => "")), { timeout: 15_000 });

  // A session of the person opens for reading; the decision keys do nothing.
  await browser.$('[data-testid="person-session"]').click();
  await browser.$('[data-testid="case-title"]').waitForExist({ timeout: 20_000 });
  for (const key of ["a", "d", "r", "b", "h"]) await browser.keys([key]);
  await new Promise((r) => setTimeout(r, 500));
  for (const id of ["decision-dialog", "blocklist-dialog", "aml-dialog"]) {
    assert.ok(!(await browser.$(`[data-testid="${id}"]`).isExisting()), `${id} is not reachable for support`);
  }
});
