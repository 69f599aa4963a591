//! The integration tests: one binary (one link, one shared harness) that drives the real server
//! over HTTP, the real `casework` binary, and real Chromium.
//!
//! Every test that touches a database runs on SQLite and, when `CASEWORK_TEST_DATABASE_URL` is
//! set (always in CI), on PostgreSQL too; see `harness`.

mod browser;
mod browser_journey;
mod browser_process;
mod browser_sign_in;
mod browser_totp;
mod browser_xss;
mod cli;
mod harness;
mod keys;
mod oidc;
mod ops;
mod retention;
mod schema;
mod seed;
mod serve;
mod shutdown;
mod sign_in;
