//! The PostgreSQL role that serves requests. Row-level security does not bind superusers, roles
//! with BYPASSRLS or (without FORCE) table owners, so requests run as a role that is none of
//! these: by default `casework_app`, a NOLOGIN role the connecting (owning) user switches to with
//! `SET ROLE`, or the user of a separate serving URL. Migrations run as the connecting user.

use crate::{wall, Result, StoreError};
use sqlx::{AnyConnection, Executor, Row};
use std::time::Duration;

/// The role the serving pool switches to when no separate serving URL is given.
pub const DEFAULT_ROLE: &str = "casework_app";

pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Catalog writes for roles and grants can collide with another process doing the same
/// (`tuple concurrently updated`; roles are cluster-wide, so parallel tests meet here): retry.
async fn retried(conn: &mut AnyConnection, sql: &str) -> Result<()> {
    let mut attempt = 0;
    loop {
        match conn.execute(sql).await {
            Ok(_) => return Ok(()),
            Err(_) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// On the owner's connection, before the serving pool opens: the default role exists and the
/// connecting user may switch to it (when `create` is set), and the role can read which
/// migrations are applied.
pub(crate) async fn prepare(conn: &mut AnyConnection, role: &str, create: bool) -> Result<()> {
    let (r_ident, r_lit) = (ident(role), literal(role));
    if create {
        retried(
            conn,
            &format!(
                "DO $$ BEGIN
                   IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {r_lit}) THEN
                     CREATE ROLE {r_ident} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                   END IF;
                   IF NOT pg_has_role(current_user, {r_lit}, 'MEMBER') THEN
                     GRANT {r_ident} TO CURRENT_USER;
                   END IF;
                 END $$"
            ),
        )
        .await?;
    }
    conn.execute(crate::migrate::CREATE_TABLE).await?;
    retried(
        conn,
        &format!(
            "DO $$ BEGIN
               IF NOT has_table_privilege({r_lit}, 'schema_migrations', 'SELECT') THEN
                 GRANT SELECT ON schema_migrations TO {r_ident};
               END IF;
             END $$"
        ),
    )
    .await
}

/// Refuse to serve as a role that row-level security would not bind.
pub(crate) async fn check_bound(conn: &mut AnyConnection) -> Result<String> {
    let row = sqlx::query(
        "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (role, superuser, bypass): (String, bool, bool) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if superuser || bypass {
        return Err(StoreError::ServingRole(format!(
            "the serving role {role} is a superuser or has BYPASSRLS; row-level security would not bind it"
        )));
    }
    Ok(role)
}

/// After migrating, on the owner's connection: every table with an `agency_id` column (and the
/// agencies themselves, by `id`) has row-level security enabled and forced with the wall policy,
/// and the serving role may read and write every table but owns none. Idempotent, so tables
/// added by later migrations are walled without anyone remembering to.
pub(crate) async fn secure(conn: &mut AnyConnection, role: &str) -> Result<()> {
    let r_ident = ident(role);
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // Two processes securing one database at once would collide on the catalog rows.
    tx.execute("SELECT pg_advisory_xact_lock(7461626, 1)")
        .await?;
    let schema: String = sqlx::query("SELECT current_schema()::text")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    for (table, column) in unwalled(&mut tx).await? {
        let t = ident(&table);
        let policy = ident(wall::POLICY);
        let pred = wall::predicate(&ident(&column));
        let form = literal(&wall::policy_form());
        tx.execute(
            format!(
                "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
                 ALTER TABLE {t} FORCE ROW LEVEL SECURITY;
                 DROP POLICY IF EXISTS {policy} ON {t};
                 CREATE POLICY {policy} ON {t} USING {pred} WITH CHECK {pred};
                 COMMENT ON POLICY {policy} ON {t} IS {form};"
            )
            .as_str(),
        )
        .await?;
    }
    let s = ident(&schema);
    tx.execute(
        format!(
            "GRANT USAGE ON SCHEMA {s} TO {r_ident};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r_ident};
             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r_ident};
             REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {r_ident};"
        )
        .as_str(),
    )
    .await?;
    let owned: i64 = sqlx::query(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = $1",
    )
    .bind(role)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    if owned > 0 {
        return Err(StoreError::ServingRole(format!(
            "the serving role {role} owns {owned} relations; owners bypass row-level security"
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// Whether table `c` has the wall policy in its current form (`wall::policy_form`).
fn has_current_policy() -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_policy p
            WHERE p.polrelid = c.oid AND p.polname = {}
              AND obj_description(p.oid, 'pg_policy') = {})",
        literal(wall::POLICY),
        literal(&wall::policy_form())
    )
}

/// Tables that hold agency rows, with the column naming the agency.
fn walled_query() -> String {
    format!(
        "SELECT c.relname::text, a.attname::text,
            c.relrowsecurity, c.relforcerowsecurity, {}
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
             AND (a.attname = 'agency_id' OR (c.relname = 'agencies' AND a.attname = 'id'))
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
         ORDER BY 1",
        has_current_policy()
    )
}

async fn unwalled(conn: &mut AnyConnection) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(&walled_query()).fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    for r in rows {
        let (enabled, forced, policy): (bool, bool, bool) =
            (r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
        if !(enabled && forced && policy) {
            out.push((r.try_get(0)?, r.try_get(1)?));
        }
    }
    Ok(out)
}

/// Every table's row-level security state, for the test that no agency table is left open:
/// (table, rls enabled, forced, has the wall policy in its current form), over every table in
/// the schema.
pub async fn table_walls(conn: &mut AnyConnection) -> Result<Vec<(String, bool, bool, bool)>> {
    let rows = sqlx::query(&format!(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, {}
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
         ORDER BY 1",
        has_current_policy()
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}
