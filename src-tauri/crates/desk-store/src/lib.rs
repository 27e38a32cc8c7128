//! The desk's stores, behind desk-core's ports: `sqlite`, each desk's own file (the cached
//! queue, the outbox, the audit log), and `pg`, the team store on PostgreSQL (the team's audit
//! chain, claims, four-eyes, the watch list). What both read alike is in `rows`.

mod pg;
mod rows;
mod sqlite;

pub use pg::{
    new_password, role_name, valid_login, PgStore, TeamAddress, TeamAdmin, TeamMember,
    ANSWER_WITHIN,
};
pub use sqlite::SqliteStore;
