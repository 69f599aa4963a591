//! The second wall between agencies on PostgreSQL: row-level security on every table holding
//! agency rows, keyed on a setting each transaction makes for itself (`set_config(.., true)` is
//! `SET LOCAL`), so a query that forgets its agency filter still sees nothing from another agency.
//! On SQLite there is no such wall; the setting is skipped.

use crate::{backend_of_conn, Backend, Result};
use sqlx::AnyConnection;

/// Whose rows a transaction may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wall {
    /// Only this agency's rows.
    Agency(i64),
    /// Every agency's rows. Only for the few paths that truly cross agencies: sign-in by email,
    /// session lookup by token, operator commands, migrations, audit verification over all
    /// agencies, background writers. Kept explicit so each use can be found with grep.
    System,
}

/// The PostgreSQL setting the policies read.
pub const SETTING: &str = "casework.agency";

/// The value a System wall sets; no agency id can take this form.
const EVERY_AGENCY: &str = "*";

/// The name of the policy on every walled table.
pub const POLICY: &str = "casework_agency_wall";

impl Wall {
    fn setting(self) -> String {
        match self {
            Wall::Agency(id) => id.to_string(),
            Wall::System => EVERY_AGENCY.to_string(),
        }
    }
}

/// Set the wall for the rest of the current transaction (on PostgreSQL; nothing on SQLite).
/// Outside a transaction the setting would last only for the one statement, so callers always
/// hold one. Setting it again within the transaction replaces it.
pub async fn enter(conn: &mut AnyConnection, wall: Wall) -> Result<()> {
    set(conn, wall, true).await
}

/// Set the wall on the connection itself, until it is set again: only for the connections of
/// `wall_shelf`, which never go back to the pool. A transaction's own wall (`enter`) still
/// replaces it for that transaction alone.
pub(crate) async fn enter_session(conn: &mut AnyConnection, wall: Wall) -> Result<()> {
    set(conn, wall, false).await
}

async fn set(conn: &mut AnyConnection, wall: Wall, local: bool) -> Result<()> {
    if backend_of_conn(conn) == Backend::Postgres {
        sqlx::query("SELECT set_config($1, $2, $3)")
            .bind(SETTING)
            .bind(wall.setting())
            .bind(local)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// `BEGIN` and the wall in one statement for PostgreSQL's simple protocol, which takes several
/// statements at once. The value is written into the text: it is an agency id or `*`, never
/// anything a person typed.
pub(crate) fn begin_statement(wall: Wall) -> String {
    begin_as("BEGIN", wall)
}

/// `begin_statement` for a read-only transaction that sees one snapshot throughout.
pub(crate) fn begin_snapshot_statement(wall: Wall) -> String {
    begin_as("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", wall)
}

fn begin_as(begin: &str, wall: Wall) -> String {
    format!(
        "{begin}; SELECT set_config('{SETTING}', '{}', true)",
        wall.setting()
    )
}

/// The wall for the rest of the transaction as a statement of its own, for a simple-protocol
/// query that sends it with others: `SET LOCAL` returns no row, so the query's rows are only
/// those of the statements around it. The value is an agency id or `*`, as in `begin_statement`.
pub(crate) fn set_local_statement(wall: Wall) -> String {
    format!("SET LOCAL {SETTING} = '{}'", wall.setting())
}

/// The row filter of the policy on a table whose rows belong to the agency in `column`. A setting
/// that is not a number (unset, empty) lets nothing through; `*` lets everything through.
///
/// The setting is read in scalar subqueries, which PostgreSQL runs once per statement (an
/// InitPlan) and compares as a parameter on each row. Written inline, the three settings
/// lookups and the pattern match ran on every row read: the caseload's fifty cases with their
/// counted contacts and consents took half as long again as without the wall (BENCHMARKS.md,
/// session 15).
pub(crate) fn predicate(column: &str) -> String {
    format!(
        "((SELECT current_setting('{SETTING}', true) = '{EVERY_AGENCY}') OR {column} = \
         (SELECT CASE WHEN current_setting('{SETTING}', true) ~ '^[0-9]{{1,18}}$' \
         THEN current_setting('{SETTING}', true)::bigint END))"
    )
}

/// Written on each policy as its comment, so a policy of an earlier form is found and replaced
/// by the next migrate: the predicate's own digest, so it changes whenever the predicate does.
pub(crate) fn policy_form() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(predicate("agency_id").as_bytes());
    format!("casework wall {}", hex::encode(&digest[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_form_follows_the_predicate() {
        let form = policy_form();
        assert!(form.starts_with("casework wall "), "{form}");
        assert_eq!(form, policy_form(), "the same predicate, the same form");
        let digest = |text: &str| {
            use sha2::{Digest, Sha256};
            hex::encode(&Sha256::digest(text.as_bytes())[..8])
        };
        assert!(form.ends_with(&digest(&predicate("agency_id"))));
    }

    #[test]
    fn the_begin_statement_names_only_an_agency_id_or_every_agency() {
        assert_eq!(
            begin_statement(Wall::Agency(42)),
            "BEGIN; SELECT set_config('casework.agency', '42', true)"
        );
        assert_eq!(
            begin_statement(Wall::System),
            "BEGIN; SELECT set_config('casework.agency', '*', true)"
        );
        assert_eq!(
            set_local_statement(Wall::Agency(42)),
            "SET LOCAL casework.agency = '42'"
        );
        assert_eq!(
            begin_snapshot_statement(Wall::Agency(42)),
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT set_config('casework.agency', '42', true)"
        );
    }
}
