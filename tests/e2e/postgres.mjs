// What the team tests share: a real PostgreSQL server set up as an administrator would (the
// operations guide's commands): TLS on, with a CA and a server certificate for `localhost`
// made with Debian's openssl; SCRAM-SHA-256 for every login and TLS required over TCP; the team
// store set up with `desk team init` as its owner and each member added with `desk team
// add-member`, their password kept with `desk team save-password`. Debian's binaries (the
// README test command installs them), a throwaway directory, a free port on 127.0.0.1; `stop()`
// ends it. And another desk of the team as a real `desk` process.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, repoRoot } from "./harness.mjs";

const DESK = join(repoRoot, "target/debug/desk");
const KEY = "sandbox_didit_key_0123456789abcdef";

/** Another desk of the team: a real `desk` process with its own data directory, signed in as
 * `login` (its password in the credential store), on the same Didit (`base`) and team store. */
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

/** `desk ARGS` with `lines` on its stdin (passwords, one per line). */
function desk(args, lines) {
  return execFileSync(DESK, args, { input: lines.map((l) => `${l}\n`).join(""), stdio: ["pipe", "pipe", "pipe"] }).toString();
}

const password = () => randomBytes(18).toString("hex");

/** The server, the team store on it, and `members` ([{ login, name, email, role }]). */
export async function startPostgres(members = [
  { login: "amira", name: "Amira Ben Salah", email: "amira@dhmad.tn", role: "reviewer" },
  { login: "youssef", name: "Youssef Trabelsi", email: "youssef@dhmad.tn", role: "reviewer" },
]) {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "desk-e2e-pg-"));
  const port = await freePort();
  const openssl = (args) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Team CA", "-keyout", "ca.key", "-out", "ca.crt"]);
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"]);
  writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt"]);
  const admin = password();
  writeFileSync(join(dir, "admin.pw"), admin);
  // The server refuses to run as root: then it runs as Debian's postgres user.
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    for (const f of ["", "ca.crt", "server.key", "server.crt", "admin.pw"]) chownSync(join(dir, f), uid, gid);
  }
  chmodSync(join(dir, "server.key"), 0o600);
  const env = { ...process.env, PGPASSWORD: admin };
  const run = (tool, args) =>
    asPostgres ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe", env }) : execFileSync(join(bin, tool), args, { stdio: "pipe", env });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "scram-sha-256", "--pwfile", join(dir, "admin.pw"), "-U", "admin", "-E", "UTF8", "--no-sync"]);
  rmSync(join(dir, "admin.pw"));
  writeFileSync(join(data, "pg_hba.conf"), "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n");
  appendFileSync(join(data, "postgresql.conf"), `ssl = on\nssl_cert_file = '${join(dir, "server.crt")}'\nssl_key_file = '${join(dir, "server.key")}'\npassword_encryption = 'scram-sha-256'\n`);
  if (asPostgres) execFileSync("chown", ["-R", "postgres:postgres", data]);
  run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-w", "start"]);
  const psql = (sql) => run("psql", ["-h", dir, "-p", String(port), "-U", "admin", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql]);
  // The administrator: an owner role that may create the members' logins, and its database.
  const owner = password();
  psql(`CREATE ROLE team_owner LOGIN CREATEROLE PASSWORD '${owner}'`);
  psql("CREATE DATABASE team OWNER team_owner");
  const urlOf = (login) => `postgres://${login}@localhost:${port}/team?sslmode=verify-full&sslrootcert=${join(dir, "ca.crt")}`;
  desk(["team", "init", "--team-store", urlOf("team_owner")], [owner]);
  const passwords = [owner, admin];
  for (const m of members) {
    const theirs = password();
    passwords.push(theirs);
    desk(["team", "add-member", m.login, "--name", m.name, "--email", m.email, "--role", m.role, "--team-store", urlOf("team_owner")], [owner, theirs]);
    desk(["team", "save-password", "--team-store", urlOf(m.login)], [theirs]);
  }
  return {
    /** The URL a member's desk is given. */
    urlOf,
    /** Every password on the server: none may appear in a file, log or IPC answer. */
    passwords,
    stop() {
      try { run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
