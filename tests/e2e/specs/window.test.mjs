// The window opens as large and where it was left: its size and place are saved (a moment after
// it stops changing, and when it closes) and restored at the next launch, from the app's own
// config directory.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchDesk, stopDesk } from "../harness.mjs";

const IDENTIFIER = "tn.dhmad.reviewdesk";

async function opened(name, config) {
  const desk = await launchDesk({ name, env: { XDG_CONFIG_HOME: config } });
  await desk.browser.$('[data-testid="statusbar"]').waitForExist({ timeout: 30_000 });
  return desk;
}

test("the window opens as large and where it was left", { timeout: 180_000 }, async () => {
  const config = await mkdtemp(join(tmpdir(), "review-desk-config-"));
  const stateFile = join(config, IDENTIFIER, ".window-state.json");
  try {
    const first = await opened("window state, first launch", config);
    let left;
    try {
      const { width, height } = await first.browser.getWindowRect();
      assert.notDeepEqual([width, height], [1010, 690], "the test needs a size the app does not start with");
      await first.browser.setWindowRect(70, 50, 1010, 690);
      await first.browser.waitUntil(async () => {
        const rect = await first.browser.getWindowRect();
        return rect.width === 1010 && rect.height === 690;
      }, { timeout: 10_000, timeoutMsg: "the window was not resized" });
      left = await first.browser.getWindowRect();
      // Saved a moment after the window stops changing (so a desk killed rather than closed
      // keeps it too).
      const savedNow = () => readFile(stateFile, "utf8").then((text) => JSON.parse(text).main, () => undefined);
      await first.browser.waitUntil(async () => (await savedNow())?.width === 1010, {
        timeout: 10_000,
        timeoutMsg: "the window's size and place were never saved",
      });
      // Then closed as a person closes it. (WebdriverIO ends its session when the last window
      // goes, and says so as an error.)
      await first.browser.closeWindow().catch((error) => {
        if (!/All window handles were removed/.test(String(error))) throw error;
      });
    } finally {
      await stopDesk(first);
    }
    const saved = JSON.parse(await readFile(stateFile, "utf8"));
    assert.deepEqual(Object.keys(saved), ["main"], "only the main window is remembered");
    assert.equal(saved.main.height, 690);

    const second = await opened("window state, second launch", config);
    try {
      const rect = await second.browser.getWindowRect();
      assert.deepEqual(
        { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
        { x: left.x, y: left.y, width: left.width, height: left.height },
      );
    } finally {
      await stopDesk(second);
    }
  } finally {
    await rm(config, { recursive: true, force: true });
  }
});

// The window opens hidden and is shown once the page has asked for the queue: shown while
// WebKit's web process was still starting, the window's thread waited up to half a second for
// a first frame. (The backend stops waiting for the first ask after a few seconds; its log says
// which happened.)
test("the window opens hidden and is shown once the page asked for the queue", { timeout: 120_000 }, async () => {
  const config = await mkdtemp(join(tmpdir(), "review-desk-config-"));
  const desk = await opened("window shown at the first queue view", config);
  try {
    await desk.browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 30_000 });
    const marks = await desk.browser.waitUntil(
      () => desk.browser.execute(() => {
        const at = (name) => performance.getEntriesByName(name)[0];
        const shown = at("window-shown");
        const asked = at("queue-asked");
        return shown && asked ? { shown: shown.startTime, atLoad: shown.detail.atLoad, asked: asked.startTime, visible: document.visibilityState } : false;
      }),
      { timeout: 10_000, timeoutMsg: "the window was never shown, or the queue never asked for" },
    );
    assert.equal(marks.atLoad, false, "the window was visible before the page had loaded");
    assert.equal(marks.visible, "visible");
    const log = await readLogs(join(desk.dataDir, "logs"));
    const started = /background work starts ms=\d+ first_view=(true|false)/.exec(log);
    assert.ok(started, "the backend says when its background work started");
    if (started[1] === "true") {
      assert.ok(marks.shown >= marks.asked, `shown at ${marks.shown} ms, before the queue was asked for at ${marks.asked} ms`);
    }
  } finally {
    await stopDesk(desk);
    await rm(config, { recursive: true, force: true });
  }
});

async function readLogs(dir) {
  const names = await readdir(dir);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
  return texts.join("\n");
}
