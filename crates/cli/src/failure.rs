//! How the binary fails: a message for the operator and an exit code scripts can rely on.
//! 0 success, 1 the operation failed, 2 the input (flags, URL, values) was not acceptable.

use casework_service::ServiceError;
use std::process::ExitCode;

#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// The operator asked for something we cannot accept as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// The request was fine but doing it failed.
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// Print to stderr (never stdout, which scripts capture) and give the exit code.
    pub fn report(self) -> ExitCode {
        eprintln!("error: {}", self.message);
        ExitCode::from(self.code)
    }
}

/// An error and its causes on one line. Sources already quoted in the message are skipped,
/// since some errors repeat their source in their own text.
pub fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Plain words for the validation codes an operator meets at the command line; the codes stay
/// in the message so they can be searched for.
fn explain(field: &str, code: &str) -> Option<&'static str> {
    Some(match (field, code) {
        ("role", "unknown_choice") => {
            "must be one of caseworker, supervisor, intake_worker, admin, auditor"
        }
        (_, "required") => "must not be empty",
        (_, "too_long") => "is too long",
        (_, "control_characters") => "must not contain control characters",
        (_, "email_format") => "is not an email address",
        (_, "password_too_short") => "must be at least 12 characters long",
        (_, "password_too_simple") => "must use at least 5 different characters",
        (_, "language_tag") => "must be a language tag such as en or es",
        _ => return None,
    })
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match &e {
            ServiceError::Invalid(i) => Failure::usage(match explain(&i.field, i.code) {
                Some(words) => format!("{} {words} ({})", i.field, i.code),
                None => describe(&e),
            }),
            ServiceError::Duplicate(field) => {
                Failure::usage(format!("a record with this {field} already exists"))
            }
            _ => Failure::failed(describe(&e)),
        }
    }
}

impl From<casework_store::StoreError> for Failure {
    fn from(e: casework_store::StoreError) -> Self {
        let message = describe(&e);
        match e {
            casework_store::StoreError::UnsupportedUrl(_) => Failure::usage(message),
            _ => Failure::failed(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casework_service::domain::Invalid;

    #[test]
    fn invalid_input_is_exit_code_2_in_plain_words() {
        let f = Failure::from(ServiceError::Invalid(Invalid::new(
            "role",
            "unknown_choice",
        )));
        assert_eq!(f.code, 2);
        assert!(f.message.contains("intake_worker"), "{}", f.message);
        let f = Failure::from(ServiceError::Invalid(Invalid::new("email", "odd_code")));
        assert_eq!((f.code, f.message.as_str()), (2, "invalid email: odd_code"));
        let f = Failure::from(ServiceError::Duplicate("email"));
        assert_eq!(f.code, 2);
        assert!(f.message.contains("email"), "{}", f.message);
    }

    #[test]
    fn other_failures_are_exit_code_1() {
        assert_eq!(Failure::from(ServiceError::Audit).code, 1);
        assert_eq!(Failure::from(ServiceError::NotFound).code, 1);
    }
}
