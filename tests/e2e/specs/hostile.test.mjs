// Hostile text from a provider is shown inert and marked: a name carrying a right-to-left
// override, zero-width characters, markup and a formula shows each hidden character as a
// visible ⟦U+…⟧ mark, renders markup as text and runs nothing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { desktopTest, repoRoot } from "../harness.mjs";

const ID = "6d0f4a2e-1b3c-4d5e-8f90-a1b2c3d4e5f6";
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF]/;

desktopTest("hostile names and descriptions are shown inert, their hidden characters marked", async ({ browser }) => {
  await browser.waitUntil(async () => /^6 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  const rows = await browser.$$('[data-testid="queue-row"]');
  const first = rows[0];
  assert.equal(await first.getAttribute("data-case-id"), ID, "the oldest case leads the queue");
  const row = await browser.execute((el) => el.textContent, first);
  assert.match(row, /9⟦U\+200B⟧931/, `the row marks the zero-width space left in view: ${row}`);
  assert.ok(!HIDDEN.test(row), "no hidden character reaches the row");

  await browser.keys(["j"]);
  await browser.waitUntil(async () => (await browser.$('[data-testid="case-title"]').getText().catch(() => "")) === "Session 77002", { timeout: 20_000 });

  const page = await browser.execute(() => document.body.innerText);
  assert.ok(page.includes("⟦U+202E⟧exe.fdp⟦U+202C⟧ Ali⟦U+200B⟧Ben"), "the override and the zero-width space are marked where they were");
  assert.ok(page.includes('<img src=x onerror="window.__pwned=1"> =HYPERLINK("http://x.example")'), "markup and the formula are shown as text");
  assert.ok(page.includes("MRZ <b>check</b> digits do not match⟦U+200D⟧"), "a warning's markup is text, its joiner marked");
  assert.ok(!HIDDEN.test(page), "no hidden character reaches the window");
  const ran = await browser.execute(() => ({
    pwned: window.__pwned ?? null,
    images: document.querySelectorAll("img").length,
    scripts: [...document.querySelectorAll("script")].filter((s) => !s.src).length,
  }));
  assert.deepEqual(ran, { pwned: null, images: 0, scripts: 0 });
}, { env: { REVIEW_DESK_SANDBOX_SESSIONS: "5", REVIEW_DESK_SANDBOX_FIXTURES: join(repoRoot, "tests/e2e/fixtures/hostile") } });
