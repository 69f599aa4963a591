//! Mapping to and from outside formats. So far: the audit log as CSV, for auditors who read it
//! in a spreadsheet.

pub mod audit_csv;

pub use audit_csv::{audit_csv, audit_csv_export, AuditCsv, ExportLimits};
