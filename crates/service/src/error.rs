use casework_domain::goal::SmartGap;
use casework_domain::stage::{TransitionError, Unmet};
use casework_domain::Invalid;
use casework_store::StoreError;

/// Every way a use case can fail. `code()` is stable: the web layer maps it to a status and a
/// translated message, and API clients may match on it.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("sign-in required")]
    Unauthenticated,
    #[error("email or password is wrong")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: i64 },
    #[error("invalid {0}")]
    Invalid(#[from] Invalid),
    #[error("the record changed since it was read")]
    Stale,
    #[error("already exists: {0}")]
    Duplicate(&'static str),
    #[error("the stage's requirements are not met")]
    GuardUnmet(Vec<Unmet>),
    #[error("that stage change is not possible")]
    TransitionNotAllowed,
    /// The goal is not SMART yet: every gap, in SMART order.
    #[error("the goal does not pass the SMART check")]
    SmartGaps(Vec<SmartGap>),
    /// No consent covers the disclosure and no legal basis was given: what is missing (the
    /// uncovered categories, or why the consent does not hold).
    #[error("no consent covers this disclosure")]
    NotCovered(casework_domain::consent::Uncovered),
    /// The new password is too easy to guess; the hints say what would help.
    #[error("the password is too easy to guess")]
    WeakPassword(Vec<casework_domain::password::PasswordHint>),
    /// An OpenID Connect sign-in was refused; `kind()` says which page to show.
    #[error("sign-in through the identity provider was refused")]
    SignInRefused(crate::oidc::OidcRefusal),
    /// A sealed field could not be opened: the client was erased, a key is not in the keyring,
    /// or the ciphertext was moved from another row.
    #[error("encrypted record: {0}")]
    Crypto(casework_domain::crypto::CryptoError),
    #[error("storage failed")]
    Store(StoreError),
    #[error("audit log could not be written")]
    Audit,
}

impl ServiceError {
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NotFound => "not_found",
            ServiceError::Forbidden => "forbidden",
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::BadCredentials => "bad_credentials",
            ServiceError::Throttled { .. } => "throttled",
            ServiceError::Invalid(i) => i.code,
            ServiceError::Stale => "stale",
            ServiceError::Duplicate(_) => "duplicate",
            ServiceError::GuardUnmet(_) => "guard_unmet",
            ServiceError::TransitionNotAllowed => "transition_not_allowed",
            ServiceError::SmartGaps(_) => "smart_check_failed",
            ServiceError::NotCovered(_) => "consent_not_covering",
            ServiceError::WeakPassword(_) => "password_too_weak",
            ServiceError::SignInRefused(r) => r.kind(),
            ServiceError::Crypto(e) => e.code(),
            ServiceError::Store(_) => "storage_error",
            ServiceError::Audit => "audit_unavailable",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            ServiceError::Invalid(i) => Some(&i.field),
            ServiceError::Duplicate(f) => Some(f),
            ServiceError::NotCovered(casework_domain::consent::Uncovered::Categories {
                ..
            }) => Some("categories"),
            ServiceError::WeakPassword(_) => Some("password"),
            _ => None,
        }
    }
}

impl From<TransitionError> for ServiceError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::GuardUnmet(u) => ServiceError::GuardUnmet(u),
            TransitionError::NotAllowed { .. } => ServiceError::TransitionNotAllowed,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Crypto(c) => ServiceError::Crypto(c),
            other => ServiceError::Store(other),
        }
    }
}

/// Turn a unique-key race into a conflict the caller can act on.
pub(crate) fn conflict_as(field: &'static str) -> impl FnOnce(StoreError) -> ServiceError {
    move |e| {
        if e.is_conflict() {
            ServiceError::Duplicate(field)
        } else {
            e.into()
        }
    }
}

impl From<casework_domain::password::PasswordRefused> for ServiceError {
    fn from(r: casework_domain::password::PasswordRefused) -> Self {
        match r {
            casework_domain::password::PasswordRefused::TooWeak(hints) => {
                ServiceError::WeakPassword(hints)
            }
            other => ServiceError::Invalid(other.into()),
        }
    }
}
