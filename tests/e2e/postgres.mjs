// What the team tests share: a real PostgreSQL server (Debian's binaries, which the README test
// command installs; a throwaway data directory, a free port on 127.0.0.1; `stop()` ends it), and
// another desk of the team as a real `desk` process.
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, repoRoot } from "./harness.mjs";

const DESK = join(repoRoot, "target/debug/desk");
const KEY = "sandbox_didit_key_0123456789abcdef";

/** Another desk of the team: a real `desk` process with its own data directory and reviewer
 * (Youssef Trabelsi), on the same Didit (`base`) and team store. */
export function otherDesk(teamStore, base, dataDir, args) {
  return new Promise((ok) => {
    execFile(DESK, args, {
      env: {
        ...process.env,
        DIDIT_BASE_URL: base,
        DIDIT_API_KEY: KEY,
        REVIEW_DESK_TEAM_STORE: teamStore,
        REVIEW_DESK_DATA_DIR: dataDir,
        REVIEW_DESK_REVIEWER_NAME: "Youssef Trabelsi",
        REVIEW_DESK_REVIEWER_EMAIL: "youssef@dhmad.tn",
      },
    }, (error, stdout, stderr) => ok({ ok: !error, stdout, stderr }));
  });
}

function binDir() {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin/initdb"))).sort() : [];
  if (versions.length === 0) throw new Error("PostgreSQL is not installed: `bash scripts/dev.sh test` installs it");
  return join(root, versions[versions.length - 1], "bin");
}

export async function startPostgres() {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "desk-e2e-pg-"));
  const port = await freePort();
  // The server refuses to run as root: then it runs as Debian's postgres user.
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool, args) =>
    asPostgres ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe" }) : execFileSync(join(bin, tool), args, { stdio: "pipe" });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "desk", "-E", "UTF8", "--no-sync"]);
  run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-w", "start"]);
  run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "desk", "team"]);
  return {
    url: `postgres://desk@127.0.0.1:${port}/team`,
    stop() {
      try { run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
