//! Casework's domain: pure types and rules. No I/O and no clock reads; callers pass `now` in.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod case;
pub mod client;
pub mod consent;
pub mod delivery;
pub mod evaluation;
pub mod form;
pub mod gas;
pub mod goal;
pub mod id_token;
pub mod identity_provider;
pub mod instrument;
pub mod invalid;
pub mod matching;
pub mod note;
pub mod plan;
pub mod progress;
pub mod reassessment;
pub mod role;
pub mod sharing;
pub mod stage;
pub mod subject_rights;
pub mod task;
pub mod termination;
pub mod text;
pub mod thread;

pub use invalid::Invalid;
pub use role::Role;
pub mod crypto;
pub mod password;
pub mod totp;
