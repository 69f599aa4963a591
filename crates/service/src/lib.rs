//! One function per use case: authorize, validate, write, audit, in one transaction.
//! Nothing outside this crate touches the store.

pub mod admin;
pub mod assessment;
pub mod audit;
mod audit_log;
pub mod auth;
pub mod case;
pub mod case_page;
pub mod caseload_page;
pub mod client;
pub mod clock;
pub mod consent;
pub mod delivery;
pub mod disclosure;
pub mod erasure;
mod error;
pub mod evaluation;
pub mod follow_up;
pub mod form;
pub mod form_response;
pub mod goal;
pub mod identity_provider;
pub mod keys;
pub mod note;
pub mod oidc;
mod oidc_provider;
#[cfg(any(test, feature = "testing"))]
pub mod oidc_testing;
mod page;
pub mod plan;
pub mod progress;
pub mod queue;
pub mod reassessment;
pub mod retention;
pub mod security;
pub mod seed;
pub mod sharing;
pub mod subject_access;
pub mod task;
pub mod task_list;
pub mod termination;
pub mod thread;

pub use audit_log::AuditLog;
pub use casework_domain as domain;
pub use casework_domain::access::Actor;
pub use casework_store::{backend_of, sqlite_url_in, Backend, MigrationStatus, Store};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ServiceError, ServiceResult};
pub use page::{Cursor, Page};

use std::sync::Arc;
use std::time::Duration;

/// Settings the service layer needs. Every one is also a command-line flag in the CLI.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// Failed sign-ins per account before it is locked for `lockout`.
    pub account_failure_limit: i64,
    /// Failed sign-ins per network address before it is locked for `lockout`.
    pub address_failure_limit: i64,
    pub lockout: Duration,
    /// Write read-audit entries (always on in production; off only to measure its cost).
    pub audit_reads: bool,
    /// On SQLite, how long an audit entry that is not part of a change may stay staged before it
    /// is moved into the chain (`audit_log`): longer spares the readers' page caches, shorter
    /// makes each move smaller.
    pub audit_chain_interval: Duration,
    /// A caseworker's name search scores the clients they reach one by one, up to this many;
    /// one who reaches more (an intake worker who registered thousands) is searched through the
    /// name index instead, so that no client they reach is missed.
    pub reach_scan_limit: i64,
    /// The master keys that seal sensitive fields. The default is a fresh random key held only
    /// in memory: right for tests and scratch databases, never for data that must outlive the
    /// process (the CLI always loads the keyring from a key file or the environment).
    pub keyring: casework_domain::crypto::Keyring,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            account_failure_limit: 5,
            address_failure_limit: 50,
            lockout: Duration::from_secs(15 * 60),
            audit_reads: true,
            audit_chain_interval: Duration::from_secs(1),
            reach_scan_limit: 10_000,
            keyring: keys::ephemeral_keyring(),
        }
    }
}

/// The service: a store, a clock, the audit writer and the settings. Cheap to clone.
#[derive(Clone)]
pub struct Casework {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) audit: AuditLog,
    pub(crate) settings: Arc<Settings>,
    /// Identity providers' discovery documents and keys, cached across requests.
    pub(crate) oidc: Arc<oidc_provider::Providers>,
    pub(crate) vault: casework_store::vault::Vault,
}

impl std::fmt::Debug for Casework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Casework")
            .field("store", &self.store)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Connections in the serving pool. Eight did as well as sixteen on two cores at 20,000 clients
/// (BENCHMARKS.md, session 6), with half the SQLite worker threads and page caches; every figure
/// of session 6 was taken with eight. The audit writer holds one more of its own.
const POOL_CONNECTIONS: u32 = 8;

