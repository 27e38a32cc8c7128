//! What the team's administrator runs with the owner's login: the schema (`init`, `upgrade`),
//! and the members, each a PostgreSQL login of their own in this database's member role (and
//! lead role). Passwords reach the server only as SCRAM-SHA-256 verifiers computed here, never
//! in clear; and the member a desk is signed in as (`me`).

use desk_core::ports::StoreError;
use desk_core::profile::Role;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::Connection as _;

use super::{migrator, PgStore, TeamAddress};

/// A member of the team as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamMember {
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl TeamMember {
    /// `Name <email>`, as claims, presence and the audit name a reviewer.
    pub fn identity(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

/// The server's word for a role.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Reviewer => "reviewer",
        Role::TeamLead => "lead",
        Role::Support => "support",
    }
}

fn role_of(name: &str) -> Result<Role, StoreError> {
    match name {
        "reviewer" => Ok(Role::Reviewer),
        "lead" => Ok(Role::TeamLead),
        "support" => Ok(Role::Support),
        other => Err(StoreError::Failed(format!("unknown team role {other:?}"))),
    }
}

/// A login the desk creates: lowercase letters, digits and `_`, starting with a letter, at
/// most 63 bytes (PostgreSQL's limit), so it never needs quoting to be typed.
pub fn valid_login(login: &str) -> bool {
    let mut chars = login.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && login.len() <= 63
        && !login.starts_with("pg_")
}

/// The SCRAM-SHA-256 verifier PostgreSQL keeps for `password` (RFC 5802/7677, as the
/// server's own `password_encryption` computes it): what `CREATE ROLE .. PASSWORD` gets, so
/// the password itself never reaches the server or its logs.
pub fn scram_verifier(password: &str, salt: &[u8; 16], iterations: u32) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let prepared = stringprep::saslprep(password)
        .map(|p| p.into_owned())
        .unwrap_or_else(|_| password.to_owned());
    let mac = |key: &[u8], data: &[u8]| {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
        m.update(data);
        m.finalize().into_bytes()
    };
    // PBKDF2-HMAC-SHA-256, one block ("Hi" in RFC 5802).
    let mut block = salt.to_vec();
    block.extend_from_slice(&1u32.to_be_bytes());
    let mut u = mac(prepared.as_bytes(), &block);
    let mut salted = u;
    for _ in 1..iterations {
        u = mac(prepared.as_bytes(), &u);
        for (s, x) in salted.iter_mut().zip(u.iter()) {
            *s ^= x;
        }
    }
    let client_key = mac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = mac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        b64.encode(salt),
        b64.encode(stored_key),
        b64.encode(server_key)
    )
}

