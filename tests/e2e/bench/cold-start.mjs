// Cold start to the first painted queue with 10,000 cached sessions, and the idle memory of
// all the app's processes (the shell and WebKit's). Prints figures; asserts nothing.
// Run: (cd tests/e2e && xvfb-run -a dbus-run-session -- node bench/cold-start.mjs)
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { launchDesk } from "../harness.mjs";

const SESSIONS = "10000";

function rssOfTree(rootPid) {
  const children = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const name = /Name:\s+(.*)/.exec(status)?.[1];
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      out.push({ pid, name, kb });
    } catch { /* gone */ }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

async function firstPaint(desk, expected) {
  const started = Date.now();
  await desk.browser.waitUntil(async () => {
    const el = await desk.browser.$('[data-testid="queue-count"]');
    return (await el.isExisting()) && (await el.getText()) === expected;
  }, { timeout: 120_000, interval: 25 });
  return Date.now() - started;
}

// First run: sync 10,000 cases into this data directory's SQLite file.
const env = { REVIEW_DESK_SANDBOX_SESSIONS: SESSIONS };
const first = await launchDesk({ name: "bench-cold-start-seed", env });
await firstPaint(first, `${SESSIONS} in review`);
const dataDir = first.dataDir;
await first.browser.deleteSession();
first.driver.kill("SIGTERM");
await new Promise((r) => first.driver.once("exit", r));

// Second run on the same data: the cached queue paints before any sync finishes.
const started = Date.now();
const second = await launchDesk({ name: "bench-cold-start", env: { ...env, REVIEW_DESK_DATA_DIR: dataDir } });
const sessionReady = Date.now() - started;
const paint = await firstPaint(second, `${SESSIONS} in review`);
await new Promise((r) => setTimeout(r, 5_000));
const app = Number(execFileSync("pgrep", ["-n", "-f", "target/debug/review-desk"]).toString().trim());
const procs = rssOfTree(app);
const totalMb = procs.reduce((s, p) => s + p.kb, 0) / 1024;
console.log(`cold start to first painted queue (10,000 cached): ${sessionReady + paint} ms (${sessionReady} ms to a WebDriver session, ${paint} ms more to the painted queue)`);
console.log(`idle RSS after 5 s: ${totalMb.toFixed(0)} MiB in ${procs.length} processes: ${procs.map((p) => `${p.name} ${(p.kb / 1024).toFixed(0)}`).join(", ")}`);
await second.browser.deleteSession();
second.driver.kill("SIGTERM");
