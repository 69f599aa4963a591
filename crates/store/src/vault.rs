//! Sealing and opening sensitive fields on their way into and out of the database. Every store
//! function that writes or reads such a column takes the `Vault`; rows come back in the clear.
//!
//! A stored value is one of: `enc1:...` (a ciphertext, see `casework_domain::crypto`), or
//! `legacy:<plaintext>` — written before encryption existed and marked by migration 0017, read as
//! is until `casework keys rotate` seals it. Anything else is refused as malformed.

use crate::client_key;
use crate::key_cache::KeyCache;
use crate::{Conn, Result};
use casework_domain::crypto::{self, CryptoError, Key, KeyRef, Keyring, Place, Sealed};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

pub const LEGACY: &str = "legacy:";

/// The master keyring, shared by every clone, and swappable while the server runs (a reloaded
/// key file). Each operation takes one snapshot of the keyring and works with it throughout, so
/// a swap never mixes two keyrings within one seal or open. `Debug` names only the key versions.
#[derive(Clone)]
pub struct Vault {
    keyring: Arc<RwLock<Arc<Keyring>>>,
    /// Client data keys unwrapped lately, shared by every clone (see `key_cache`).
    keys: Arc<KeyCache>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("keyring", &self.keyring())
            .finish()
    }
}

/// Where a client's field lives: table, column, row, agency, and whose record it is.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: i64,
    pub agency_id: i64,
    pub client_id: i64,
}

impl<'a> At<'a> {
    pub fn new(
        table: &'a str,
        column: &'a str,
        row_id: i64,
        agency_id: i64,
        client_id: i64,
    ) -> Self {
        At {
            table,
            column,
            row_id,
            agency_id,
            client_id,
        }
    }

    pub fn column(self, column: &'a str) -> Self {
        At { column, ..self }
    }
}

impl Vault {
    pub fn new(keyring: Keyring) -> Vault {
        Vault {
            keyring: Arc::new(RwLock::new(Arc::new(keyring))),
            keys: Arc::default(),
        }
    }

    /// A snapshot of the keyring in use now.
    pub fn keyring(&self) -> Arc<Keyring> {
        // The lock only guards an `Arc` swap, which cannot panic half-way: a poisoned lock
        // still holds a whole keyring.
        self.keyring
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Use `keyring` from now on, in every clone of this vault. Operations already under way
    /// finish with the snapshot they took.
    pub fn replace(&self, keyring: Keyring) {
        *self.keyring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keyring);
        self.keys.clear();
    }

    /// The client's data keys were destroyed: stop opening with copies kept here.
    pub fn forget_client(&self, agency_id: i64, client_id: i64) {
        self.keys.forget_client(agency_id, client_id);
    }

    /// A vault of its own holding today's keyring, unaffected by later swaps (a rotation run
    /// works to one newest version from start to end).
    pub fn frozen(&self) -> Vault {
        Vault {
            keyring: Arc::new(RwLock::new(self.keyring())),
            keys: self.keys.clone(),
        }
    }

    /// Seal a client's value under the client's current data key.
    pub async fn seal(&self, conn: &mut Conn, at: At<'_>, plain: &str, now: i64) -> Result<String> {
        let (version, key) =
            client_key::current(conn, &self.keyring(), at.agency_id, at.client_id, now).await?;
        Ok(seal_with(&key, version, at, plain))
    }

    pub async fn seal_opt(
        &self,
        conn: &mut Conn,
        at: At<'_>,
        plain: Option<&str>,
        now: i64,
    ) -> Result<Option<String>> {
        match plain {
            Some(p) => Ok(Some(self.seal(conn, at, p, now).await?)),
            None => Ok(None),
        }
    }

    /// Seal `values` for the row `at` names, one per column of `columns`, and write them to that
    /// row of `table`: for a row just inserted, since its id is part of what each ciphertext is
    /// bound to. A `None` writes NULL.
    pub(crate) async fn seal_into(
        &self,
        conn: &mut Conn,
        table: &str,
        at: At<'_>,
        columns: &[&str],
        values: &[Option<&str>],
        now: i64,
    ) -> Result<()> {
        let mut sets = Vec::with_capacity(columns.len());
        let mut sealed = Vec::with_capacity(columns.len());
        for (k, (column, value)) in columns.iter().zip(values).enumerate() {
            sets.push(format!("{column} = ${}", k + 1));
            sealed.push(self.seal_opt(conn, at.column(column), *value, now).await?);
        }
        let sql = format!(
            "UPDATE {table} SET {} WHERE id = ${}",
            sets.join(", "),
            columns.len() + 1
        );
        let mut q = sqlx::query(&sql);
        for value in sealed {
            q = q.bind(value);
        }
        q.bind(at.row_id).execute(&mut *conn).await?;
        Ok(())
    }

    /// A fresh first data key for a client the bulk seeder writes: the key, to seal that client's
    /// values with while the batch is built, and its wrapped form for `client_keys` (version 1).
    pub fn fresh_client_key(&self, agency_id: i64, client_id: i64) -> (Key, String) {
        let key = client_key::fresh_key();
        let wrapped = client_key::wrap(&self.keyring(), agency_id, client_id, 1, &key);
        (key, wrapped)
    }

    /// Seal a client's value under a data key the caller already holds (the bulk seeder, which
    /// makes each client's key once rather than looking it up per row).
    pub fn seal_under(key: &Key, version: u32, at: At<'_>, plain: &str) -> String {
        seal_with(key, version, at, plain)
    }

    /// A reader that keeps the data keys it unwrapped, for a list of rows.
    pub fn reader(&self) -> Reader {
        Reader {
            keyring: self.keyring(),
            keys: HashMap::new(),
            shared: self.keys.clone(),
        }
    }

