//! What went wrong with a submitted form, shown next to the field it concerns.

use crate::error::PageError;
use crate::i18n::T;
use axum::http::StatusCode;
use casework_service::ServiceError;

#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The form field the message belongs next to; None shows it above the form.
    pub field: Option<String>,
    pub message: Option<String>,
    /// Further problems of the same form, each with its field (forms that report all at once).
    pub others: Vec<(String, String)>,
}

impl Problem {
    /// Every problem of a form at once, each next to its field (the first leads the summary).
    pub fn all(found: &[casework_domain::Invalid], t: &T, fields: &[&str]) -> Problem {
        let mut messages = found.iter().map(|i| {
            let field = fields.contains(&i.field.as_str()).then(|| i.field.clone());
            (field, t.error(i.code))
        });
        let Some((field, message)) = messages.next() else {
            return Problem::none();
        };
        Problem {
            field,
            message: Some(message),
            others: messages
                .filter_map(|(field, message)| Some((field?, message)))
                .collect(),
        }
    }

    pub fn none() -> Problem {
        Problem::default()
    }

    pub fn general(message: String) -> Problem {
        Problem {
            others: Vec::new(),
            field: None,
            message: Some(message),
        }
    }

    /// A problem the person can fix in the form (bad input, duplicate, stale version, unmet
    /// stage requirements: list those with `T::unmet`), with the
    /// status to answer; anything else becomes the error page. `fields` are the form's inputs:
    /// a field not among them is shown above the form.
    pub fn from_service(
        e: ServiceError,
        t: &T,
        fields: &[&str],
    ) -> Result<(StatusCode, Problem), PageError> {
        match e {
            ServiceError::Invalid(_)
            | ServiceError::Duplicate(_)
            | ServiceError::Stale
            | ServiceError::BadCredentials
            | ServiceError::GuardUnmet(_)
            | ServiceError::TransitionNotAllowed => {
                let field = e.field().filter(|f| fields.contains(f)).map(str::to_string);
                Ok((
                    crate::error::status_of(&e),
                    Problem {
                        others: Vec::new(),
                        field,
                        message: Some(match e {
                            ServiceError::Duplicate(what) => t.duplicate(what),
                            _ => t.error(e.code()),
                        }),
                    },
                ))
            }
            ServiceError::WeakPassword(ref hints) => {
                let field = e.field().filter(|f| fields.contains(f)).map(str::to_string);
                let mut message = t.error(e.code());
                for h in hints {
                    message.push(' ');
                    message.push_str(&t.get(&format!("password-hint-{}", h.code())));
                }
                Ok((
                    crate::error::status_of(&e),
                    Problem {
                        others: Vec::new(),
                        field,
                        message: Some(message),
                    },
                ))
            }
            other => Err(PageError::from(other)),
        }
    }

    /// The message for `field`, if the problem is there.
    pub fn at(&self, field: &str) -> Option<&str> {
        match &self.field {
            Some(f) if f == field => self.message.as_deref(),
            _ => self
                .others
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, m)| m.as_str()),
        }
    }

    /// The message shown above the form.
    pub fn summary(&self) -> Option<&str> {
        match self.field {
            None => self.message.as_deref(),
            Some(_) => None,
        }
    }
}
