//! Embedded migrations, one folder per backend, applied in order, each in its own transaction.

use crate::{serving, wall, Backend, Result, Store, StoreError, Wall};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Executor, Row};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "assessment",
        sqlite: include_str!("../migrations/sqlite/0002_assessment.sql"),
        postgres: include_str!("../migrations/postgres/0002_assessment.sql"),
    },
    Migration {
        version: 3,
        name: "goals",
        sqlite: include_str!("../migrations/sqlite/0003_goals.sql"),
        postgres: include_str!("../migrations/postgres/0003_goals.sql"),
    },
    Migration {
        version: 4,
        name: "name_gram_counts",
        sqlite: include_str!("../migrations/sqlite/0004_name_gram_counts.sql"),
        postgres: include_str!("../migrations/postgres/0004_name_gram_counts.sql"),
    },
    Migration {
        version: 5,
        name: "notes",
        sqlite: include_str!("../migrations/sqlite/0005_notes.sql"),
        postgres: include_str!("../migrations/postgres/0005_notes.sql"),
    },
    Migration {
        version: 6,
        name: "plans",
        sqlite: include_str!("../migrations/sqlite/0006_plans.sql"),
        postgres: include_str!("../migrations/postgres/0006_plans.sql"),
    },
    Migration {
        version: 7,
        name: "search_reach",
        sqlite: include_str!("../migrations/sqlite/0007_search_reach.sql"),
        postgres: include_str!("../migrations/postgres/0007_search_reach.sql"),
    },
    Migration {
        version: 8,
        name: "evaluation",
        sqlite: include_str!("../migrations/sqlite/0008_evaluation.sql"),
        postgres: include_str!("../migrations/postgres/0008_evaluation.sql"),
    },
    Migration {
        version: 9,
        name: "termination",
        sqlite: include_str!("../migrations/sqlite/0009_termination.sql"),
        postgres: include_str!("../migrations/postgres/0009_termination.sql"),
    },
    Migration {
        version: 10,
        name: "monitoring",
        sqlite: include_str!("../migrations/sqlite/0010_monitoring.sql"),
        postgres: include_str!("../migrations/postgres/0010_monitoring.sql"),
    },
    Migration {
        version: 11,
        name: "tasks",
        sqlite: include_str!("../migrations/sqlite/0011_tasks.sql"),
        postgres: include_str!("../migrations/postgres/0011_tasks.sql"),
    },
    Migration {
        version: 12,
        name: "assessment_forms",
        sqlite: include_str!("../migrations/sqlite/0012_assessment_forms.sql"),
        postgres: include_str!("../migrations/postgres/0012_assessment_forms.sql"),
    },
    Migration {
        version: 14,
        name: "consent_disclosure",
        sqlite: include_str!("../migrations/sqlite/0014_consent_disclosure.sql"),
        postgres: include_str!("../migrations/postgres/0014_consent_disclosure.sql"),
    },
    Migration {
        version: 13,
        name: "sign_in_security",
        sqlite: include_str!("../migrations/sqlite/0013_sign_in_security.sql"),
        postgres: include_str!("../migrations/postgres/0013_sign_in_security.sql"),
    },
    Migration {
        version: 15,
        name: "sharing",
        sqlite: include_str!("../migrations/sqlite/0015_sharing.sql"),
        postgres: include_str!("../migrations/postgres/0015_sharing.sql"),
    },
    Migration {
        version: 17,
        name: "encryption",
        sqlite: include_str!("../migrations/sqlite/0017_encryption.sql"),
        postgres: include_str!("../migrations/postgres/0017_encryption.sql"),
    },
    Migration {
        version: 18,
        name: "subject_rights",
        sqlite: include_str!("../migrations/sqlite/0018_subject_rights.sql"),
        postgres: include_str!("../migrations/postgres/0018_subject_rights.sql"),
    },
    Migration {
        version: 19,
        name: "openid_connect",
        sqlite: include_str!("../migrations/sqlite/0019_openid_connect.sql"),
        postgres: include_str!("../migrations/postgres/0019_openid_connect.sql"),
    },
    Migration {
        version: 20,
        name: "sealed_free_text",
        sqlite: include_str!("../migrations/sqlite/0020_sealed_free_text.sql"),
        postgres: include_str!("../migrations/postgres/0020_sealed_free_text.sql"),
    },
    Migration {
        version: 21,
        name: "key_rotation_job",
        sqlite: include_str!("../migrations/sqlite/0021_key_rotation_job.sql"),
        postgres: include_str!("../migrations/postgres/0021_key_rotation_job.sql"),
    },
    Migration {
        version: 22,
        name: "oidc_attempt_address",
        sqlite: include_str!("../migrations/sqlite/0022_oidc_attempt_address.sql"),
        postgres: include_str!("../migrations/postgres/0022_oidc_attempt_address.sql"),
    },
    Migration {
        version: 23,
        name: "audit_subjects",
        sqlite: include_str!("../migrations/sqlite/0023_audit_subjects.sql"),
        postgres: include_str!("../migrations/postgres/0023_audit_subjects.sql"),
    },
    Migration {
        version: 24,
        name: "sealed_follow_ups",
        sqlite: include_str!("../migrations/sqlite/0024_sealed_follow_ups.sql"),
        postgres: include_str!("../migrations/postgres/0024_sealed_follow_ups.sql"),
    },
    Migration {
        version: 25,
        name: "sealed_monitoring",
        sqlite: include_str!("../migrations/sqlite/0025_sealed_monitoring.sql"),
        postgres: include_str!("../migrations/postgres/0025_sealed_monitoring.sql"),
    },
    Migration {
        version: 26,
        name: "sealed_evaluations",
        sqlite: include_str!("../migrations/sqlite/0026_sealed_evaluations.sql"),
        postgres: include_str!("../migrations/postgres/0026_sealed_evaluations.sql"),
    },
    Migration {
        version: 27,
        name: "sealed_goals",
        sqlite: include_str!("../migrations/sqlite/0027_sealed_goals.sql"),
        postgres: include_str!("../migrations/postgres/0027_sealed_goals.sql"),
    },
    Migration {
        version: 28,
        name: "sealed_plan_words",
        sqlite: include_str!("../migrations/sqlite/0028_sealed_plan_words.sql"),
        postgres: include_str!("../migrations/postgres/0028_sealed_plan_words.sql"),
    },
    Migration {
        version: 29,
        name: "sealed_interventions",
        sqlite: include_str!("../migrations/sqlite/0029_sealed_interventions.sql"),
        postgres: include_str!("../migrations/postgres/0029_sealed_interventions.sql"),
    },
    Migration {
        version: 30,
        name: "sealed_case_tasks",
        sqlite: include_str!("../migrations/sqlite/0030_sealed_case_tasks.sql"),
        postgres: include_str!("../migrations/postgres/0030_sealed_case_tasks.sql"),
    },
    Migration {
        version: 31,
        name: "sealed_termination_return",
        sqlite: include_str!("../migrations/sqlite/0031_sealed_termination_return.sql"),
        postgres: include_str!("../migrations/postgres/0031_sealed_termination_return.sql"),
    },
    Migration {
        version: 32,
        name: "audit_staging",
        sqlite: include_str!("../migrations/sqlite/0032_audit_staging.sql"),
        postgres: include_str!("../migrations/postgres/0032_audit_staging.sql"),
    },
    Migration {
        version: 33,
        name: "audit_subjects_unchecked_agency",
        sqlite: include_str!("../migrations/sqlite/0033_audit_subjects_unchecked_agency.sql"),
        postgres: include_str!("../migrations/postgres/0033_audit_subjects_unchecked_agency.sql"),
    },
];

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    fn checksum(&self, backend: Backend) -> String {
        hex::encode(Sha256::digest(self.sql(backend).as_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: Vec<i64>,
    pub pending: Vec<i64>,
}

impl MigrationStatus {
    pub fn current(&self) -> bool {
        self.pending.is_empty()
    }
}

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)";

/// On PostgreSQL the table was made by the owner when the store connected; the serving role
/// may only read it.
async fn applied(conn: &mut AnyConnection, create: bool) -> Result<Vec<(i64, String)>> {
    if create {
        conn.execute(CREATE_TABLE).await?;
    }
    let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect()
}

pub async fn status(store: &Store) -> Result<MigrationStatus> {
    let mut conn = store.pool().acquire().await?;
    status_on(&mut conn, store.backend()).await
}

async fn status_on(conn: &mut AnyConnection, backend: Backend) -> Result<MigrationStatus> {
    let done = applied(conn, backend == Backend::Sqlite).await?;
    for (version, checksum) in &done {
        if let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version) {
            if &m.checksum(backend) != checksum {
                return Err(StoreError::MigrationChanged { version: *version });
            }
        }
    }
    Ok(MigrationStatus {
        applied: done.iter().map(|(v, _)| *v).collect(),
        pending: MIGRATIONS
            .iter()
            .map(|m| m.version)
            .filter(|v| !done.iter().any(|(d, _)| d == v))
            .collect(),
    })
}

