//! The audit log as CSV: one header row, one row per entry, newest first as the log is browsed.
//!
//! Auditors open these files in spreadsheets, so a text cell that a spreadsheet would read as a
//! formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a
//! leading apostrophe: the reason a user typed can never run as a formula on the auditor's
//! machine.
//!
//! A list page's entry names the records it showed in its `subjects` cell, as
//! `record_id:client_id` pairs separated by spaces, in the order shown.

use casework_service::audit::{AuditQuery, AuditView};
use casework_service::{Actor, Casework, Cursor, Page, ServiceError};
use futures_util::stream::{self, Stream};
use std::io::Write;

/// The header row, in column order.
pub const COLUMNS: [&str; 11] = [
    "seq",
    "at",
    "actor_user_id",
    "action",
    "record_type",
    "record_id",
    "client_id",
    "outcome",
    "reason",
    "hash",
    // Last, so that files read by column position before it was added still read the same.
    "subjects",
];

/// A text cell made safe to open in a spreadsheet.
pub fn neutralized(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A moment as RFC 3339 in UTC, e.g. `2026-09-21T08:53:20Z`; empty if out of range.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn number(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// Writes audit entries as CSV rows to `W`, the header first.
pub struct AuditCsv<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> AuditCsv<W> {
    /// A writer that starts with the header row.
    pub fn new(out: W) -> Result<AuditCsv<W>, csv::Error> {
        let mut writer = AuditCsv::without_header(out);
        writer.csv.write_record(COLUMNS)?;
        Ok(writer)
    }

    /// A writer for rows that continue a file whose header is already written.
    pub fn without_header(out: W) -> AuditCsv<W> {
        AuditCsv {
            csv: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out),
        }
    }

    pub fn entry(&mut self, e: &AuditView) -> Result<(), csv::Error> {
        let seq = e.seq.to_string();
        let at = rfc3339(e.at_ms);
        let actor = number(e.actor_user_id);
        let record_id = number(e.record_id);
        let client_id = number(e.client_id);
        let action = neutralized(&e.action);
        let record_type = neutralized(&e.record_type);
        let outcome = neutralized(&e.outcome);
        let reason = neutralized(e.reason.as_deref().unwrap_or(""));
        let subjects: Vec<String> = e
            .subjects
            .iter()
            .map(|s| format!("{}:{}", s.record_id, s.client_id))
            .collect();
        let subjects = subjects.join(" ");
        let hash = neutralized(&e.hash);
        self.csv.write_record([
            seq.as_str(),
            at.as_str(),
            actor.as_str(),
            &action,
            &record_type,
            record_id.as_str(),
            client_id.as_str(),
            &outcome,
            &reason,
            &hash,
            subjects.as_str(),
        ])
    }

    pub fn entries<'a>(
        &mut self,
        entries: impl IntoIterator<Item = &'a AuditView>,
    ) -> Result<(), csv::Error> {
        for e in entries {
            self.entry(e)?;
        }
        Ok(())
    }

    /// Flush and hand back the underlying writer.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.csv
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Write `entries` as a complete CSV document (header and rows) to `out`.
pub fn audit_csv<'a, W: Write>(
    entries: impl IntoIterator<Item = &'a AuditView>,
    out: W,
) -> Result<(), csv::Error> {
    let mut writer = AuditCsv::new(out)?;
    writer.entries(entries)?;
    writer.finish()?;
    Ok(())
}

fn rows_bytes(header: bool, entries: &[AuditView]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = if header {
        AuditCsv::new(Vec::new())?
    } else {
        AuditCsv::without_header(Vec::new())
    };
    writer.entries(entries)?;
    writer.finish()
}

/// How an export walks the log.
#[derive(Debug, Clone, Copy)]
pub struct ExportLimits {
    /// Entries read from the service at a time (the service allows up to 500).
    pub batch: i64,
    /// The export stops after this many rows.
    pub max_rows: u64,
}

impl Default for ExportLimits {
    fn default() -> Self {
        ExportLimits {
            batch: 500,
            max_rows: 1_000_000,
        }
    }
}

enum Step {
    First(Page<AuditView>),
    After(Cursor),
    Done,
}

