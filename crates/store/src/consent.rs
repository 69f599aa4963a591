//! Consents to share and the disclosures made under them (or under a legal basis). Disclosures
//! are only ever inserted; the database refuses to change or delete them.

use crate::fetch::{self, Fetch, Run};
use crate::{Conn, Result};
use casework_domain::consent::{categories_text, Basis, DisclosureRequest, ShareConsent};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ConsentRow {
    pub id: i64,
    pub agency_id: i64,
    pub client_id: i64,
    pub recipient_type: String,
    pub recipient_name: Option<String>,
    pub recipient_kind: Option<String>,
    pub purpose: String,
    pub purpose_other: Option<String>,
    pub categories: String,
    pub starts_on: String,
    pub expires_on: Option<String>,
    pub given_how: String,
    pub witness: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<i64>,
    pub revocation_reason: Option<String>,
    pub version: i64,
}

/// A consent running out soon, with the name the client goes by (for the worker's task list).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ExpiringRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub recipient_type: String,
    pub recipient_name: Option<String>,
    pub recipient_kind: Option<String>,
    pub purpose: String,
    pub purpose_other: Option<String>,
    pub expires_on: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct DisclosureRow {
    pub id: i64,
    pub agency_id: i64,
    pub client_id: i64,
    pub recipient_name: String,
    pub recipient_kind: Option<String>,
    pub purpose: String,
    pub purpose_other: Option<String>,
    pub categories: String,
    pub channel: String,
    pub consent_id: Option<i64>,
    pub legal_basis_kind: Option<String>,
    pub law_cited: Option<String>,
    pub authorised_by_name: Option<String>,
    pub authorised_by_role: Option<String>,
    pub authorised_on: Option<String>,
    pub disclosed_by: i64,
    pub disclosed_at: i64,
}

const CONSENT: &str = "id, agency_id, client_id, recipient_type, recipient_name, recipient_kind, purpose, purpose_other, categories, starts_on, expires_on, given_how, witness, recorded_by, recorded_at, revoked_at, revoked_by, revocation_reason, version";
const DISCLOSURE: &str = "id, agency_id, client_id, recipient_name, recipient_kind, purpose, purpose_other, categories, channel, consent_id, legal_basis_kind, law_cited, authorised_by_name, authorised_by_role, authorised_on, disclosed_by, disclosed_at";

/// Consents kept per client; the decision reads them all, so the service keeps them bounded.
pub const CONSENTS_MAX: i64 = 500;

pub async fn insert_consent(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    c: &ShareConsent,
    by: i64,
    now: i64,
) -> Result<ConsentRow> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO share_consents (agency_id, client_id, recipient_type, recipient_name,
           recipient_kind, purpose, purpose_other, categories, starts_on, expires_on, given_how,
           witness, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING {CONSENT}"
    ))
    .bind(agency_id)
    .bind(client_id)
    .bind(c.recipient.type_str())
    .bind(c.recipient.name())
    .bind(c.recipient.kind().map(|k| k.as_str()))
    .bind(c.purpose.kind().as_str())
    .bind(c.purpose.words())
    .bind(categories_text(&c.categories))
    .bind(c.starts_on.to_string())
    .bind(c.expires_on.map(|d| d.to_string()))
    .bind(c.given_how.as_str())
    .bind(c.witness.as_deref())
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn consent(conn: &mut Conn, agency_id: i64, id: i64) -> Result<Option<ConsentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONSENT} FROM share_consents WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A page of the client's consents, oldest first, after `after` (an id).
pub async fn consents_of(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<ConsentRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONSENT} FROM share_consents WHERE agency_id = $1 AND client_id = $2 AND id > $3
         ORDER BY id LIMIT $4"
    ))
    .bind(agency_id)
    .bind(client_id)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Every consent of the client (at most [`CONSENTS_MAX`]): what a disclosure is checked against.