/// Migrations run as the owner, never as the serving role, so the owner owns every table.
pub async fn run(store: &Store) -> Result<Vec<i64>> {
    let backend = store.backend();
    let ran = match backend {
        Backend::Sqlite => {
            let mut conn = store.pool().acquire().await?;
            run_on(&mut conn, backend).await?
        }
        Backend::Postgres => {
            let mut conn = store.owner_conn().await?;
            let result = async {
                let ran = run_on(&mut conn, backend).await?;
                if let Some(role) = store.serving_role().await? {
                    serving::secure(&mut conn, &role).await?;
                }
                Ok::<_, StoreError>(ran)
            }
            .await;
            conn.close().await.ok();
            result?
        }
    };
    Ok(ran)
}

async fn run_on(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<i64>> {
    conn.execute(CREATE_TABLE).await?;
    let pending = status_on(conn, backend).await?.pending;
    let mut ran = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| pending.contains(&m.version)) {
        let mut tx = match backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => conn.begin().await?,
        };
        // A data migration must see every agency's rows even when the owner is no superuser.
        wall::enter(&mut tx, Wall::System).await?;
        // Another process may have applied it while we waited for the lock.
        let already = sqlx::query("SELECT 1 FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if already.is_some() {
            continue;
        }
        tx.execute(m.sql(backend))
            .await
            .map_err(|e| StoreError::Migration {
                version: m.version,
                message: e.to_string(),
            })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum(backend))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        ran.push(m.version);
    }
    Ok(ran)
}
