// One desk at a time: a second launch hands over to the running one and exits; the running
// desk keeps its window and notes the hand-over.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { appPath, desktopTest, logFiles } from "../harness.mjs";

desktopTest("a second launch focuses the running desk instead of opening another", async ({ browser, ...desk }) => {
  await browser.$('[data-testid="queue-count"]').waitForExist({ timeout: 30_000 });
  const second = spawn(appPath, [], { env: { ...process.env, REVIEW_DESK_DATA_DIR: desk.dataDir }, stdio: "ignore" });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { second.kill("SIGKILL"); reject(new Error("the second launch kept running")); }, 20_000);
    second.once("exit", (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0);
  await browser.waitUntil(async () => {
    for (const file of await logFiles(desk)) {
      if ((await readFile(file, "utf8")).includes("a second launch handed over to this desk")) return true;
    }
    return false;
  }, { timeout: 10_000, timeoutMsg: "the running desk never heard of the second launch" });
  assert.match(await browser.$('[data-testid="queue-count"]').getText(), /in review$/);
});
