//! The matrix's exports: everything that hands client content out in one piece.
//!
//! - The printable plan and the printed summary for a third party (a disclosure).
//! - The client's subject access export: the service, the printable page and the JSON download
//!   (`POST /clients/{id}/subject-access`), the API (`POST /api/v1/clients/{id}/subject-access`),
//!   and the subject-rights page that offers it.
//! - The audit log's export (`/audit.csv`, `GET /api/v1/audit`): auditors only. It carries ids,
//!   actions, actor names and the reasons staff gave (break-glass, overrides), never the client's
//!   name or case content; the content scan checks that as for every other answer.
//!
//! What a subject access export may carry: everything the agency holds about the client, their
//! restricted notes included. It is the client's own record, handed over under their right of
//! access; DESIGN.md's "the client never sees restricted notes" is about what the client reads
//! for themself (the portal), not about a disclosure a named person produces, reviews and
//! records. So who may produce it is narrow: a supervisor of the case's team, who reads every
//! note of the case anyway, or an admin when the agency makes its admins its privacy officer
//! (probed last, after that setting is switched on). Carrying the case as a caseworker, a
//! running share (even a supervisor's), broken glass, intake: refused. A refusal answers as the
//! client's profile does for that person: 403 to those who may open the profile (they know the
//! client exists), 404 to everyone else; and each refusal is in the audit log.

use super::*;
use casework_service::audit::AuditQuery;
use casework_service::subject_access::SubjectAccess;

/// Export attempts each person makes in [`run`]: service, printable page, JSON download, API.
const ATTEMPTS: usize = 4;
const SUBJECT_ACCESS: &str = "client.subject_access";

impl Expect {
    /// Who may produce the client's subject access export (and see the subject-rights page).
    fn exports_subject_access(p: &Person, privacy_officer: bool) -> bool {
        match p.role {
            Role::Supervisor => p.rel == Rel::TeamSupervisor,
            Role::Admin => privacy_officer,
            _ => false,
        }
    }

    /// The status a refused export answers with: as the client's profile would.
    fn export_refusal(p: &Person) -> StatusCode {
        if Expect::finds_client(p.role, p.rel) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        }
    }

    fn reads_audit(p: &Person) -> bool {
        p.role == Role::Auditor
    }
}

/// Every export, by service, page and API.
pub(super) async fn run(
    app: &Casework,
    probe: &mut Probe,
    who: &Session,
    s: &Seeded,
    privacy_officer: bool,
) {
    if !privacy_officer {
        printed(app, probe, who, s).await;
        audit_log(app, probe, who).await;
    }
    subject_access(app, probe, who, s, privacy_officer).await;
}

/// The printable plan, and a printed summary for a third party with the case's goals.
async fn printed(app: &Casework, probe: &mut Probe, who: &Session, s: &Seeded) {
    let p = who.person;
    let c = s.case_id;
    let expect = Expect::reads_case(p.rel);
    let page = probe.page(who, &format!("/cases/{c}/plan/print")).await;
    let seen = passed(&mut probe.m, "plan print", &page);
    probe.m.cell(who, "printable plan", "page", expect, seen);

    let form = DisclosureForm {
        recipient_name: "eastside clinic".into(),
        recipient_kind: Some("health_care".into()),
        purpose: "care_coordination".into(),
        purpose_other: None,
        categories: vec!["identity".into(), "goals_and_plan".into()],
        channel: "printed_summary".into(),
        legal_basis: None,
    };
    let expect = Expect::prints_case_plan(p.rel);
    let seen = match app.print_summary(&who.actor, s.client_id, &form).await {
        // (It carries active goals only; the seeded goal is a draft, so the case is the sign.)
        Ok(summary) => summary
            .plans
            .unwrap_or_default()
            .iter()
            .any(|plan| plan.case_id == c),
        Err(ServiceError::NotFound | ServiceError::Forbidden) => false,
        Err(e) => {
            probe.m.errors.push(format!("print summary: {e:?}"));
            false
        }
    };
    probe.m.cell(
        who,
        "printed summary carries the plan",
        "service",
        expect,
        seen,
    );
    let body = encode(&[
        ("csrf", &who.browser.csrf),
        ("recipient_name", "eastside clinic"),
        ("recipient_kind", "health_care"),
        ("purpose", "care_coordination"),
        ("categories", "identity"),
        ("categories", "goals_and_plan"),
        ("basis", "consent"),
    ]);
    let uri = format!("/clients/{}/disclosures/print", s.client_id);
    let a = probe.fetch(who, form_post(&uri, who, &body), "page").await;
    let seen = passed(&mut probe.m, "print summary page", &a)
        && a.body.contains(&format!("<h3>Case {c}</h3>"));
    probe.m.cell(
        who,
        "printed summary carries the plan",
        "page",
        expect,
        seen,
    );
}

