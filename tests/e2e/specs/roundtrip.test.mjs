// The spine's end-to-end checks: UI actions reach Rust commands and their answers are rendered;
// the webview has no global Tauri object and cannot reach the network.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { desktopTest } from "../harness.mjs";

desktopTest("backend round trip renders the queue and the app info", async ({ browser, dataDir }) => {
  const count = await browser.$('[data-testid="queue-count"]');
  await browser.waitUntil(async () => /^\d+ in review$/.test(await count.getText()), { timeout: 30_000 });
  assert.match(await browser.$('[data-testid="statusbar"]').getText(), /Profile: Sandbox/);
  // A first start explains the Sandbox profile and leads to adding a Live one.
  const welcome = await browser.$('[data-testid="first-run"]');
  assert.match(await welcome.getText(), /nothing you decide here reaches a real person/);
  await browser.$('[data-testid="first-run-add"]').click();
  await browser.$('[data-testid="profiles"]').waitForExist({ timeout: 5_000 });
  await browser.keys(["Escape"]);
  await browser.keys(["?"]);
  const dir = await browser.$('[data-testid="data-dir"]');
  await dir.waitForExist({ timeout: 10_000 });
  assert.equal(await dir.getText(), join(dataDir, "sandbox"));
  const logs = join(dataDir, "logs");
  assert.ok(existsSync(logs) && readdirSync(logs).some((f) => f.startsWith("desk")), "the app writes its log in the test's data dir");
});

desktopTest("the webview has no global Tauri object and cannot reach the network", async ({ browser }) => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.end("reached");
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  try {
    await browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 20_000 });
    assert.equal(await browser.execute(() => typeof window.__TAURI__), "undefined");
    const outcome = await browser.executeAsync((target, done) => {
      fetch(target).then(
        (r) => r.text().then((t) => done(`reached: ${t}`)),
        (e) => done(`blocked: ${e.name}`),
      );
    }, url);
    assert.match(outcome, /^blocked/);
    const images = await browser.executeAsync((target, done) => {
      const img = document.createElement("img");
      img.onload = () => done("loaded");
      img.onerror = () => done("blocked");
      img.src = target;
      document.body.appendChild(img);
    }, url);
    assert.equal(images, "blocked");
    assert.equal(hits, 0, "no request left the webview");
  } finally {
    server.close();
  }
});
