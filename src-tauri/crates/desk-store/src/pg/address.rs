//! Where a team store is and how the desk may reach it: the URL read into connection options the
//! desk sets one by one (never libpq's environment or password files), TLS that verifies the
//! server on any host but this machine, and a failure to connect said in words.

use std::path::PathBuf;
use std::time::Duration;

use desk_core::ports::StoreError;
use sqlx::postgres::{PgConnectOptions, PgSslMode};

/// How long the server may work on one statement before it gives up on it.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A team store's URL, read: `postgres://LOGIN@HOST:PORT/DATABASE?sslmode=..&sslrootcert=..`.
#[derive(Debug, Clone)]
pub struct TeamAddress {
    pub login: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub ssl: PgSslMode,
    /// The CA that signed the server's certificate, beside the system's roots.
    pub ca: Option<PathBuf>,
}

fn bad(why: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("the team store URL: {why}"))
}

/// A host on this machine, where nothing crosses a network.
fn loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl TeamAddress {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let parsed = url::Url::parse(url.trim()).map_err(bad)?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad("it starts with postgres://"));
        }
        if parsed.password().is_some() {
            return Err(bad(
                "the password goes to the OS credential store, not the URL",
            ));
        }
        let login = percent(parsed.username())?;
        if login.is_empty() {
            return Err(bad("it names the login: postgres://LOGIN@HOST/DATABASE"));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("it names the server's host"))?
            .to_owned();
        let database = percent(parsed.path().trim_start_matches('/'))?;
        if database.is_empty() || database.contains('/') {
            return Err(bad("it names one database: postgres://LOGIN@HOST/DATABASE"));
        }
        let local = loopback(&host);
        let mut ssl = None;
        let mut ca = None;
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "sslmode" => {
                    ssl = Some(value.parse::<PgSslMode>().map_err(|_| {
                        bad(format!("sslmode {value:?} is not one of disable, prefer, require, verify-ca, verify-full"))
                    })?)
                }
                "sslrootcert" => ca = Some(PathBuf::from(value.as_ref())),
                other => return Err(bad(format!("it takes sslmode and sslrootcert, not {other:?}"))),
            }
        }
        // Across a network only a verified server (its chain and its name) hears the password.
        let ssl = match ssl {
            None if local => PgSslMode::Prefer,
            None => PgSslMode::VerifyFull,
            Some(PgSslMode::VerifyFull) => PgSslMode::VerifyFull,
            Some(mode) if local => mode,
            Some(_) => {
                return Err(bad(format!(
                    "{host} is not this machine: the desk reaches it only with sslmode=verify-full (the default)"
                )))
            }
        };
        Ok(Self {
            login,
            host,
            port: parsed.port().unwrap_or(5432),
            database,
            ssl,
            ca,
        })
    }

    /// The name the login's password is kept under in the OS credential store: one per login
    /// on one server's database, whichever profile uses it.
    pub fn credential_name(&self) -> String {
        format!(
            "team {}@{}:{}/{}",
            self.login, self.host, self.port, self.database
        )
    }

    /// The options the desk connects with, every one set here. `PgConnectOptions::new_without_pgpass`
    /// still reads libpq's PG* variables for what is not set, so everything they could carry
    /// (password, certificates, options, host) is set explicitly: an empty password when the
    /// credential store has none, so a `PGPASSWORD` in the environment is never sent.
    pub fn options(&self, password: Option<&str>) -> PgConnectOptions {
        let mut options = PgConnectOptions::new_without_pgpass()
            .host(self.host.trim_start_matches('[').trim_end_matches(']'))
            .port(self.port)
            .username(&self.login)
            .database(&self.database)
            .password(password.unwrap_or_default())
            .ssl_mode(self.ssl)
            .application_name("review-desk")
            .options([
                (
                    "statement_timeout",
                    format!("{}ms", STATEMENT_TIMEOUT.as_millis()),
                ),
                ("idle_in_transaction_session_timeout", "30s".to_owned()),
            ]);
        if let Some(ca) = &self.ca {
            options = options.ssl_root_cert(ca);
        }
        options
    }
}

fn percent(text: &str) -> Result<String, StoreError> {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| bad("unreadable"))
}

/// libpq's variables that sqlx reads for what the desk cannot set back to "none" (a client
/// certificate, another CA, extra server options). With one set, the connection would not be
/// the profile's alone, so the desk refuses to connect and names it.
pub fn foreign_environment() -> Result<(), StoreError> {
    let set: Vec<&str> = ["PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT", "PGOPTIONS"]
        .into_iter()
        .filter(|v| std::env::var_os(v).is_some())
        .collect();
    if set.is_empty() {
        return Ok(());
    }
    Err(StoreError::Failed(format!(
        "{} set in the environment: the desk takes its team store connection from the profile alone (unset {})",
        set.join(", "),
        if set.len() == 1 { "it" } else { "them" }
    )))
}

