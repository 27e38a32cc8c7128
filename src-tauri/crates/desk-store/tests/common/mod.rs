//! A real PostgreSQL server for the team store tests, set up as an administrator would: TLS on
//! (a CA and a server certificate for `localhost` made with Debian's openssl), SCRAM-SHA-256
//! for every login and no `trust`, TLS required for every connection over TCP. Each database
//! is a team of its own, owned by its owner role and set up with the desk's own `init`; its
//! members are logins of their own. Debian's binaries (the README test command installs them),
//! a throwaway data directory, a free port on 127.0.0.1, stopped on drop.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use desk_core::profile::Role;

pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
    admin_password: String,
    /// The CA that signed the server's certificate (for `localhost` only).
    pub ca: PathBuf,
    /// A CA that signed nothing this server shows.
    pub other_ca: PathBuf,
    /// Whether the server offers TLS.
    tls: bool,
}

fn bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|_| {
            panic!("PostgreSQL is not installed: `bash scripts/dev.sh test` installs it")
        })
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with initdb")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`NAME.crt`, `NAME.key`) in `dir`.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
    dir.join(format!("{name}.crt"))
}

/// The server's certificate, for `localhost` (and no IP address), signed by `ca`.
fn make_server_cert(dir: &Path, ca: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(dir.join("server.ext"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.crt"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
}

fn random_password() -> String {
    let mut bytes = [0u8; 18];
    getrandom::getrandom(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Postgres {
    /// A server as a team would run it: TLS on, SCRAM for every login, TLS required on TCP.
    pub fn start() -> Self {
        Self::start_with(true)
    }

    /// A server that offers no TLS at all (for the desk's refusal of it).
    pub fn start_plaintext() -> Self {
        Self::start_with(false)
    }

    fn start_with(tls: bool) -> Self {
        let bin = bin_dir();
        let dir =
            std::env::temp_dir().join(format!("desk-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let as_postgres = running_as_root();
        let ca = make_ca(&dir, "team-ca");
        let other_ca = make_ca(&dir, "other-ca");
        make_server_cert(&dir, "team-ca");
        let admin_password = random_password();
        std::fs::write(dir.join("admin.pw"), &admin_password).unwrap();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(ok.success(), "chown the data directory to postgres");
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        let pg = Self {
            dir,
            bin,
            port: free_port(),
            as_postgres,
            admin_password,
            ca,
            other_ca,
            tls,
        };
        let data = pg.dir.join("data");
        let pwfile = pg.dir.join("admin.pw");
        pg.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "scram-sha-256",
                "--pwfile",
                pwfile.to_str().unwrap(),
                "-U",
                "admin",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        std::fs::remove_file(&pwfile).unwrap();
        let hba = if tls {
            "local all all scram-sha-256\n\
             hostssl all all 127.0.0.1/32 scram-sha-256\n\
             hostssl all all ::1/128 scram-sha-256\n"
        } else {
            "local all all scram-sha-256\n\
             host all all 127.0.0.1/32 scram-sha-256\n\
             host all all ::1/128 scram-sha-256\n"
        };
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        let settings = if tls {
            format!(
                "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\npassword_encryption = 'scram-sha-256'\n",
                pg.dir.join("server.crt").display(),
                pg.dir.join("server.key").display()
            )
        } else {
            "ssl = off\npassword_encryption = 'scram-sha-256'\n".to_owned()
        };
        std::io::Write::write_all(&mut conf, settings.as_bytes()).unwrap();
        pg.resume();
        pg
    }

    /// Starts the server (again, after `halt`), on the same port and data.
    pub fn resume(&self) {
        let data = self.dir.join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server at once, as a crash or a cut cable would look to its clients.
    pub fn halt(&self) {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// The server's main process (to pause it with SIGSTOP, as a hung machine looks).
    pub fn pid(&self) -> u32 {
        let text = std::fs::read_to_string(self.dir.join("data/postmaster.pid")).unwrap();
        text.lines().next().unwrap().trim().parse().unwrap()
    }

    /// Pauses every process of the server (SIGSTOP), as a hung machine or a cut cable without
    /// a reset looks to its clients: connections stay open and nothing answers.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server go on (SIGCONT).
    pub fn unpause(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let main = self.pid().to_string();
        let children = Command::new("pgrep").args(["-P", &main]).output().unwrap();
        let mut pids = vec![main];
        pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_owned),
        );
        let ok = Command::new("kill")
            .arg(signal)
            .args(&pids)
            .status()
            .unwrap();
        assert!(ok.success(), "kill {signal} {pids:?}");
    }

    /// What the server wrote to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// One of the server's tools, as the user the server runs as, signed in as the admin.
    fn tool(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.env("PGPASSWORD", &self.admin_password);
        c
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let out = self.tool(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs SQL as the server's administrator (over the local socket) in `database`.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.run(
            "psql",
            &[
                "-h",
                self.dir.to_str().unwrap(),
                "-p",
                &self.port.to_string(),
                "-U",
                "admin",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                sql,
            ],
        )
    }

    /// A database for a team, owned by its own owner role (which may create the members'
    /// logins), not set up yet: `Team::init` (or `desk team init`) does that.
    pub fn database(&self, name: &str) -> Team {
        let owner = format!("{name}_owner");
        let password = random_password();
        self.psql(
            "postgres",
            &format!("CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{password}'"),
        );
        self.psql("postgres", &format!("CREATE DATABASE {name} OWNER {owner}"));
        Team {
            name: name.to_owned(),
            port: self.port,
            tls: self.tls,
            ca: self.ca.clone(),
            owner,
            owner_password: password,
        }
    }

    /// A database set up for a team with `init`.
    pub fn team(&self, name: &str) -> Team {
        let team = self.database(name);
        team.init();
        team
    }
}

/// One team's database on the server.
pub struct Team {
    pub name: String,
    pub port: u16,
    /// Whether its server offers TLS (when not, its URLs say `sslmode=disable`).
    pub tls: bool,
    pub ca: PathBuf,
    pub owner: String,
    pub owner_password: String,
}

/// A member's login on a team.
#[derive(Clone)]
pub struct Member {
    pub login: String,
    pub url: String,
    pub password: String,
    pub identity: String,
}

/// Runs `f` on a runtime of its own (callable from tests with or without one).
fn blocking<T: Send + 'static, F: std::future::Future<Output = T>>(
    f: impl FnOnce() -> F + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f())
    })
    .join()
    .unwrap()
}

impl Team {
    /// `login`'s URL as a desk is given it: full verification against the team's CA.
    pub fn url(&self, login: &str) -> String {
        if !self.tls {
            return format!(
                "postgres://{login}@localhost:{}/{}?sslmode=disable",
                self.port, self.name
            );
        }
        format!(
            "postgres://{login}@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
            self.port,
            self.name,
            self.ca.display()
        )
    }

    pub fn owner_url(&self) -> String {
        self.url(&self.owner)
    }

    /// The desk's own `init`, as the owner.
    pub fn init(&self) {
        let (url, password) = (self.owner_url(), self.owner_password.clone());
        blocking(move || async move {
            let mut admin = desk_store::TeamAdmin::connect(&url, &password)
                .await
                .unwrap();
            admin.init().await.unwrap()
        });
    }

    /// A new member (`login`, named `name`, `email`) with `role` and a password of their own.
    pub fn member(&self, login: &str, name: &str, email: &str, role: Role) -> Member {
        let (url, password) = (self.owner_url(), self.owner_password.clone());
        let member = desk_store::TeamMember {
            login: login.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            role,
        };
        let identity = member.identity();
        let theirs = random_password();
        let given = theirs.clone();
        blocking(move || async move {
            let mut admin = desk_store::TeamAdmin::connect(&url, &password)
                .await
                .unwrap();
            admin.add_member(&member, &given).await.unwrap()
        });
        Member {
            login: login.to_owned(),
            url: self.url(login),
            password: theirs,
            identity,
        }
    }

    /// A reviewer `login` named after it (`Amira` → `Amira <amira@dhmad.tn>`).
    pub fn reviewer(&self, login: &str) -> Member {
        self.named(login, Role::Reviewer)
    }

    pub fn named(&self, login: &str, role: Role) -> Member {
        let mut name = login.replace('_', " ");
        if let Some(first) = name.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        self.member(login, &name, &format!("{login}@dhmad.tn"), role)
    }

    /// A store signed in as `member`.
    pub async fn store(&self, member: &Member) -> desk_store::PgStore {
        desk_store::PgStore::connect(&member.url, Some(&member.password))
            .await
            .unwrap()
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A paused server would not stop.
        let _ = Command::new("kill")
            .args(["-CONT", &self.pid_or_zero()])
            .output();
        let data = self.dir.join("data");
        let path = self.bin.join("pg_ctl");
        let args = [
            "-D",
            data.to_str().unwrap_or_default(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Postgres {
    fn pid_or_zero(&self) -> String {
        std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_owned))
            .unwrap_or_else(|| "0".to_owned())
    }
}
