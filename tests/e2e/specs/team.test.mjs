// A team of desks on one PostgreSQL team store: another desk (a real `desk` process) claims the
// oldest case, and this window shows "being reviewed by" on it live, passes it by with J, and the
// other desk cannot decide the case this one holds. A support member's window: who it is
// signed in as, and no decision, blocklist change or AML review reaches the outbox.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { desktopTest, sandboxUrl } from "../harness.mjs";
import { otherDesk as teamDesk, startPostgres } from "../postgres.mjs";

const postgres = await startPostgres([
  { login: "amira", name: "Amira Ben Salah", email: "amira@dhmad.tn", role: "reviewer" },
  { login: "youssef", name: "Youssef Trabelsi", email: "youssef@dhmad.tn", role: "reviewer" },
  { login: "nadia", name: "Nadia Gharbi", email: "nadia@dhmad.tn", role: "support" },
]);
after(() => postgres.stop());
const otherDesk = (base, dataDir, args) => teamDesk(postgres.urlOf("youssef"), base, dataDir, args);

desktopTest("another desk's claim shows live, J passes it by, and the held case is refused to the other desk", async ({ browser, ...desk }) => {
  const base = await sandboxUrl(desk);
  await browser.waitUntil(async () => /^200 in review$/.test(await browser.$('[data-testid="queue-count"]').getText().catch(() => "")), { timeout: 30_000 });
  const otherData = await mkdtemp(join(tmpdir(), "review-desk-other-"));
  try {
    const started = Date.now();
    const claimed = await otherDesk(base, otherData, ["claim", "next", "--json"]);
    assert.ok(claimed.ok, claimed.stderr);
    const claimedAt = Date.now();
    const caseId = JSON.parse(claimed.stdout)[0].caseId;
    const row = browser.$(`[data-testid="queue-row"][data-case-id="${caseId}"]`);
    await browser.waitUntil(async () => (await row.$('[data-testid="held-badge"]').getText().catch(() => "")) === "Being reviewed by Youssef Trabelsi", { timeout: 10_000, interval: 50, timeoutMsg: "the other desk's claim never showed" });
    console.log(`claim to visible in the other window: ${Date.now() - claimedAt} ms (the claiming process took ${claimedAt - started} ms)`);

    // J opens the oldest case no other desk holds: not the claimed one.
    await browser.keys(["j"]);
    await browser.waitUntil(async () => (await browser.$('[data-testid="case-title"]').getText().catch(() => "")).startsWith("Session "), { timeout: 20_000 });
    const openedId = await browser.$('[aria-selected="true"][data-testid="queue-row"]').getAttribute("data-case-id");
    assert.notEqual(openedId, caseId, "J passed the held case by");
    assert.ok(!(await browser.$('[data-testid="held-by"]').isExisting()), "this desk holds the case it opened");

    // The other desk cannot decide what this one holds.
    let refused;
    await browser.waitUntil(async () => {
      refused = await otherDesk(base, otherData, ["decide", openedId, "--verdict", "approve", "--undo-secs", "0"]);
      return !refused.ok;
    }, { timeout: 10_000, interval: 300, timeoutMsg: "the other desk could decide a case this one holds" });
    assert.match(refused.stderr, /Amira Ben Salah <amira@dhmad\.tn> is reviewing this case/);

    // The team panel: both desks, and which case is open here.
    await browser.keys(["Escape"]);
    await browser.keys(["t"]);
    await browser.$('[data-testid="team-page"]').waitForExist({ timeout: 10_000 });
    await browser.waitUntil(async () => (await browser.$$('[data-testid="presence-row"]').map((r) => r.getText())).some((t) => t.includes("Amira Ben Salah") && t.includes(openedId)), { timeout: 20_000, timeoutMsg: "this desk's presence never showed its open case" });
    const claims = await browser.$$('[data-testid="claim-row"]').map((r) => r.getText());
    assert.ok(claims.some((t) => t.includes(caseId) && t.includes("Youssef Trabelsi")), claims.join("\n"));
  } finally {
    await rm(otherData, { recursive: true, force: true });
  }
}, { env: { REVIEW_DESK_REVIEWER_NAME: "Amira Ben Salah", REVIEW_DESK_REVIEWER_EMAIL: "amira@dhmad.tn", REVIEW_DESK_TEAM_STORE: postgres.urlOf("amira") }, canaries: postgres.passwords });

desktopTest("a support member's window is signed in as the team says and queues no decision, blocklist change or AML review", async ({ browser }) => {
  // The profile typed another reviewer: the team store's member for the login is who acts.
  await browser.waitUntil(async () => (await browser.$('[data-testid="signed-in-as"]').getText().catch(() => "")).includes("Nadia Gharbi <nadia@dhmad.tn> · signed in to the team as nadia"), { timeout: 20_000, timeoutMsg: "the window never said who it is signed in as" });
  const refusals = await browser.executeAsync((done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const ask = (cmd, args) => invoke(cmd, args).then(() => "queued", (e) => JSON.stringify(e));
    (async () => {
      await invoke("sync_queue");
      const caseId = (await invoke("queue_view")).rows[0].caseId;
      done([
        await ask("decide", { request: { case_id: caseId, verdict: "Approve", comment: null, notify: null, redo: [], reason_id: null } }),
        await ask("blocklist", { request: { case_id: caseId, add: true, face: false, document: false, phone: false, email: true, reason_id: null, comment: "Fraud" } }),
        await ask("aml_review", { request: { case_id: caseId, hit_id: null, status: "Approved", reason_id: null, comment: "Cleared" } }),
        JSON.stringify(await invoke("outbox")),
      ]);
    })().catch((e) => done([String(e)]));
  });
  const [decided, blocked, aml, outbox] = refusals;
  assert.match(decided, /on this team you are support: you may not decide a case/);
  assert.match(blocked, /on this team you are support: you may not change a blocklist/);
  assert.match(aml, /on this team you are support: you may not review an AML screening/);
  assert.equal(outbox, "[]", "nothing was queued");
}, { env: { REVIEW_DESK_REVIEWER_NAME: "Typed Reviewer", REVIEW_DESK_REVIEWER_EMAIL: "typed@dhmad.tn", REVIEW_DESK_TEAM_STORE: postgres.urlOf("nadia") }, canaries: postgres.passwords });