impl Casework {
    /// Connect, run migrations, start the audit writer.
    pub async fn open(
        url: &str,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> ServiceResult<Casework> {
        Casework::open_serving(url, None, clock, settings).await
    }

    /// Like `open`, with a separate PostgreSQL URL whose user serves requests (see README,
    /// "Row-level security"); `url`'s user owns the schema and runs the migrations.
    pub async fn open_serving(
        url: &str,
        serving_url: Option<&str>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> ServiceResult<Casework> {
        let store = Store::connect_serving(url, serving_url, POOL_CONNECTIONS).await?;
        store.migrate().await?;
        let audit = AuditLog::start(
            store.clone(),
            settings.audit_reads,
            settings.audit_chain_interval,
        )?;
        let vault = casework_store::vault::Vault::new(settings.keyring.clone());
        Ok(Casework {
            store,
            clock,
            audit,
            settings: Arc::new(settings),
            oidc: Arc::new(oidc_provider::Providers::new()),
            vault,
        })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn today(&self) -> time::Date {
        clock::date_of(self.clock.now_ms())
    }

    /// The latest date it is anywhere now (UTC+14). A date a worker gives for something that
    /// happened (a contact, a consent, an assessment, a service, a progress entry, a check-in)
    /// is "in the future" only after this: the server keeps no agency time zone yet, and
    /// checked against the UTC date, today's date east of Greenwich was refused until UTC
    /// midnight.
    pub fn latest_today(&self) -> time::Date {
        clock::date_of(self.clock.now_ms() + 14 * 3_600_000)
    }

    /// Is the database reachable and the schema current? For `/readyz`.
    pub async fn ready(&self) -> ServiceResult<MigrationStatus> {
        self.store.ping().await?;
        Ok(self.store.migration_status().await?)
    }

    /// Wait until every queued audit entry is written, then close the pool.
    pub async fn shutdown(&self) {
        self.audit.flush().await;
        self.store.close().await;
    }

    /// Direct access to the store for the operator's own tools (migrate, seed, verify, bench).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The vault, for tests and tools that work on stored keys directly.
    pub fn vault(&self) -> &casework_store::vault::Vault {
        &self.vault
    }
}

use casework_domain::audit::{Event, Outcome, Subject};

/// What an audit entry says about one action.
pub(crate) struct Act<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<i64>,
    pub client_id: Option<i64>,
}

impl Casework {
    pub(crate) fn event(
        &self,
        actor: &Actor,
        act: Act<'_>,
        outcome: Outcome,
        reason: Option<&str>,
    ) -> Event {
        Event {
            agency_id: actor.agency_id,
            at_ms: self.clock.now_ms(),
            actor_user_id: Some(actor.user_id),
            action: act.action.to_string(),
            record_type: act.record_type.to_string(),
            record_id: act.record_id,
            client_id: act.client_id,
            outcome,
            reason: reason.map(str::to_string),
            subjects: Vec::new(),
        }
    }

    /// The audit entry for a list page: one entry naming every record shown as its subjects.
    /// An empty page showed nothing and has none.
    pub(crate) fn listing(
        &self,
        actor: &Actor,
        action: &str,
        record_type: &str,
        shown: Vec<Subject>,
    ) -> Vec<Event> {
        if shown.is_empty() {
            return Vec::new();
        }
        let act = Act {
            action,
            record_type,
            record_id: None,
            client_id: None,
        };
        let mut event = self.event(actor, act, Outcome::Allowed, None);
        event.subjects = shown;
        vec![event]
    }

    /// A refusal waiting to be written: the caller first ends any transaction it holds (on
    /// SQLite a held write lock would block the audit writer), then calls `refuse`.
    pub(crate) fn refusal(
        &self,
        actor: &Actor,
        act: Act<'_>,
        decision: casework_domain::access::Decision,
    ) -> Refusal {
        Refusal::Denied {
            event: Box::new(self.event(actor, act, Outcome::Denied, None)),
            decision,
        }
    }

    /// Write the refusal to the audit log and hand back the error the caller sees.
    pub(crate) async fn refuse(&self, refusal: Refusal) -> ServiceError {
        match refusal {
            Refusal::Failed(e) => e,
            Refusal::Denied { event, decision } => {
                if let Err(e) = self.audit.record(vec![*event]).await {
                    return e;
                }
                match decision {
                    casework_domain::access::Decision::Forbidden => ServiceError::Forbidden,
                    _ => ServiceError::NotFound,
                }
            }
        }
    }

    /// Refuse at once: for callers that hold no transaction.
    pub(crate) async fn deny(
        &self,
        actor: &Actor,
        act: Act<'_>,
        decision: casework_domain::access::Decision,
    ) -> ServiceError {
        self.refuse(self.refusal(actor, act, decision)).await
    }
}

#[cfg(test)]
mod tests;

/// Why an authorization step did not hand back its record.
pub(crate) enum Refusal {
    Denied {
        event: Box<Event>,
        decision: casework_domain::access::Decision,
    },
    Failed(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for Refusal {
    fn from(e: E) -> Self {
        Refusal::Failed(e.into())
    }
}

/// Unwrap an authorization result; on refusal, end the transaction or give back the
/// connection (if named) before the denial is audited, so a stream of refused requests does not
/// hold the pool while each waits for its audit group; then return the caller-facing error.
macro_rules! authorized {
    ($app:expr, $result:expr) => {
        match $result {
            Ok(v) => v,
            Err(r) => return Err($app.refuse(r).await),
        }
    };
    ($app:expr, $result:expr, end $tx:ident) => {
        match $result {
            Ok(v) => v,
            Err(r) => {
                drop($tx);
                return Err($app.refuse(r).await);
            }
        }
    };
}
pub(crate) use authorized;