/// A password for a new member: 24 characters from 18 random bytes.
pub fn new_password() -> Result<String, StoreError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 18];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Failed(format!("no randomness for a password: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn verifier_for(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| StoreError::Failed(format!("no randomness for a salt: {e}")))?;
    Ok(scram_verifier(password, &salt, 4096))
}

/// The administrator's connection: the owner's login on the team store.
pub struct TeamAdmin {
    conn: sqlx::PgConnection,
    address: TeamAddress,
}

impl TeamAdmin {
    pub async fn connect(url: &str, owner_password: &str) -> Result<Self, StoreError> {
        super::address::foreign_environment()?;
        let address = TeamAddress::parse(url)?;
        let conn = tokio::time::timeout(
            super::ANSWER_WITHIN,
            sqlx::PgConnection::connect_with(&address.options(Some(owner_password))),
        )
        .await
        .map_err(|_| {
            StoreError::Unreachable(format!("{}:{} did not answer", address.host, address.port))
        })?
        .map_err(|e| super::address::connect_failure(e, Some(&address)))?;
        Ok(Self { conn, address })
    }

    fn failed(&self, e: sqlx::Error) -> StoreError {
        super::address::connect_failure(e, Some(&self.address))
    }

    async fn applied(&mut self) -> Result<Option<i64>, StoreError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| self.failed(e))?;
        if !exists {
            return Ok(None);
        }
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| self.failed(e))
    }

    /// Creates the schema on an empty database the owner owns. Returns the schema version.
    pub async fn init(&mut self) -> Result<i64, StoreError> {
        if let Some(v) = self.applied().await? {
            return Err(StoreError::Failed(format!(
                "this team store is already set up (schema version {v}): `desk team upgrade` applies later versions"
            )));
        }
        let owner: bool = sqlx::query_scalar(
            "SELECT d.datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) \
             FROM pg_database d WHERE d.datname = current_database()",
        )
        .fetch_one(&mut self.conn)
        .await
        .map_err(|e| self.failed(e))?;
        if !owner {
            return Err(StoreError::Failed(format!(
                "{} does not own the database {}: run `desk team init` as its owner (CREATE DATABASE {} OWNER {})",
                self.address.login, self.address.database, self.address.database, self.address.login
            )));
        }
        self.migrate().await
    }

    /// Applies the migrations this desk has that the team store lacks.
    pub async fn upgrade(&mut self) -> Result<i64, StoreError> {
        if self.applied().await?.is_none() {
            return Err(StoreError::Failed(
                "this team store is not set up yet: run `desk team init` first".into(),
            ));
        }
        self.migrate().await
    }

    async fn migrate(&mut self) -> Result<i64, StoreError> {
        migrator().run(&mut self.conn).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => self.failed(e),
            e => StoreError::Failed(e.to_string()),
        })?;
        Ok(self.applied().await?.unwrap_or(0))
    }

    async fn group(&mut self, role: Role) -> Result<Vec<String>, StoreError> {
        let db: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| self.failed(e))?;
        let mut groups = vec![format!("{db}_desk_member")];
        if role == Role::TeamLead {
            groups.push(format!("{db}_desk_lead"));
        }
        Ok(groups)
    }

    /// Runs a statement built by the server's `format()` (role names and password literals
    /// cannot be bound parameters), inside the caller's transaction.
    async fn run_formatted(
        tx: &mut sqlx::PgConnection,
        template: &str,
        args: &[&str],
    ) -> Result<(), sqlx::Error> {
        let mut q = sqlx::query_scalar::<_, String>(template);
        for a in args {
            q = q.bind(*a);
        }
        let statement = q.fetch_one(&mut *tx).await?;
        sqlx::query(&statement).execute(&mut *tx).await?;
        Ok(())
    }

    /// A new member with their own login and `password` (as a verifier).
    pub async fn add_member(
        &mut self,
        member: &TeamMember,
        password: &str,
    ) -> Result<(), StoreError> {
        check_member(member)?;
        if password.chars().count() < 12 {
            return Err(StoreError::Failed(
                "a member's password is at least 12 characters".into(),
            ));
        }
        let verifier = verifier_for(password)?;
        let groups = self.group(member.role).await?;
        let mut tx = self.conn.begin().await.map_err(super::failed)?;
        let done = async {
            Self::run_formatted(
                &mut tx,
                "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)",
                &[&member.login, &verifier],
            )
            .await?;
            for g in &groups {
                Self::run_formatted(
                    &mut tx,
                    "SELECT format('GRANT %I TO %I', $1::text, $2::text)",
                    &[g, &member.login],
                )
                .await?;
            }
            sqlx::query("INSERT INTO members (login, name, email, role) VALUES ($1, $2, $3, $4)")
                .bind(&member.login)
                .bind(&member.name)
                .bind(&member.email)
                .bind(role_name(member.role))
                .execute(&mut *tx)
                .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        match done {
            Ok(()) => tx.commit().await.map_err(super::failed),
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42710") => {
                Err(StoreError::Failed(format!(
                    "a login named {} already exists on this server",
                    member.login
                )))
            }
            Err(e) => Err(super::failed(e)),
        }
    }

    /// Changes a member's role (and their lead role membership with it).
    pub async fn set_role(&mut self, login: &str, role: Role) -> Result<(), StoreError> {
        let db: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| self.failed(e))?;
        let lead = format!("{db}_desk_lead");
        let mut tx = self.conn.begin().await.map_err(super::failed)?;
        let changed = sqlx::query("UPDATE members SET role = $2 WHERE login = $1")
            .bind(login)
            .bind(role_name(role))
            .execute(&mut *tx)
            .await
            .map_err(super::failed)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::Failed(format!(
                "{login} is not a member of this team"
            )));
        }
        let template = if role == Role::TeamLead {
            "SELECT format('GRANT %I TO %I', $1::text, $2::text)"
        } else {
            "SELECT format('REVOKE %I FROM %I', $1::text, $2::text)"
        };
        Self::run_formatted(&mut tx, template, &[&lead, login])
            .await
            .map_err(super::failed)?;
        tx.commit().await.map_err(super::failed)
    }

    /// Removes a member: their login is dropped (what they did stays on the team's chain).
    pub async fn remove_member(&mut self, login: &str) -> Result<(), StoreError> {
        let mut tx = self.conn.begin().await.map_err(super::failed)?;
        let gone = sqlx::query("DELETE FROM members WHERE login = $1")
            .bind(login)
            .execute(&mut *tx)
            .await
            .map_err(super::failed)?;
        if gone.rows_affected() == 0 {
            return Err(StoreError::Failed(format!(
                "{login} is not a member of this team"
            )));
        }
        sqlx::query("DELETE FROM claims WHERE holder_login = $1")
            .bind(login)
            .execute(&mut *tx)
            .await
            .map_err(super::failed)?;
        Self::run_formatted(&mut tx, "SELECT format('DROP ROLE %I', $1::text)", &[login])
            .await
            .map_err(super::failed)?;
        tx.commit().await.map_err(super::failed)
    }

    /// Every member, by login.
    pub async fn members(&mut self) -> Result<Vec<TeamMember>, StoreError> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT login, name, email, role FROM members ORDER BY login")
                .fetch_all(&mut self.conn)
                .await
                .map_err(|e| self.failed(e))?;
        rows.into_iter()
            .map(|(login, name, email, role)| {
                Ok(TeamMember {
                    login,
                    name,
                    email,
                    role: role_of(&role)?,
                })
            })
            .collect()
    }
}

