//! Agency-defined assessment forms: the definition (sections, fields, choices, required flags),
//! answers checked against the exact version filled, and what a program requires to be assessed.

pub mod answers;
pub mod definition;
pub mod requirement;

pub use answers::{Answer, Answers};
pub use definition::{
    key_from_label, DefinitionDoc, Field, FieldDoc, FieldKind, FormDefinition, Section, SectionDoc,
};
pub use requirement::{missing, parse_requirements, Requirement};

/// Where a form version stands: a draft the admin is still building, or published (frozen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStatus {
    Draft,
    Published,
}

impl FormStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FormStatus::Draft => "draft",
            FormStatus::Published => "published",
        }
    }
}

/// Where a response stands: a draft the worker may still change, or completed (never changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    Draft,
    Completed,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Draft => "draft",
            ResponseStatus::Completed => "completed",
        }
    }
}