/// A failure to reach the server, said so a person knows which it was. A server that does
/// not answer is "unreachable" (the desk goes on alone and catches up); a server that answers
/// but cannot be trusted, or refuses the login, is a failure a retry will not mend.
pub fn connect_failure(e: sqlx::Error, address: Option<&TeamAddress>) -> StoreError {
    let server = address
        .map(|a| format!("{}:{}", a.host, a.port))
        .unwrap_or_else(|| "the team store".to_owned());
    if let Some(why) = tls_refusal(&e) {
        return StoreError::Failed(format!("{server}: {why}"));
    }
    match e {
        sqlx::Error::Tls(inner) if inner.to_string().contains("does not support TLS") => {
            StoreError::Failed(format!(
                "{server} does not offer TLS: the desk will not send a password in plain text (ask your administrator to turn ssl on)"
            ))
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("28P01") => {
            StoreError::Failed(format!(
                "{server} refused the password for {} (save the right one with `desk team save-password`, or in Profiles)",
                address.map(|a| a.login.as_str()).unwrap_or("this login")
            ))
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("28000") => {
            StoreError::Failed(format!(
                "{server} refused this login: {} (the server may require TLS, or the login may not be a member)",
                db.message()
            ))
        }
        sqlx::Error::Database(db) if db.code().as_deref() == Some("57014") => {
            StoreError::Unreachable(format!(
                "{server} took longer than {} s on one statement",
                STATEMENT_TIMEOUT.as_secs()
            ))
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unreachable(e.to_string()),
        e => StoreError::Failed(e.to_string()),
    }
}

/// A certificate the desk would not trust, named by what is wrong with it.
fn tls_refusal(e: &sqlx::Error) -> Option<&'static str> {
    use rustls::CertificateError as C;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = source {
        let rustls_error = error.downcast_ref::<rustls::Error>().or_else(|| {
            error
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(why)) = rustls_error {
            return Some(match why {
                C::UnknownIssuer | C::BadSignature => {
                    "its certificate is not signed by a CA the desk trusts (name the team's CA with sslrootcert=FILE)"
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "its certificate is for another host name: the desk did not send the password"
                }
                C::Expired | C::ExpiredContext { .. } => "its certificate has expired",
                C::NotValidYet | C::NotValidYetContext { .. } => "its certificate is not valid yet",
                C::Revoked => "its certificate was revoked",
                _ => "its certificate was refused",
            });
        }
        source = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_on_the_network_is_reached_only_with_full_verification() {
        let a = TeamAddress::parse("postgres://amira@db.dhmad.tn/team").unwrap();
        assert!(matches!(a.ssl, PgSslMode::VerifyFull));
        assert_eq!(
            (a.login.as_str(), a.port, a.database.as_str()),
            ("amira", 5432, "team")
        );
        for weaker in ["disable", "prefer", "require", "verify-ca"] {
            let url = format!("postgres://amira@db.dhmad.tn/team?sslmode={weaker}");
            assert!(TeamAddress::parse(&url).is_err(), "{weaker}");
        }
        let local = TeamAddress::parse("postgres://amira@127.0.0.1:6543/team").unwrap();
        assert!(matches!(local.ssl, PgSslMode::Prefer));
        assert_eq!(local.port, 6543);
        let named = TeamAddress::parse(
            "postgres://amira@localhost/team?sslmode=verify-full&sslrootcert=/etc/team-ca.pem",
        )
        .unwrap();
        assert_eq!(named.ca, Some(PathBuf::from("/etc/team-ca.pem")));
    }

    #[test]
    fn a_url_with_a_password_or_unknown_settings_is_refused() {
        for bad in [
            "postgres://amira:secret@db.dhmad.tn/team",
            "postgres://db.dhmad.tn/team",
            "postgres://amira@db.dhmad.tn/",
            "mysql://amira@db.dhmad.tn/team",
            "postgres://amira@db.dhmad.tn/team?password=x",
            "postgres://amira@db.dhmad.tn/team?sslmode=sometimes",
            "not a url",
        ] {
            assert!(TeamAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_environment_never_supplies_the_password() {
        let a = TeamAddress::parse("postgres://amira@localhost/team").unwrap();
        // PGPASSWORD may be set in a developer's shell: the options carry ours (or none).
        let options = a.options(None);
        assert_eq!(options.get_username(), "amira");
        assert_eq!(options.get_database(), Some("team"));
        assert!(options
            .get_options()
            .unwrap_or_default()
            .contains("statement_timeout"));
    }

    #[test]
    fn one_credential_per_login_server_and_database() {
        let a = TeamAddress::parse("postgres://amira@db.dhmad.tn:5433/team").unwrap();
        assert_eq!(a.credential_name(), "team amira@db.dhmad.tn:5433/team");
    }
}