fn check_member(m: &TeamMember) -> Result<(), StoreError> {
    if !valid_login(&m.login) {
        return Err(StoreError::Failed(format!(
            "{:?} is not a login the desk creates: lowercase letters, digits and _, starting with a letter, at most 63",
            m.login
        )));
    }
    let name = m.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['<', '>']) {
        return Err(StoreError::Failed(
            "a member's name is 1 to 200 characters, without < or >".into(),
        ));
    }
    if desk_core::model::request::validate_email(&m.email).is_err() {
        return Err(StoreError::Failed(format!(
            "{:?} is not a valid email address",
            m.email
        )));
    }
    Ok(())
}

impl PgStore {
    /// The member this store's login is, as the server knows them.
    pub async fn me(&self) -> Result<TeamMember, StoreError> {
        self.within(async {
            let (login, name, email, role): (String, String, String, String) =
                sqlx::query_as("SELECT login, name, email, role FROM desk_me()")
                    .fetch_one(self.pool().await?)
                    .await
                    .map_err(|e| self.failed(e))?;
            Ok(TeamMember {
                login,
                name,
                email,
                role: role_of(&role)?,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_has_postgresqls_shape_and_hides_the_password() {
        let v = scram_verifier("correct horse battery", &[7u8; 16], 4096);
        let (head, keys) = v.split_once('$').unwrap().1.split_once('$').unwrap();
        assert_eq!(head, "4096:BwcHBwcHBwcHBwcHBwcHBw==");
        assert_eq!(keys.split(':').count(), 2);
        assert!(!v.contains("horse"));
        assert_ne!(v, scram_verifier("correct horse battery", &[8u8; 16], 4096));
    }

    #[test]
    fn logins_are_plain_identifiers() {
        for ok in ["amira", "youssef_t", "r2"] {
            assert!(valid_login(ok), "{ok}");
        }
        for bad in [
            "",
            "Amira",
            "2r",
            "a-b",
            "a b",
            "pg_admin",
            "a\"b",
            &"a".repeat(64),
        ] {
            assert!(!valid_login(bad), "{bad}");
        }
    }
}