/// The audit log's export: the CSV download, the service under it, the API.
async fn audit_log(app: &Casework, probe: &mut Probe, who: &Session) {
    let expect = Expect::reads_audit(who.person);
    let r = app
        .audit_export_page(&who.actor, &AuditQuery::default(), None, Some(50))
        .await;
    let seen = granted(&mut probe.m, "audit export", &r);
    probe
        .m
        .cell(who, "audit log export", "service", expect, seen);
    let a = probe.page(who, "/audit.csv").await;
    let seen = passed(&mut probe.m, "audit csv", &a)
        && a.headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/csv"));
    probe.m.cell(who, "audit log export", "page", expect, seen);
    let a = probe.api(who, "/api/v1/audit").await;
    let seen = passed(&mut probe.m, "audit api", &a);
    probe.m.cell(who, "audit log export", "api", expect, seen);
}

/// The subject access export and the page that offers it, by service, page (printable and
/// JSON) and API: allowed or refused as [`Expect`] says, refused with the profile's status,
/// scanned, and complete where allowed.
async fn subject_access(
    app: &Casework,
    probe: &mut Probe,
    who: &Session,
    s: &Seeded,
    privacy_officer: bool,
) {
    let p = who.person;
    let expect = Expect::exports_subject_access(p, privacy_officer);
    let action = if privacy_officer {
        "subject access (privacy officer)"
    } else {
        "subject access"
    };
    let id = s.client_id;

    let r = app.subject_access(&who.actor, id).await;
    let status = match &r {
        Ok(_) => StatusCode::OK,
        Err(ServiceError::Forbidden) => StatusCode::FORBIDDEN,
        Err(ServiceError::NotFound) => StatusCode::NOT_FOUND,
        Err(e) => {
            probe.m.errors.push(format!("subject access: {e:?}"));
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let body = r.as_ref().map(debug_text).unwrap_or_default();
    probe.scan(who, "service", "the subject access export", &body, expect);
    judge(probe, who, action, "service", expect, status, &body);

    let uri = format!("/clients/{id}/subject-access");
    for (format, layer) in [("print", "page"), ("json", "download")] {
        let form = encode(&[("csrf", &who.browser.csrf), ("format", format)]);
        let a = probe
            .fetch_export(who, form_post(&uri, who, &form), "page", expect)
            .await;
        judge(probe, who, action, layer, expect, a.status, &a.body);
    }
    let a = probe
        .fetch_export(
            who,
            api_post(
                &format!("/api/v1/clients/{id}/subject-access"),
                &who.token,
                "",
            ),
            "api",
            expect,
        )
        .await;
    judge(probe, who, action, "api", expect, a.status, &a.body);

    // The page that offers the export (and erasure) shows the client's name.
    let a = probe
        .fetch_export(
            who,
            get(
                &format!("/clients/{id}/subject-rights"),
                Some(&who.browser.cookie),
            ),
            "page",
            expect,
        )
        .await;
    let seen = passed(&mut probe.m, "subject rights page", &a);
    let page_action = if privacy_officer {
        "subject rights page (privacy officer)"
    } else {
        "subject rights page"
    };
    probe.m.cell(who, page_action, "page", expect, seen);
}

/// The verdict on one export answer: allowed or not; if refused, with the status the person's
/// relation to the client gives ("refusal status": a 403 that should be a 404 tells them the
/// client exists, counted as a leak; the other way round as a wrongful denial); if allowed,
/// "complete": the client's name, the case and every note, whatever its sensitivity.
fn judge(
    probe: &mut Probe,
    who: &Session,
    action: &str,
    layer: &'static str,
    expect: bool,
    status: StatusCode,
    body: &str,
) {
    let seen = passed(
        &mut probe.m,
        action,
        &Answer {
            status,
            headers: HeaderMap::new(),
            body: String::new(),
        },
    );
    probe.m.cell(who, action, layer, expect, seen);
    if !seen && !expect {
        let want = Expect::export_refusal(who.person);
        probe.m.cell(
            who,
            &format!("{action}: refusal status"),
            layer,
            want == StatusCode::FORBIDDEN,
            status == StatusCode::FORBIDDEN,
        );
    }
    if seen {
        let missing: Vec<&str> = probe
            .markers
            .iter()
            .filter(|(text, _)| !body.contains(text.as_str()))
            .map(|(text, _)| text.as_str())
            .collect();
        probe.m.cell(
            who,
            &format!("{action}: complete"),
            layer,
            true,
            missing.is_empty(),
        );
        if !missing.is_empty() {
            probe
                .m
                .findings
                .push(format!("  ... {layer} export lacks {}", missing.join(", ")));
        }
    }
}

/// The export as text to scan: every value of every section.
fn debug_text(x: &SubjectAccess) -> String {
    format!("{x:?}")
}

fn form_post(uri: &str, who: &Session, body: &str) -> Request<Body> {
    form(uri, Some(&who.browser.cookie), body)
}

/// Every export attempt in [`run`] is in the audit log under the person's name, allowed or
/// denied as it was answered.
pub(super) async fn audited(app: &Casework, done: &mut [(Session, Probe)], s: &Seeded) {
    app.flush_audit().await;
    let auditor = actor(app, "auditor2@example.org").await;
    for (who, probe) in done.iter_mut() {
        let q = AuditQuery {
            actor_user_id: Some(who.actor.user_id),
            client_id: Some(s.client_id),
            action: Some(SUBJECT_ACCESS.into()),
            ..AuditQuery::default()
        };
        let entries = match app.audit_log(&auditor, &q, None, Some(100)).await {
            Ok(page) => page.items,
            Err(e) => {
                probe.m.errors.push(format!("audit log: {e:?}"));
                continue;
            }
        };
        let want = if Expect::exports_subject_access(who.person, false) {
            "allowed"
        } else {
            "denied"
        };
        let logged = entries
            .iter()
            .filter(|e| e.action == SUBJECT_ACCESS && e.outcome == want)
            .count();
        probe.m.cell(
            who,
            "subject access audited",
            "audit",
            true,
            logged == ATTEMPTS,
        );
        if logged != ATTEMPTS {
            probe.m.findings.push(format!(
                "  ... {ATTEMPTS} export attempts, {logged} {want} in the audit log"
            ));
        }
    }
}

/// The agency makes its admins its privacy officer: the admin may now export (the whole
/// record), and no one else's answer changes.
pub(super) async fn privacy_officer(app: &Casework, done: &mut [(Session, Probe)], s: &Seeded) {
    let admin = actor(app, "admin2@example.org").await;
    let saved = match app.subject_rights_settings(&admin).await {
        Ok(now) => {
            app.save_subject_rights_settings(
                &admin,
                now.version,
                &casework_domain::subject_rights::SubjectRightsForm {
                    retention_months: None,
                    admin_privacy_officer: true,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    for (who, probe) in done.iter_mut() {
        if let Err(e) = &saved {
            probe
                .m
                .errors
                .push(format!("privacy officer setting: {e:?}"));
            return;
        }
        subject_access(app, probe, who, s, true).await;
    }
}
