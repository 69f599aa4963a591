//! Each client's data key, stored wrapped by a master key. Destroying it (erasure) makes every
//! field sealed under it unreadable for good, without finding and overwriting each one.

use crate::{Conn, Result, StoreError};
use casework_domain::crypto::{self, CryptoError, Key, KeyRef, Keyring, Place, Sealed};
use rand::RngCore;
use sqlx::Row;

fn wrap_place(agency_id: i64, client_id: i64, version: u32) -> Place<'static> {
    Place {
        table: "client_keys",
        column: "wrapped",
        row_id: i64::from(version),
        agency_id,
        client_id: Some(client_id),
    }
}

pub(crate) fn wrap(
    keyring: &Keyring,
    agency_id: i64,
    client_id: i64,
    version: u32,
    key: &Key,
) -> String {
    let (mv, master) = keyring.newest();
    crypto::seal(
        &master.derive("data keys"),
        KeyRef::Master { version: mv },
        &wrap_place(agency_id, client_id, version),
        key.as_bytes(),
        nonce(),
    )
}

pub(crate) fn unwrap(
    keyring: &Keyring,
    agency_id: i64,
    client_id: i64,
    version: u32,
    wrapped: &str,
) -> Result<Key> {
    let sealed = Sealed::parse(wrapped)?;
    let KeyRef::Master { version: mv } = sealed.key else {
        return Err(CryptoError::Malformed.into());
    };
    let master = keyring.get(mv).ok_or(CryptoError::MasterKeyMissing(mv))?;
    let bytes = crypto::open(
        &master.derive("data keys"),
        &sealed,
        &wrap_place(agency_id, client_id, version),
    )?;
    Key::from_slice(&bytes).ok_or_else(|| CryptoError::Malformed.into())
}

pub(crate) fn nonce() -> [u8; crypto::NONCE_BYTES] {
    let mut n = [0u8; crypto::NONCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut n);
    n
}

pub(crate) fn fresh_key() -> Key {
    let mut k = [0u8; crypto::KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut k);
    Key::from_bytes(k)
}

/// The client's data key of `version`: unwrapped, or why not (erased, missing, wrong master key).
pub async fn get(
    conn: &mut Conn,
    keyring: &Keyring,
    agency_id: i64,
    client_id: i64,
    version: u32,
) -> Result<Key> {
    let row = sqlx::query(
        "SELECT wrapped FROM client_keys WHERE agency_id = $1 AND client_id = $2 AND version = $3",
    )
    .bind(agency_id)
    .bind(client_id)
    .bind(i64::from(version))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(CryptoError::DataKeyMissing { client_id, version }.into());
    };
    let wrapped: Option<String> = row.try_get(0)?;
    let wrapped = wrapped.ok_or(CryptoError::Erased)?;
    unwrap(keyring, agency_id, client_id, version, &wrapped)
}

/// The key new values of this client are sealed with: the newest version, created on first use
/// (clients registered before encryption get theirs lazily). Call inside a write transaction.
pub async fn current(
    conn: &mut Conn,
    keyring: &Keyring,
    agency_id: i64,
    client_id: i64,
    now: i64,
) -> Result<(u32, Key)> {
    if let Some((version, wrapped)) = newest(conn, agency_id, client_id).await? {
        let wrapped = wrapped.ok_or(CryptoError::Erased)?;
        return Ok((
            version,
            unwrap(keyring, agency_id, client_id, version, &wrapped)?,
        ));
    }
    issue(conn, keyring, agency_id, client_id, 1, now).await?;
    // A concurrent writer may have issued it first; whichever won is the key.
    let (version, wrapped) = newest(conn, agency_id, client_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("data key of client {client_id}")))?;
    let wrapped = wrapped.ok_or(CryptoError::Erased)?;
    Ok((
        version,
        unwrap(keyring, agency_id, client_id, version, &wrapped)?,
    ))
}

async fn newest(
    conn: &mut Conn,
    agency_id: i64,
    client_id: i64,
) -> Result<Option<(u32, Option<String>)>> {
    let row = sqlx::query(
        "SELECT version, wrapped FROM client_keys WHERE agency_id = $1 AND client_id = $2
         ORDER BY version DESC LIMIT 1",
    )
    .bind(agency_id)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let v: i64 = r.try_get(0)?;
        let version = u32::try_from(v).map_err(|_| StoreError::Corrupt("key version".into()))?;
        Ok((version, r.try_get(1)?))
    })
    .transpose()
}

/// A new data key of `version` for the client (nothing if that version exists already).
pub async fn issue(
    conn: &mut Conn,
    keyring: &Keyring,
    agency_id: i64,
    client_id: i64,
    version: u32,
    now: i64,
) -> Result<()> {
    let key = fresh_key();
    sqlx::query(
        "INSERT INTO client_keys (agency_id, client_id, version, wrapped, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, version) DO NOTHING",
    )
    .bind(agency_id)
    .bind(client_id)
    .bind(i64::from(version))
    .bind(wrap(keyring, agency_id, client_id, version, &key))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Destroy every data key of the client: what was sealed under them can never be read again
/// (reads fail with `record_erased`). A tombstone row stays so later writes are refused too,
/// until erasure removes the client's rows. Returns how many keys were destroyed.
pub async fn destroy(
    conn: &mut Conn,
    vault: &crate::vault::Vault,
    agency_id: i64,
    client_id: i64,
    now: i64,
) -> Result<u64> {
    vault.forget_client(agency_id, client_id);
    let done = sqlx::query(
        "UPDATE client_keys SET wrapped = NULL, destroyed_at = $1
         WHERE agency_id = $2 AND client_id = $3 AND wrapped IS NOT NULL",
    )
    .bind(now)
    .bind(agency_id)
    .bind(client_id)
    .execute(&mut *conn)
    .await?;
    // A client who never had a key gets a tombstone, so nothing is sealed for them afterwards.
    sqlx::query(
        "INSERT INTO client_keys (agency_id, client_id, version, wrapped, created_at, destroyed_at)
         VALUES ($1, $2, 1, NULL, $3, $3) ON CONFLICT (client_id, version) DO NOTHING",
    )
    .bind(agency_id)
    .bind(client_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
