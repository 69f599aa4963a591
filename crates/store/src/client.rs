//! Client registry rows: profile, identifiers, household, and the trigram index behind name search.

use crate::fetch::{self, Fetch, Run};
use crate::id_set::IdSet;
use crate::vault::{At, Vault};
use crate::{backend_of_conn, Conn, Result};
use casework_domain::client::{Birth, ClientProfile};
use casework_domain::matching::name_trigrams;
use sqlx::{FromRow, Row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClientRow {
    pub id: i64,
    pub agency_id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    pub birth_year_estimate: Option<i64>,
    pub gender_identity: Option<String>,
    pub pronouns: Option<String>,
    pub preferred_language: String,
    pub interpreter_needed: i64,
    pub cultural_considerations: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_contact: Option<String>,
    pub address: Option<String>,
    pub registered_by: Option<i64>,
    pub merged_into: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentifierRow {
    pub id: i64,
    pub agency_id: i64,
    pub client_id: i64,
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub relationship: Option<String>,
    pub birth_date: Option<String>,
}

/// The few fields a search result or duplicate warning shows.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClientSummary {
    pub id: i64,
    pub legal_name: String,
    pub preferred_name: Option<String>,
    pub birth_date: Option<String>,
    pub preferred_language: String,
    pub registered_by: Option<i64>,
}

const COLUMNS: &str = "id, agency_id, legal_name, preferred_name, birth_date, birth_year_estimate, gender_identity, pronouns, preferred_language, interpreter_needed, cultural_considerations, phone, email, safe_contact, address, registered_by, merged_into, created_at, updated_at, version";
const SUMMARY: &str =
    "id, legal_name, preferred_name, birth_date, preferred_language, registered_by";

/// Identifier values compare without case, spaces or dashes: "AB-12 34" is "ab1234".
pub fn identifier_norm(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn birth_columns(birth: &Birth) -> (Option<String>, Option<i64>) {
    match birth {
        Birth::Known(d) => (Some(d.to_string()), None),
        Birth::EstimatedYear(y) => (None, Some(i64::from(*y))),
        Birth::Unknown => (None, None),
    }
}

pub async fn insert(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    p: &ClientProfile,
    registered_by: i64,
    now: i64,
) -> Result<i64> {
    let (birth_date, birth_year) = birth_columns(&p.birth);
    let row = sqlx::query(
        "INSERT INTO clients (agency_id, legal_name, preferred_name, birth_date, birth_year_estimate, gender_identity,
           pronouns, preferred_language, interpreter_needed, cultural_considerations, phone, email, safe_contact,
           address, registered_by, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16) RETURNING id",
    )
    .bind(agency_id)
    .bind(&p.legal_name)
    .bind(&p.preferred_name)
    .bind(birth_date)
    .bind(birth_year)
    .bind(&p.gender_identity)
    .bind(&p.pronouns)
    .bind(&p.preferred_language)
    .bind(p.interpreter_needed as i64)
    .bind(&p.cultural_considerations)
    .bind(&p.phone)
    .bind(&p.email)
    .bind(None::<String>)
    .bind(&p.address)
    .bind(registered_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    // The client's data key is issued here, with the first thing sealed for them.
    crate::client_key::current(conn, &vault.keyring(), agency_id, id, now).await?;
    if let Some(safe) = &p.safe_contact {
        let sealed = vault
            .seal(conn, safe_contact_at(agency_id, id), safe, now)
            .await?;
        sqlx::query("UPDATE clients SET safe_contact = $1 WHERE id = $2")
            .bind(sealed)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    write_children(conn, vault, agency_id, id, p, now).await?;
    Ok(id)
}

fn safe_contact_at(agency_id: i64, id: i64) -> At<'static> {
    At::new("clients", "safe_contact", id, agency_id, id)
}

fn identifier_at(agency_id: i64, id: i64, client_id: i64) -> At<'static> {
    At::new("client_identifiers", "value", id, agency_id, client_id)
}

async fn write_children(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
    p: &ClientProfile,
    now: i64,
) -> Result<()> {
    for i in &p.identifiers {
        let row_id: i64 = sqlx::query_scalar(
            "INSERT INTO client_identifiers (agency_id, client_id, kind, value, value_norm) VALUES ($1, $2, $3, '', $4)
             RETURNING id",
        )
        .bind(agency_id)
        .bind(id)
        .bind(&i.kind)
        .bind(vault.blind_index(agency_id, &identifier_norm(&i.value)))
        .fetch_one(&mut *conn)
        .await?;
        let sealed = vault
            .seal(conn, identifier_at(agency_id, row_id, id), &i.value, now)
            .await?;
        sqlx::query("UPDATE client_identifiers SET value = $1 WHERE id = $2")
            .bind(sealed)
            .bind(row_id)
            .execute(&mut *conn)
            .await?;
    }
    for h in &p.household {
        sqlx::query(
            "INSERT INTO household_members (agency_id, client_id, name, relationship, birth_date) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(id)
        .bind(&h.name)
        .bind(&h.relationship)
        .bind(h.birth_date.map(|d| d.to_string()))
        .execute(&mut *conn)
        .await?;
    }
    index_names(conn, agency_id, id, &p.names()).await
}

/// Replace the client's name trigrams, keeping the per-trigram client counts in step.
pub async fn index_names(conn: &mut Conn, agency_id: i64, id: i64, names: &[&str]) -> Result<()> {
    sqlx::query(
        "UPDATE client_gram_counts SET clients = clients - 1
         WHERE agency_id = $1 AND gram IN (SELECT gram FROM client_name_grams WHERE client_id = $2)",
    )
    .bind(agency_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM client_name_grams WHERE client_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut grams: Vec<String> = names.iter().flat_map(|n| name_trigrams(n)).collect();
    grams.sort();
    grams.dedup();
    for chunk in grams.chunks(100) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(",");
        let sql =
            format!("INSERT INTO client_name_grams (agency_id, gram, client_id) VALUES {values}");
        let mut q = sqlx::query(&sql).bind(agency_id).bind(id);
        for g in chunk {
            q = q.bind(g.as_str());
        }
        q.execute(&mut *conn).await?;
        let counts = (0..chunk.len())
            .map(|i| format!("($1, ${}, 1)", i + 2))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "INSERT INTO client_gram_counts (agency_id, gram, clients) VALUES {counts}
             ON CONFLICT (agency_id, gram) DO UPDATE SET clients = client_gram_counts.clients + 1"
        );
        let mut q = sqlx::query(&sql).bind(agency_id);
        for g in chunk {
            q = q.bind(g.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Recount every trigram of an agency from the index (after bulk loads that skip the counts).
pub async fn rebuild_gram_counts(conn: &mut Conn, agency_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM client_gram_counts WHERE agency_id = $1")
        .bind(agency_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO client_gram_counts (agency_id, gram, clients)
         SELECT agency_id, gram, COUNT(*) FROM client_name_grams WHERE agency_id = $1 GROUP BY agency_id, gram",
    )
    .bind(agency_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many clients carry each of `grams` (absent grams are left out).
pub async fn gram_counts(
    conn: &mut impl Fetch,
    agency_id: i64,
    grams: &[String],
) -> Result<Vec<(String, i64)>> {
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT gram, clients FROM client_gram_counts WHERE agency_id = $1 AND gram IN ({})",
        placeholders(2, grams.len())
    );
    let mut q = fetch::query(&sql).bind(agency_id);
    for g in grams {
        q = q.bind(g.as_str());
    }
    let rows = q.rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn get(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    id: i64,
) -> Result<Option<ClientRow>> {
    let row: Option<ClientRow> = fetch::query(&format!(
        "SELECT {COLUMNS} FROM clients WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .optional_on(conn)
    .await?;
    let Some(mut row) = row else {
        return Ok(None);
    };
    vault
        .reader()
        .open_opt_in(
            conn.sqlx(),
            safe_contact_at(agency_id, id),
            &mut row.safe_contact,
        )
        .await?;
    Ok(Some(row))
}

async fn opened_identifiers(
    conn: &mut Conn,
    vault: &Vault,
    mut rows: Vec<IdentifierRow>,
) -> Result<Vec<IdentifierRow>> {
    let mut reader = vault.reader();
    for r in &mut rows {
        let at = identifier_at(r.agency_id, r.id, r.client_id);
        reader.open_in(conn, at, &mut r.value).await?;
    }
    Ok(rows)
}

pub async fn identifiers(
    conn: &mut Conn,
    vault: &Vault,
    client_id: i64,
) -> Result<Vec<IdentifierRow>> {
    let rows = sqlx::query_as(
        "SELECT id, agency_id, client_id, kind, value FROM client_identifiers WHERE client_id = $1 ORDER BY id",
    )
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?;
    opened_identifiers(conn, vault, rows).await
}

pub async fn household(conn: &mut Conn, client_id: i64) -> Result<Vec<HouseholdRow>> {
    Ok(sqlx::query_as(
        "SELECT id, client_id, name, relationship, birth_date FROM household_members WHERE client_id = $1 ORDER BY id",
    )
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Who works the client's cases: the facts the access policy needs.
pub async fn case_reach(
    conn: &mut impl Fetch,
    client_ids: &[i64],
) -> Result<Vec<(i64, Option<i64>, Option<i64>)>> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let set = IdSet::new(backend_of_conn(conn.sqlx()), 1, client_ids);
    let sql = format!(
        "SELECT client_id, primary_worker_id, team_id FROM cases WHERE {}",
        set.holds("client_id")
    );
    let rows = set.bind(fetch::query(&sql)).rows_on(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Ids the application itself produced, written into the statement: binding hundreds of
/// numbered parameters costs more than the query (sqlx matches each by name). Never for input.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The clients a caseworker may find by name, in id order: those of their cases, those of cases
/// shared with them on `today`, and those they registered.
///
/// The registered ones are a statement of their own. In one statement with the others,
/// PostgreSQL planned it afresh on every call (0.27 ms of planning to 0.35 of work, dataset M):
/// intake workers register most clients, so for `registered_by = $2` with the value unknown its
/// generic plan expects every client and scans them all (BENCHMARKS.md, session 20). Without
/// that branch the statement keeps one plan; the registered clients' statement is still
/// planned per call, but alone on one table that is cheap.
pub async fn reachable_summaries(
    conn: &mut impl Fetch,
    agency_id: i64,
    worker_id: i64,
    today: &str,
    limit: i64,
) -> Result<Vec<ClientSummary>> {
    let carried: Vec<ClientSummary> = fetch::query(&format!(
        "SELECT {SUMMARY} FROM clients WHERE agency_id = $1 AND merged_into IS NULL AND id IN (
           SELECT client_id FROM cases WHERE agency_id = $1 AND primary_worker_id = $2
           UNION SELECT c.client_id FROM case_shares s JOIN cases c ON c.id = s.case_id
             WHERE s.agency_id = $1 AND s.worker_id = $2 AND s.ends_on >= $3
               AND s.starts_on <= $3 AND s.ended_at IS NULL)
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(worker_id)
    .bind(today)
    .bind(limit)
    .all_on(conn)
    .await?;
    let registered: Vec<ClientSummary> = fetch::query(&format!(
        "SELECT {SUMMARY} FROM clients WHERE agency_id = $1 AND registered_by = $2
           AND merged_into IS NULL ORDER BY id LIMIT $3"
    ))
    .bind(agency_id)
    .bind(worker_id)
    .bind(limit)
    .all_on(conn)
    .await?;
    Ok(first_by_id(carried, registered, limit))
}

/// The first `limit` of two lists in id order, together in id order, each id once.
fn first_by_id(a: Vec<ClientSummary>, b: Vec<ClientSummary>, limit: i64) -> Vec<ClientSummary> {
    let mut all: Vec<ClientSummary> = a.into_iter().chain(b).collect();
    all.sort_by_key(|s| s.id);
    all.dedup_by_key(|s| s.id);
    all.truncate(usize::try_from(limit).unwrap_or(0));
    all
}

/// Clients sharing the most name trigrams with the query, best first (a bounded candidate set).
pub async fn gram_candidates(
    conn: &mut impl Fetch,
    agency_id: i64,
    grams: &[String],
    limit: i64,
) -> Result<Vec<i64>> {
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, grams.len());
    let sql = format!(
        "SELECT g.client_id, COUNT(*) AS hits FROM client_name_grams g
         WHERE g.agency_id = $1 AND g.gram IN ({list})
         GROUP BY g.client_id ORDER BY hits DESC, g.client_id LIMIT $2"
    );
    let mut q = fetch::query(&sql).bind(agency_id).bind(limit);
    for g in grams {
        q = q.bind(g.as_str());
    }
    let rows = q.rows_on(conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

pub async fn summaries(
    conn: &mut impl Fetch,
    agency_id: i64,
    ids: &[i64],
) -> Result<Vec<ClientSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let set = IdSet::new(backend_of_conn(conn.sqlx()), 2, ids);
    let sql = format!(
        "SELECT {SUMMARY} FROM clients WHERE agency_id = $1 AND merged_into IS NULL AND {}",
        set.holds("id")
    );
    set.bind(fetch::query(&sql).bind(agency_id))
        .all_on(conn)
        .await
}

pub async fn by_birth_date(
    conn: &mut impl Fetch,
    agency_id: i64,
    date: &str,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ClientSummary>> {
    fetch::query(&format!(
        "SELECT {SUMMARY} FROM clients WHERE agency_id = $1 AND birth_date = $2 AND merged_into IS NULL AND id > $3 ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(date)
    .bind(after_id)
    .bind(limit)
    .all_on(conn)
    .await
}

/// Birth dates between two dates (inclusive), for near-date duplicate checks.
pub async fn born_between(
    conn: &mut Conn,
    agency_id: i64,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM clients WHERE agency_id = $1 AND birth_date >= $2 AND birth_date <= $3 AND merged_into IS NULL ORDER BY id LIMIT $4",
    )
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Clients holding an identifier whose normalised value is `norm`, found by its blind index
/// (in every form it may have while a key rotation runs).
pub async fn by_identifier(
    conn: &mut impl Fetch,
    vault: &Vault,
    agency_id: i64,
    norm: &str,
    limit: i64,
) -> Result<Vec<i64>> {
    let keys = vault.blind_lookups(agency_id, norm);
    let sql = format!(
        "SELECT DISTINCT client_id FROM client_identifiers WHERE agency_id = $1 AND value_norm IN ({})
         ORDER BY client_id LIMIT $2",
        placeholders(3, keys.len())
    );
    let mut q = fetch::query(&sql).bind(agency_id).bind(limit);
    for k in &keys {
        q = q.bind(k);
    }
    let rows = q.rows_on(conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Identifiers of many clients at once, for duplicate checks.
pub async fn identifiers_of(
    conn: &mut Conn,
    vault: &Vault,
    ids: &[i64],
) -> Result<Vec<IdentifierRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let set = IdSet::new(backend_of_conn(conn), 1, ids);
    let sql = format!(
        "SELECT id, agency_id, client_id, kind, value FROM client_identifiers WHERE {}",
        set.holds("client_id")
    );
    let rows = set
        .bind(fetch::query(&sql))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(IdentifierRow::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    opened_identifiers(conn, vault, rows).await
}

pub async fn record_duplicate_decision(
    conn: &mut Conn,
    agency_id: i64,
    client_id: Option<i64>,
    candidate_ids: &[i64],
    decision: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO duplicate_decisions (agency_id, client_id, candidate_ids, decision, decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agency_id)
    .bind(client_id)
    .bind(serde_json::to_string(candidate_ids).unwrap_or_default())
    .bind(decision)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Overwrite the profile if the row is still at `version`; false when someone changed it first.
pub async fn update(
    conn: &mut Conn,
    vault: &Vault,
    agency_id: i64,
    id: i64,
    version: i64,
    p: &ClientProfile,
    now: i64,
) -> Result<bool> {
    let (birth_date, birth_year) = birth_columns(&p.birth);
    let safe_contact = vault
        .seal_opt(
            conn,
            safe_contact_at(agency_id, id),
            p.safe_contact.as_deref(),
            now,
        )
        .await?;
    let done = sqlx::query(
        "UPDATE clients SET legal_name = $1, preferred_name = $2, birth_date = $3, birth_year_estimate = $4,
           gender_identity = $5, pronouns = $6, preferred_language = $7, interpreter_needed = $8,
           cultural_considerations = $9, phone = $10, email = $11, safe_contact = $12, address = $13,
           updated_at = $14, version = version + 1
         WHERE agency_id = $15 AND id = $16 AND version = $17",
    )
    .bind(&p.legal_name)
    .bind(&p.preferred_name)
    .bind(birth_date)
    .bind(birth_year)
    .bind(&p.gender_identity)
    .bind(&p.pronouns)
    .bind(&p.preferred_language)
    .bind(p.interpreter_needed as i64)
    .bind(&p.cultural_considerations)
    .bind(&p.phone)
    .bind(&p.email)
    .bind(safe_contact)
    .bind(&p.address)
    .bind(now)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM client_identifiers WHERE client_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM household_members WHERE client_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    write_children(conn, vault, agency_id, id, p, now).await?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MergeRow {
    pub id: i64,
    pub agency_id: i64,
    pub survivor_id: i64,
    pub merged_id: i64,
    pub moved: String,
    pub merged_by: i64,
    pub merged_at: i64,
    pub undone_at: Option<i64>,
}

const MERGE: &str = "id, agency_id, survivor_id, merged_id, moved, merged_by, merged_at, undone_at";

pub async fn set_merged_into(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    into: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE clients SET merged_into = $1, updated_at = $2, version = version + 1 WHERE agency_id = $3 AND id = $4")
        .bind(into)
        .bind(now)
        .bind(agency_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn insert_merge(
    conn: &mut Conn,
    agency_id: i64,
    survivor: i64,
    merged: i64,
    moved: &str,
    by: i64,
    now: i64,
) -> Result<MergeRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO client_merges (agency_id, survivor_id, merged_id, moved, merged_by, merged_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING {MERGE}"
    ))
    .bind(agency_id)
    .bind(survivor)
    .bind(merged)
    .bind(moved)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn merge(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<MergeRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MERGE} FROM client_merges WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn merges_of(conn: &mut Conn, agency_id: i64, client_id: i64) -> Result<Vec<MergeRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MERGE} FROM client_merges WHERE agency_id = $1 AND (survivor_id = $2 OR merged_id = $2) ORDER BY id DESC LIMIT 50"
    ))
    .bind(agency_id)
    .bind(client_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn mark_merge_undone(conn: &mut Conn, id: i64, by: i64, now: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE client_merges SET undone_by = $1, undone_at = $2 WHERE id = $3 AND undone_at IS NULL")
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::{first_by_id, ClientSummary};

    fn client(id: i64) -> ClientSummary {
        ClientSummary {
            id,
            legal_name: format!("Client {id}"),
            preferred_name: None,
            birth_date: None,
            preferred_language: "en".into(),
            registered_by: None,
        }
    }

    #[test]
    fn two_reaches_join_in_id_order_each_client_once_up_to_the_limit() {
        let ids = |v: Vec<ClientSummary>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let carried = vec![client(2), client(5), client(9)];
        let registered = vec![client(1), client(5), client(7)];
        assert_eq!(
            ids(first_by_id(carried.clone(), registered.clone(), 10)),
            vec![1, 2, 5, 7, 9]
        );
        assert_eq!(ids(first_by_id(carried, registered, 3)), vec![1, 2, 5]);
        assert!(first_by_id(Vec::new(), Vec::new(), 10).is_empty());
    }
}