/// Every entry `actor` may see that matches `query`, as CSV chunks (the first holds the header),
/// read page by page so the whole log is never in memory at once.
///
/// The first page is read before this returns, so a refusal (not an auditor: `Forbidden`, and
/// the attempt is audited) or a bad filter (`Invalid`) comes back here rather than in the middle
/// of a download. A failure later ends the stream with an error; the download is then cut short.
pub async fn audit_csv_export(
    app: &Casework,
    actor: &Actor,
    query: &AuditQuery,
    limits: ExportLimits,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static, ServiceError> {
    let batch = limits.batch.clamp(1, 500);
    let first = app
        .audit_export_page(actor, query, None, Some(batch))
        .await?;
    let app = app.clone();
    let actor = actor.clone();
    let query = query.clone();
    let max_rows = limits.max_rows;
    let chunks = stream::unfold((Step::First(first), 0u64), move |(step, written)| {
        let app = app.clone();
        let actor = actor.clone();
        let query = query.clone();
        async move {
            let (header, page) = match step {
                Step::Done => return None,
                Step::First(page) => (true, page),
                Step::After(cursor) => {
                    match app
                        .audit_export_page(&actor, &query, Some(cursor), Some(batch))
                        .await
                    {
                        Ok(page) => (false, page),
                        Err(e) => {
                            return Some((
                                Err(std::io::Error::other(format!(
                                    "audit export stopped: {}",
                                    e.code()
                                ))),
                                (Step::Done, written),
                            ))
                        }
                    }
                }
            };
            let room = usize::try_from(max_rows.saturating_sub(written)).unwrap_or(usize::MAX);
            let mut items = page.items;
            let cut = items.len() > room;
            items.truncate(room);
            let written = written + items.len() as u64;
            let next = match page.next_cursor.as_deref() {
                Some(raw) if !cut && written < max_rows => match Cursor::parse(Some(raw)) {
                    Ok(Some(cursor)) => Step::After(cursor),
                    _ => Step::Done,
                },
                _ => Step::Done,
            };
            let chunk = rows_bytes(header, &items).map_err(std::io::Error::other);
            let next = if chunk.is_err() { Step::Done } else { next };
            Some((chunk, (next, written)))
        }
    });
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, reason: Option<&str>) -> AuditView {
        AuditView {
            seq,
            at_ms: 1_790_000_000_000,
            actor_user_id: Some(7),
            actor_name: None,
            action: "client.read".into(),
            record_type: "client".into(),
            record_id: Some(42),
            client_id: Some(42),
            outcome: "allowed".into(),
            reason: reason.map(str::to_string),
            subjects: Vec::new(),
            hash: "ab12".into(),
        }
    }

    fn document(entries: &[AuditView]) -> String {
        let mut out = Vec::new();
        audit_csv(entries, &mut out).expect("written");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_header_then_one_row_per_entry() {
        let text = document(&[entry(2, None), entry(1, Some("court order, see file"))]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "seq,at,actor_user_id,action,record_type,record_id,client_id,outcome,reason,hash,subjects"
        );
        assert_eq!(
            lines[1],
            "2,2026-09-21T14:13:20Z,7,client.read,client,42,42,allowed,,ab12,"
        );
        assert_eq!(
            lines[2],
            "1,2026-09-21T14:13:20Z,7,client.read,client,42,42,allowed,\"court order, see file\",ab12,"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_list_page_names_what_it_showed() {
        let mut e = entry(3, None);
        e.action = "case.list".into();
        e.record_type = "case".into();
        e.record_id = None;
        e.client_id = None;
        e.subjects = vec![
            casework_domain::audit::Subject {
                record_id: 12,
                client_id: 5,
            },
            casework_domain::audit::Subject {
                record_id: 14,
                client_id: 9,
            },
        ];
        assert_eq!(
            document(&[e]).lines().nth(1),
            Some("3,2026-09-21T14:13:20Z,7,case.list,case,,,allowed,,ab12,12:5 14:9")
        );
    }

    #[test]
    fn an_empty_log_is_just_the_header() {
        assert_eq!(document(&[]).lines().count(), 1);
    }

    #[test]
    fn missing_people_and_records_are_empty_cells() {
        let mut e = entry(1, None);
        e.actor_user_id = None;
        e.record_id = None;
        e.client_id = None;
        let text = document(&[e]);
        assert!(text
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("1,2026-09-21T14:13:20Z,,client.read,client,,,")));
    }

    #[test]
    fn formula_looking_cells_get_an_apostrophe() {
        for (raw, safe) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("plain reason", "plain reason"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralized(raw), safe, "{raw:?}");
        }
        let text = document(&[entry(1, Some("=cmd|' /C calc'!A0"))]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().expect("a row").expect("parses");
        assert_eq!(&row[8], "'=cmd|' /C calc'!A0");
    }

    #[test]
    fn quotes_commas_and_newlines_survive_a_round_trip() {
        let reason = "said \"no\", then\nleft";
        let text = document(&[entry(1, Some(reason))]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("header").clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), COLUMNS.to_vec());
        let row = reader.records().next().expect("a row").expect("parses");
        assert_eq!(&row[8], reason);
    }

    #[test]
    fn moments_out_of_range_are_empty_not_a_panic() {
        assert_eq!(rfc3339(i64::MAX), "");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use casework_service::admin::UserForm;
    use casework_service::auth::Secret;
    use casework_service::{FixedClock, Settings};
    use futures_util::StreamExt;
    use std::sync::Arc;

    async fn service_with_users(dir: &tempfile::TempDir, users: usize) -> Casework {
        let app = Casework::open(
            &format!("sqlite://{}/t.db", dir.path().display()),
            Arc::new(FixedClock::new(1_790_000_000_000)),
            Settings::default(),
        )
        .await
        .expect("open");
        let agency = app.ensure_agency("Export agency").await.expect("agency");
        for n in 0..users {
            let role = if n == 0 { "auditor" } else { "caseworker" };
            app.create_user(
                None,
                agency.id,
                &UserForm {
                    email: format!("u{n}@example.org"),
                    display_name: format!("User {n}"),
                    role: role.into(),
                    team_id: None,
                    password: Secret::new("correct horse battery"),
                    locale: "en".into(),
                },
            )
            .await
            .expect("user");
        }
        app.flush_audit().await;
        app
    }

    async fn export(
        app: &Casework,
        email: &str,
        limits: ExportLimits,
    ) -> Result<String, ServiceError> {
        let actor = app.actor_for_email(email).await.expect("actor");
        let query = AuditQuery {
            action: Some("user.create".into()),
            ..AuditQuery::default()
        };
        let chunks: Vec<_> = audit_csv_export(app, &actor, &query, limits)
            .await?
            .collect()
            .await;
        let mut bytes = Vec::new();
        for chunk in chunks {
            bytes.extend(chunk.expect("chunk"));
        }
        Ok(String::from_utf8(bytes).expect("utf-8"))
    }

    #[tokio::test]
    async fn an_export_walks_every_page_once_newest_first() {
        let dir = tempfile::tempdir().expect("dir");
        let app = service_with_users(&dir, 11).await;
        let text = export(
            &app,
            "u0@example.org",
            ExportLimits {
                batch: 3,
                max_rows: 1000,
            },
        )
        .await
        .expect("exported");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(COLUMNS.join(",").as_str()));
        let seqs: Vec<i64> = lines
            .map(|l| {
                l.split(',')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("seq")
            })
            .collect();
        assert_eq!(seqs.len(), 11, "{text}");
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{seqs:?}");
    }

    #[tokio::test]
    async fn an_export_stops_at_its_limit() {
        let dir = tempfile::tempdir().expect("dir");
        let app = service_with_users(&dir, 7).await;
        let text = export(
            &app,
            "u0@example.org",
            ExportLimits {
                batch: 2,
                max_rows: 5,
            },
        )
        .await
        .expect("exported");
        assert_eq!(text.lines().count(), 6, "{text}");
    }

    #[tokio::test]
    async fn only_auditors_export() {
        let dir = tempfile::tempdir().expect("dir");
        let app = service_with_users(&dir, 2).await;
        let refused = export(&app, "u1@example.org", ExportLimits::default()).await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden)),
            "{refused:?}"
        );
    }
}
