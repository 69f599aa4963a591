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

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        let message = describe(&e);
        match e {
            ServiceError::Invalid(_) | ServiceError::Duplicate(_) => Failure::usage(message),
            _ => Failure::failed(message),
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
