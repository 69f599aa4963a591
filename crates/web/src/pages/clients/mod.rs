//! The client registry in the browser: search, registration with the duplicate check, the
//! client page, editing, and merging records (supervisors).

mod draft;
mod edit;
mod merge;
mod profile;
mod register;
mod search;

use crate::error::PageError;
use crate::i18n::T;
use crate::layout::Problem;
use crate::session::Staff;
use crate::AppState;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use casework_domain::matching::DuplicateReason;
use casework_domain::Role;
use casework_service::ServiceError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clients", get(search::show))
        .route("/clients/new", get(register::show).post(register::submit))
        .route("/clients/new/existing", post(register::use_existing))
        .route("/clients/{id}", get(profile::show))
        .route("/clients/{id}/edit", get(edit::show).post(edit::submit))
        .route("/clients/{id}/merge", post(merge::submit))
        .route("/client-merges/{id}/undo", post(merge::undo))
}

/// Roles that work with client records at all; admins and auditors do not.
fn require_client_work(staff: &Staff) -> Result<(), PageError> {
    match staff.actor().role {
        Role::Caseworker | Role::Supervisor | Role::IntakeWorker => Ok(()),
        Role::Admin | Role::Auditor => Err(PageError::forbidden()),
    }
}

/// Who may register a client (the service decides again).
fn may_register(role: Role) -> bool {
    matches!(
        role,
        Role::Caseworker | Role::Supervisor | Role::IntakeWorker
    )
}

/// A form the person can fix, with the message next to the input the service named.
/// Every problem of a client form at once, or none: asked before the service is, so that the
/// person sees them all in one go (the service checks again and reports the first).
fn all_problems(
    form: &casework_domain::client::ClientForm,
    today: time::Date,
    t: &T,
) -> Option<Problem> {
    let found = form.parse_all(today).err()?;
    let names = draft::field_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Some(Problem::all(&found, t, &names))
}

fn form_problem(e: ServiceError, t: &T) -> Result<(StatusCode, Problem), PageError> {
    let names = draft::field_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Problem::from_service(e, t, &names)
}

/// The calendar day of a moment, for people: `2026-09-21`.
fn day_of(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map(|at| at.date().to_string())
        .unwrap_or_default()
}

/// The name of a case stage, in the reader's language.
fn stage_name(t: &T, stage: &str) -> String {
    match stage.parse::<casework_domain::stage::Stage>() {
        Ok(s) => t.dynamic(&format!("client-stage-{}", s.as_str())),
        Err(_) => stage.to_string(),
    }
}

/// Why a record may be the same person, as a sentence.
pub(crate) fn reason_text(t: &T, reason: &DuplicateReason) -> String {
    match reason {
        DuplicateReason::SameIdentifier { kind } => t.get_with(
            "client-reason-same-identifier",
            &[("kind", kind.as_str().into())],
        ),
        DuplicateReason::SimilarNameSameBirthDate { similarity_percent } => t.get_with(
            "client-reason-similar-name-same-birth-date",
            &[("percent", i64::from(*similarity_percent).into())],
        ),
        DuplicateReason::SimilarNameNearBirthDate {
            similarity_percent,
            days_apart,
        } => t.get_with(
            "client-reason-similar-name-near-birth-date",
            &[
                ("percent", i64::from(*similarity_percent).into()),
                ("days", i64::from(*days_apart).into()),
            ],
        ),
        DuplicateReason::SameNameNoBirthDate => t.get("client-reason-same-name-no-birth-date"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{has_message, Locale};

    #[test]
    fn every_stage_has_a_name() {
        for stage in casework_domain::stage::Stage::ALL {
            for locale in Locale::ALL {
                assert!(
                    has_message(locale, &format!("client-stage-{}", stage.as_str())),
                    "{stage} in {}",
                    locale.tag()
                );
            }
        }
    }

    #[test]
    fn every_duplicate_reason_reads_as_a_sentence() {
        let reasons = [
            DuplicateReason::SameIdentifier { kind: "ssn".into() },
            DuplicateReason::SimilarNameSameBirthDate {
                similarity_percent: 80,
            },
            DuplicateReason::SimilarNameNearBirthDate {
                similarity_percent: 80,
                days_apart: 3,
            },
            DuplicateReason::SameNameNoBirthDate,
        ];
        for locale in Locale::ALL {
            let t = T::new(locale);
            for r in &reasons {
                let text = reason_text(&t, r);
                assert!(!text.starts_with("client-") && text.len() > 10, "{text}");
            }
        }
        let t = T::new(Locale::En);
        assert!(reason_text(&t, &reasons[2]).contains('3'));
    }
}
