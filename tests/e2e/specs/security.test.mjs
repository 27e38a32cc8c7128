// The window's promises, tried from inside the real window: no fetch leaves the app, no
// navigation takes the window elsewhere, an injected inline script never runs, and a window
// under another label gets no IPC at all. A loopback server counts whatever reaches it.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { desktopTest } from "../harness.mjs";

async function listen() {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { "content-type": "text/html", "access-control-allow-origin": "*" });
    res.end("<html><body>outside</body></html>");
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { hits, origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

desktopTest("the window cannot fetch out, navigate away, run injected script, and a second window gets no IPC", async ({ browser }) => {
  const outside = await listen();
  try {
    await browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 30_000 });
    const main = await browser.getWindowHandle();
    const appUrl = await browser.getUrl();

    // fetch and XHR to a server that is there and answers: refused before they leave.
    const fetched = await browser.executeAsync((origin, done) => {
      fetch(`${origin}/fetch`).then(() => done("fetched"), (e) => done(`refused: ${e}`));
    }, outside.origin);
    assert.match(fetched, /^refused/);
    const sent = await browser.executeAsync((origin, done) => {
      const xhr = new XMLHttpRequest();
      xhr.onload = () => done("loaded");
      xhr.onerror = () => done("refused");
      try { xhr.open("GET", `${origin}/xhr`); xhr.send(); } catch (e) { done(`refused: ${e}`); }
    }, outside.origin);
    assert.match(sent, /^refused/);
    // A beacon is queued by the browser either way; the server's count below shows it never left.
    await browser.execute((origin) => {
      try { navigator.sendBeacon(`${origin}/beacon`, "x"); } catch { /* refused */ }
    }, outside.origin);

    // Inline script, an inline handler and eval: none runs.
    const ran = await browser.execute(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = 'script';";
      document.body.appendChild(script);
      const holder = document.createElement("div");
      holder.innerHTML = '<img src="x" onerror="window.__handler = 1"><svg onload="window.__handler = 2"></svg>';
      document.body.appendChild(holder);
      let evaluated = "refused";
      try { evaluated = String(eval("1 + 1")); } catch { /* refused by the CSP */ }
      let constructed = "refused";
      try { constructed = String(new Function("return 3")()); } catch { /* refused by the CSP */ }
      return { evaluated, constructed };
    });
    assert.deepEqual(ran, { evaluated: "refused", constructed: "refused" });
    await browser.pause(500);
    assert.deepEqual(await browser.execute(() => [window.__injected ?? null, window.__handler ?? null]), [null, null]);

    // Navigations away: by location, by a link, by a form and by window.open.
    await browser.execute((origin) => { window.location.assign(`${origin}/navigated`); }, outside.origin);
    await browser.pause(1_000);
    await browser.execute((origin) => {
      const a = document.createElement("a");
      a.href = `${origin}/link`;
      document.body.appendChild(a);
      a.click();
      const form = document.createElement("form");
      form.action = `${origin}/form`;
      form.method = "post";
      document.body.appendChild(form);
      try { form.submit(); } catch { /* refused */ }
      window.open(`${origin}/popup`);
    }, outside.origin);
    await browser.pause(1_500);
    assert.equal(await browser.getUrl(), appUrl, "the window is still on the app");
    assert.ok(await browser.$('[data-testid="queue-count"]').isDisplayed(), "the queue still shows");

    // The app's own IPC answers here, in the main window...
    const info = await browser.executeAsync((done) => {
      window.__TAURI_INTERNALS__.invoke("app_info").then((r) => done({ ok: r.profile }), (e) => done({ err: String(e) }));
    });
    assert.equal(info.ok, "Sandbox");

    // ...and nowhere else: the probe window (another label) is refused every command.
    const handles = await browser.getWindowHandles();
    const probe = handles.find((h) => h !== main);
    assert.ok(probe, `a probe window is open (${handles.length} windows)`);
    assert.equal(handles.length, 2, "window.open opened nothing");
    await browser.switchToWindow(probe);
    const refused = await browser.executeAsync((done) => {
      const ask = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args).then(() => "answered", (e) => String(e));
      Promise.all([ask("app_info"), ask("reveal", { caseId: "x", field: "Email", index: 0, reason: "probe" }), ask("profiles"), ask("export_audit", {})]).then(done);
    });
    for (const answer of refused) assert.match(answer, /not allowed/i, JSON.stringify(refused));
    await browser.switchToWindow(main);

    assert.deepEqual(outside.hits, [], "nothing reached the outside server");

    // The leak scan every test ends with reads each IPC answer: one that carries a canary
    // (here an error echoing the id it refused) is caught, then cleared for this test.
    const caught = await browser.executeAsync((done) => {
      window.__TAURI_INTERNALS__.invoke("open_case", { caseId: "X-Amz-Signature" }).catch(() => {})
        .finally(() => setTimeout(() => done(window.__leakScan.leaks.splice(0)), 300));
    });
    assert.deepEqual(caught, ["open_case: X-Amz-Signature"]);
  } finally {
    outside.close();
  }
}, { env: { REVIEW_DESK_PROBE_WINDOW: "1" } });
