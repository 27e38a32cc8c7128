// Desktop end-to-end harness: each test starts the real built app under its own tauri-driver,
// with its own data directory, and on failure leaves a screenshot and the app's logs in
// tests/e2e/artifacts/<test>/.
import { spawn, execFile } from "node:child_process";
import { createServer, Socket } from "node:net";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createWriteStream, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { remote } from "webdriverio";
import { CANARIES, captureIpc, fileLeaks, ipcLeaks } from "./leaks.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const appPath = process.env.REVIEW_DESK_APP ?? join(repoRoot, "target/debug/review-desk");
const artifactsRoot = join(here, "artifacts");

/** A free TCP port on loopback, chosen by the OS. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitForPort(port, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited early with code ${child.exitCode}`);
    const open = await new Promise((ok) => {
      const socket = new Socket();
      socket.once("connect", () => { socket.destroy(); ok(true); });
      socket.once("error", () => ok(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${timeoutMs} ms`);
}

function slug(name) {
  return name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-|-$/g, "").slice(0, 80) || "test";
}

async function saveArtifacts(desk, name, error) {
  const dir = join(artifactsRoot, slug(name));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "error.txt"), String(error?.stack ?? error));
  try {
    await desk.browser?.saveScreenshot(join(dir, "webdriver.png"));
  } catch { /* the session may already be gone */ }
  await new Promise((ok) => execFile("import", ["-window", "root", join(dir, "display.png")], () => ok()));
  try {
    await writeFile(join(dir, "dom.html"), await desk.browser.getPageSource());
  } catch { /* as above */ }
  if (existsSync(desk.dataDir)) {
    await cp(desk.dataDir, join(dir, "data"), { recursive: true, filter: (src) => !src.endsWith(".sqlite-shm") });
  }
  console.error(`artifacts of failed test saved in ${dir}`);
}

/**
 * Starts the app for one test. `env` adds environment variables for the app (the data root is
 * always a fresh temporary directory, in `desk.dataDir`); `app` is the binary (the built one).
 */
export async function launchDesk({ name, env = {}, app = appPath }) {
  if (!existsSync(app)) throw new Error(`the app is not built: ${app} is missing`);
  const dataDir = await mkdtemp(join(tmpdir(), "review-desk-e2e-"));
  const logDir = join(artifactsRoot, slug(name));
  await mkdir(logDir, { recursive: true });
  const port = await freePort();
  const nativePort = await freePort();
  const driverLog = createWriteStream(join(logDir, "tauri-driver.log"));
  // Every process of this test (driver, WebKitWebDriver, the app and its helpers) inherits this
  // mark, so the test can find and end them whatever data root the test chose.
  const mark = `${slug(name)}-${process.pid}-${port}`;
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    // The app's config (the saved window size and place) is the test's own too.
    env: { ...process.env, REVIEW_DESK_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(dataDir, "config"), ...env, REVIEW_DESK_E2E_MARK: mark },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout.pipe(driverLog);
  driver.stderr.pipe(driverLog);
  const desk = { dataDir, driver, mark, browser: undefined };
  try {
    // tauri-driver forwards to WebKitWebDriver on the native port: both must be listening.
    await waitForPort(port, driver);
    await waitForPort(nativePort, driver);
    desk.browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      connectionRetryCount: 2,
      capabilities: {
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application: app },
      },
    });
  } catch (error) {
    await stopDesk(desk);
    throw error;
  }
  return desk;
}

/** Processes started for one test (the app and its helpers), found in /proc by their mark. */
async function processesOf(testMark) {
  const mark = `REVIEW_DESK_E2E_MARK=${testMark}`;
  const pids = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(mark)) pids.push(Number(entry));
  }
  return pids;
}

