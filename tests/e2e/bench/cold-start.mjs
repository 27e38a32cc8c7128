// Cold start to the painted queue with cached cases, and the idle memory of all the app's
// processes (the shell and WebKit's), on the release build. Prints figures; asserts nothing.
// Run: bash scripts/dev.sh bench-start   (builds the release app, then runs this)
//
// Cold start is measured from the app process's own start (its start time in /proc) to the
// moment the queue's rows were committed to the screen (the window's `queue-painted`
// performance mark), so the WebDriver session's own start is not counted. Memory is PSS (shared
// pages split between the processes sharing them) summed over the app and its WebKit helpers,
// from a launch without WebDriver, after it has been idle.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
process.env.REVIEW_DESK_APP ??= resolve(here, "../../../target/release/review-desk");
const { launchDesk, stopDesk, appPath } = await import("../harness.mjs");

const SIZES = (process.env.COLD_START_SESSIONS ?? "200,10000").split(",").map(Number);
const RUNS = Number(process.env.COLD_START_RUNS ?? 5);
// Seconds after launch at which idle memory is sampled.
const IDLE_AT = (process.env.COLD_START_IDLE_AT ?? "10,30,60").split(",").map(Number);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds since the epoch at which process `pid` started. */
async function startedAt(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  const boot = Number(/btime (\d+)/.exec(await readFile("/proc/stat", "utf8"))[1]);
  return boot * 1000 + (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function parentsByPid() {
  const parents = new Map();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (stat) parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  return parents;
}

/** The app process (the newest running `appPath` under `root`, or `root` itself). */
async function appUnder(root) {
  const parents = await parentsByPid();
  const descends = (pid) => { for (let p = pid; p > 1; p = parents.get(p) ?? 0) if (p === root) return true; return false; };
  let found = 0;
  for (const pid of parents.keys()) {
    const exe = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (exe.split("\0")[0] === appPath && descends(pid)) found = Math.max(found, pid);
  }
  return found;
}

/** PSS in KiB of `pid` and every process below it, by name. */
async function pssOfTree(pid) {
  const parents = await parentsByPid();
  const tree = [...parents.keys()].filter((p) => { for (let q = p; q > 1; q = parents.get(q) ?? 0) if (q === pid) return true; return false; });
  const out = [];
  for (const p of tree) {
    const rollup = await readFile(`/proc/${p}/smaps_rollup`, "utf8").catch(() => "");
    const name = /Name:\s+(.*)/.exec(await readFile(`/proc/${p}/status`, "utf8").catch(() => ""))?.[1] ?? "?";
    out.push({ pid: p, name, kb: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) });
  }
  return out;
}

async function paintedAt(browser, expected) {
  await browser.waitUntil(async () => {
    const el = await browser.$('[data-testid="queue-count"]');
    return (await el.isExisting()) && (await el.getText()) === expected;
  }, { timeout: 120_000, interval: 20 });
  await browser.waitUntil(() => browser.execute(() => performance.getEntriesByName("queue-painted").length > 0), { timeout: 5_000, interval: 20 });
  return browser.execute(() => ({
    page: performance.timeOrigin,
    asked: performance.timeOrigin + performance.getEntriesByName("queue-asked")[0].startTime,
    painted: performance.timeOrigin + performance.getEntriesByName("queue-painted")[0].startTime,
  }));
}

/** Waits until process `pid` and its WebKit helpers have exited, then lets the machine settle. */
async function gone(pid) {
  const helpers = [...(await parentsByPid()).entries()].filter(([, parent]) => parent === pid).map(([p]) => p);
  for (const p of [pid, ...helpers]) {
    while (await readFile(`/proc/${p}/stat`, "utf8").then(() => true, () => false)) await sleep(50);
  }
  await sleep(1_000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const sessions of SIZES) {
  const env = { REVIEW_DESK_SANDBOX_SESSIONS: String(sessions) };
  const expected = `${sessions} in review`;
  // The data every later launch starts from: one run that synced the cases into SQLite.
  const dataDir = await mkdtemp(join(tmpdir(), "review-desk-bench-"));
  const seedEnv = { ...env, REVIEW_DESK_DATA_DIR: dataDir };
  const seed = await launchDesk({ name: "bench-cold-start-seed", env: seedEnv });
  await paintedAt(seed.browser, expected);
  await stopDesk(seed);

  const starts = [];
  const pages = [];
  const asks = [];
  for (let run = 0; run < RUNS; run += 1) {
    const desk = await launchDesk({ name: "bench-cold-start", env: seedEnv });
    const app = await appUnder(desk.driver.pid);
    const { page, asked, painted } = await paintedAt(desk.browser, expected);
    const started = await startedAt(app);
    starts.push(painted - started);
    pages.push(page - started);
    asks.push(asked - started);
    await stopDesk(desk);
    await gone(app); // the next start does not share the machine with this one's teardown
  }
  const runs = (xs) => xs.map((s) => s.toFixed(0)).join(", ");
  console.log(`cold start to the painted queue, ${sessions} cached cases: median ${median(starts).toFixed(0)} ms (runs: ${runs(starts)} ms; the page began loading at ${runs(pages)} ms and asked for the queue at ${runs(asks)} ms)`);

  // Idle memory, as a reviewer runs it: no WebDriver.
  const app = spawn(appPath, [], { env: { ...process.env, ...seedEnv, XDG_CONFIG_HOME: join(dataDir, "config") }, stdio: "ignore" });
  const launched = Date.now();
  const totals = [];
  for (const at of IDLE_AT) {
    await sleep(Math.max(0, launched + at * 1000 - Date.now()));
    const procs = await pssOfTree(app.pid);
    const total = procs.reduce((s, p) => s + p.kb, 0) / 1024;
    totals.push(total);
    console.log(`idle memory ${at} s after launch, ${sessions} cases: ${total.toFixed(0)} MiB PSS in ${procs.length} processes (${procs.map((p) => `${p.name} ${(p.kb / 1024).toFixed(0)}`).join(", ")})`);
  }
  // The web process's garbage collector makes a saw-tooth: the highest sample is the figure.
  console.log(`idle memory, ${sessions} cases: highest ${Math.max(...totals).toFixed(0)} MiB, lowest ${Math.min(...totals).toFixed(0)} MiB over ${totals.length} samples`);
  app.kill("SIGTERM");
  await new Promise((r) => (app.exitCode !== null ? r() : app.once("exit", r)));
  await rm(dataDir, { recursive: true, force: true });
}