pub async fn all_consents_of(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
) -> Result<Vec<ConsentRow>> {
    consents_of(conn, agency_id, client_id, 0, CONSENTS_MAX).await
}

pub async fn count_consents(conn: &mut Conn, agency_id: i64, client_id: i64) -> Result<i64> {
    let row: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM share_consents WHERE agency_id = $1 AND client_id = $2",
    )
    .bind(agency_id)
    .bind(client_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.0)
}

/// Revoke, once, if still at `version`.
#[allow(clippy::too_many_arguments)]
pub async fn revoke(
    conn: &mut Conn,
    agency_id: i64,
    id: i64,
    version: i64,
    by: i64,
    now: i64,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE share_consents SET revoked_at = $1, revoked_by = $2, revocation_reason = $3,
           version = version + 1
         WHERE agency_id = $4 AND id = $5 AND version = $6 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(agency_id)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Consents not revoked whose last day falls between `from` and `to` (inclusive, `YYYY-MM-DD`),
/// of clients with an open case `worker_id` carries; by last day then id, after (`day`, `id`).
#[allow(clippy::too_many_arguments)]
pub async fn expiring(
    conn: &mut impl Fetch,
    agency_id: i64,
    worker_id: i64,
    from: &str,
    to: &str,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<ExpiringRow>> {
    fetch::query(
        "SELECT s.id, s.client_id, COALESCE(c.preferred_name, c.legal_name) AS client_name,
           s.recipient_type, s.recipient_name, s.recipient_kind, s.purpose, s.purpose_other,
           s.expires_on, s.version
         FROM share_consents s JOIN clients c ON c.id = s.client_id
         WHERE s.agency_id = $1 AND s.revoked_at IS NULL AND s.expires_on >= $2
           AND s.expires_on <= $3
           AND s.client_id IN (SELECT client_id FROM cases
                               WHERE agency_id = $1 AND primary_worker_id = $4
                                 AND closed_at IS NULL)
           AND (s.expires_on > $5 OR (s.expires_on = $5 AND s.id > $6))
         ORDER BY s.expires_on, s.id LIMIT $7",
    )
    .bind(agency_id)
    .bind(from)
    .bind(to)
    .bind(worker_id)
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .all_on(conn)
    .await
}

/// Record a disclosure under `consent_id`, or under the request's legal basis.
pub async fn insert_disclosure(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    d: &DisclosureRequest,
    consent_id: Option<i64>,
    by: i64,
    now: i64,
) -> Result<DisclosureRow> {
    let legal = match &d.basis {
        Basis::Legal(b) => Some(b),
        Basis::Consent => None,
    };
    Ok(sqlx::query_as(&format!(
        "INSERT INTO disclosures (agency_id, client_id, recipient_name, recipient_kind, purpose,
           purpose_other, categories, channel, consent_id, legal_basis_kind, law_cited,
           authorised_by_name, authorised_by_role, authorised_on, disclosed_by, disclosed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING {DISCLOSURE}"
    ))
    .bind(agency_id)
    .bind(client_id)
    .bind(&d.recipient.name)
    .bind(d.recipient.kind.map(|k| k.as_str()))
    .bind(d.purpose.kind().as_str())
    .bind(d.purpose.words())
    .bind(categories_text(&d.categories))
    .bind(d.channel.as_str())
    .bind(consent_id)
    .bind(legal.map(|b| b.kind.as_str()))
    .bind(legal.map(|b| b.law_cited.as_str()))
    .bind(legal.map(|b| b.authorised_by_name.as_str()))
    .bind(legal.map(|b| b.authorised_by_role.as_str()))
    .bind(legal.map(|b| b.authorised_on.to_string()))
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

/// A page of the client's disclosures, newest first, before `before` (an id).
pub async fn disclosures_of(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<DisclosureRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DISCLOSURE} FROM disclosures WHERE agency_id = $1 AND client_id = $2 AND id < $3
         ORDER BY id DESC LIMIT $4"
    ))
    .bind(agency_id)
    .bind(client_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}