    /// Open one stored value of a client's record.
    pub async fn open(&self, conn: &mut Conn, at: At<'_>, stored: &str) -> Result<String> {
        self.reader().open(conn, at, stored).await
    }

    pub async fn open_opt(
        &self,
        conn: &mut Conn,
        at: At<'_>,
        stored: Option<&str>,
    ) -> Result<Option<String>> {
        self.reader().open_opt(conn, at, stored).await
    }

    /// Seal a value that belongs to no client (a TOTP secret) under the newest master key.
    pub fn seal_master(&self, place: &Place<'_>, plain: &str) -> String {
        let ring = self.keyring();
        let (version, key) = ring.newest();
        crypto::seal(
            &key.derive("fields"),
            KeyRef::Master { version },
            place,
            plain.as_bytes(),
            client_key::nonce(),
        )
    }

    pub fn open_master(&self, place: &Place<'_>, stored: &str) -> Result<String> {
        if let Some(plain) = stored.strip_prefix(LEGACY) {
            return Ok(plain.to_string());
        }
        let sealed = Sealed::parse(stored)?;
        let KeyRef::Master { version } = sealed.key else {
            return Err(CryptoError::Refused(place.to_string()).into());
        };
        let ring = self.keyring();
        let key = ring
            .get(version)
            .ok_or(CryptoError::MasterKeyMissing(version))?;
        text(crypto::open(&key.derive("fields"), &sealed, place)?)
    }

    /// The blind index an identifier is stored with (newest master key).
    pub fn blind_index(&self, agency_id: i64, norm: &str) -> String {
        let ring = self.keyring();
        let (v, k) = ring.newest();
        crypto::blind_index(v, k, agency_id, norm)
    }

    /// Every form the index of `norm` may have while a rotation is under way: one per master
    /// key version, and the legacy mark of rows not yet rotated.
    pub fn blind_lookups(&self, agency_id: i64, norm: &str) -> Vec<String> {
        let ring = self.keyring();
        let mut out: Vec<String> = ring
            .versions()
            .filter_map(|v| {
                ring.get(v)
                    .map(|k| crypto::blind_index(v, k, agency_id, norm))
            })
            .collect();
        out.push(format!("{LEGACY}{norm}"));
        out
    }
}

pub(crate) fn seal_with(key: &Key, version: u32, at: At<'_>, plain: &str) -> String {
    crypto::seal(
        key,
        KeyRef::Client {
            client_id: at.client_id,
            version,
        },
        &place(at),
        plain.as_bytes(),
        client_key::nonce(),
    )
}

fn place(at: At<'_>) -> Place<'_> {
    Place {
        table: at.table,
        column: at.column,
        row_id: at.row_id,
        agency_id: at.agency_id,
        client_id: Some(at.client_id),
    }
}

fn text(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| CryptoError::Malformed.into())
}

/// Opens the values of many rows, unwrapping each data key once, with the keyring of the
/// moment it was made.
pub struct Reader {
    keyring: Arc<Keyring>,
    keys: HashMap<(i64, u32), Key>,
    shared: Arc<KeyCache>,
}

impl Reader {
    /// `at.client_id` is ignored: the ciphertext names the client whose key sealed it (a merge
    /// moves rows to another client without re-sealing them), and the associated data checks it.
    pub async fn open(&mut self, conn: &mut Conn, at: At<'_>, stored: &str) -> Result<String> {
        if let Some(plain) = stored.strip_prefix(LEGACY) {
            return Ok(plain.to_string());
        }
        let sealed = Sealed::parse(stored)?;
        let KeyRef::Client { client_id, version } = sealed.key else {
            return Err(CryptoError::Refused(place(at).to_string()).into());
        };
        let at = At { client_id, ..at };
        if let Some(key) = self.keys.get(&(client_id, version)) {
            return text(crypto::open(key, &sealed, &place(at))?);
        }
        let slot = (at.agency_id, client_id, version);
        if let Some(key) = self.shared.get(slot) {
            // A cached key that cannot open the value may be stale (destroyed or replaced
            // elsewhere): the database decides.
            if let Ok(bytes) = crypto::open(&key, &sealed, &place(at)) {
                self.keys.insert((client_id, version), key);
                return text(bytes);
            }
            self.shared.forget_client(at.agency_id, client_id);
        }
        let key = client_key::get(conn, &self.keyring, at.agency_id, client_id, version).await?;
        let bytes = crypto::open(&key, &sealed, &place(at))?;
        self.shared.put(slot, &key);
        self.keys.insert((client_id, version), key);
        text(bytes)
    }

    pub async fn open_opt(
        &mut self,
        conn: &mut Conn,
        at: At<'_>,
        stored: Option<&str>,
    ) -> Result<Option<String>> {
        match stored {
            Some(s) => Ok(Some(self.open(conn, at, s).await?)),
            None => Ok(None),
        }
    }

    /// Open in place.
    pub async fn open_in(&mut self, conn: &mut Conn, at: At<'_>, value: &mut String) -> Result<()> {
        *value = self.open(conn, at, value).await?;
        Ok(())
    }

    pub async fn open_opt_in(
        &mut self,
        conn: &mut Conn,
        at: At<'_>,
        value: &mut Option<String>,
    ) -> Result<()> {
        if let Some(v) = value.as_mut() {
            *v = self.open(conn, at, v).await?;
        }
        Ok(())
    }
}

/// Whose record a case is part of.
pub(crate) async fn client_of_case(conn: &mut Conn, case_id: i64) -> Result<i64> {
    use sqlx::Row;
    let row = sqlx::query("SELECT client_id FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("case {case_id} has no client")))?;
    Ok(row.try_get(0)?)
}