/** Ends one launch: the session, the driver, whatever of the app outlives them, its data root. */
export async function stopDesk(desk) {
  try {
    await desk.browser?.deleteSession();
  } catch { /* already closed */ }
  desk.driver.kill("SIGTERM");
  await new Promise((ok) => (desk.driver.exitCode !== null ? ok() : desk.driver.once("exit", ok)));
  // The app normally exits with its window. If it outlives the session (seen once in CI: the
  // web process gone, the window's app still in its event loop) it would hold the driver's
  // output pipes open and keep this test file from ever finishing.
  for (let waited = 0; waited < 3_000 && (await processesOf(desk.mark)).length > 0; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const pid of await processesOf(desk.mark)) {
    try { process.kill(pid, "SIGKILL"); } catch { /* gone meanwhile */ }
  }
  await rm(desk.dataDir, { recursive: true, force: true });
}

/** The in-process sandbox's origin, read from the app's log (which never holds a key). */
export async function sandboxUrl(desk, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of await logFiles(desk)) {
      const match = /sandbox listening url=(http:\/\/127\.0\.0\.1:\d+)/.exec(await readFile(file, "utf8"));
      if (match) return match[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the app never logged its sandbox address");
}

/** Every log file of the app under the test's data root. */
export async function logFiles(desk) {
  const dir = join(desk.dataDir, "logs");
  return (await readdir(dir).catch(() => [])).map((f) => join(dir, f));
}

/**
 * The leak scan a test ends with (see leaks.mjs): the window's IPC answers since the capture,
 * the app's data root (SQLite and WAL files, logs, exports) and the driver's log, which holds
 * the app's own output.
 */
async function scanForLeaks(desk, name) {
  const canaries = [...CANARIES, ...desk.extraCanaries];
  const problems = [];
  // A test may leave the window closed or on another window: then only the files are read.
  const seen = await ipcLeaks(desk.browser).catch(() => null);
  if (seen) problems.push(...seen.leaks.map((l) => `IPC ${l}`));
  problems.push(...await fileLeaks(desk.dataDir, canaries, { readdir, readFile }));
  problems.push(...await fileLeaks(join(artifactsRoot, slug(name)), canaries, { readdir, readFile }));
  if (problems.length > 0) throw new Error(`leak scan: ${problems.join("; ")}`);
  // (That the capture catches a leak is shown by the security test.)
  return seen?.seen ?? 0;
}

/** A desktop test: launches the app, runs `body(desk)`, saves artifacts if it throws, cleans up. */
export function desktopTest(name, body, { env, canaries = [] } = {}) {
  test(name, { timeout: 180_000 }, async () => {
    const desk = await launchDesk({ name, env });
    // A key a test hands the app through its environment is a canary too.
    // So are the secrets a test names (a team store's passwords).
    desk.extraCanaries = [...Object.entries(env ?? {}).filter(([k, v]) => /_KEY$/.test(k) && v).map(([, v]) => v), ...canaries];
    try {
      await desk.browser.$('[data-testid="statusbar"]').waitForExist({ timeout: 30_000 }).catch(() => {});
      if (!(await captureIpc(desk.browser, [...CANARIES, ...desk.extraCanaries]))) throw new Error("the IPC capture could not be installed");
      await body(desk);
      desk.ipcAnswersScanned = await scanForLeaks(desk, name);
    } catch (error) {
      await saveArtifacts(desk, name, error);
      throw error;
    } finally {
      await stopDesk(desk);
    }
  });
}

/** Waits until the element with `testId` shows text matching `expected`. */
export async function waitText(browser, testId, expected, timeout = 30_000) {
  await browser.waitUntil(async () => {
    const el = await browser.$(`[data-testid="${testId}"]`);
    return (await el.isExisting()) && expected.test(await el.getText());
  }, { timeout, timeoutMsg: `${testId} never matched ${expected}` });
}

/** Makes this desk's profile a team lead's (Profiles, the role), back on the current view. */
export async function becomeLead(browser) {
  await browser.keys(["p"]);
  await browser.$('[data-testid="profiles"]').waitForExist({ timeout: 5_000 });
  await browser.$('[data-testid="role-select"]').selectByAttribute("value", "team_lead");
  await waitText(browser, "statusbar", /Role: Team lead/);
  await browser.keys(["Escape"]);
}
