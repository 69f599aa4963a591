//! The access matrix (issue 4): every role × relationship to a case × note sensitivity (and
//! whether the reader wrote the note) × action, through the service layer and through HTTP
//! (pages with a session cookie, the JSON API with a bearer token), on both databases.
//!
//! What each cell should give is written below as a table of its own ([`Expect`]); it never
//! asks the production access functions. One agency is seeded per backend and every cell reads
//! it; the writes come last. Each probe counts a leak (seen when it must not be) or a wrongful
//! denial (refused when it must be allowed); the summary is printed and both must be zero.
//! Besides the verdict of each probe, every page and API answer an actor receives is scanned
//! for the markers of what that actor must not see (note text, goal text, the presenting
//! problem, the client's name): snippets, counts and search results leak as much as pages.

use super::*;
use casework_domain::assessment::AssessmentForm;
use casework_domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_domain::client::ClientForm;
use casework_domain::consent::{DisclosureForm, ShareConsentForm};
use casework_domain::delivery::ServiceForm;
use casework_domain::goal::{GoalForm, GoalScaleForm};
use casework_domain::note::NoteForm;
use casework_domain::sharing::ShareForm;
use casework_domain::task::TaskForm;
use casework_domain::Role;
use casework_service::case::{CaseloadScope, MoveForm};
use casework_service::client::{ClientQuery, DuplicateDecision};
use casework_service::{Actor, ServiceError};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod exports;

/// 2026-11-22T10:00:00Z: the expired share runs today only.
const T0: i64 = 1_795_341_600_000;
const DAY: i64 = 86_400_000;
const CLIENT: &str = "Zaqaria Quintrell";
/// The client searched for in another word order, so that the search form echoing the query
/// back is not mistaken for the client's name.
const SEARCH: &str = "Quintrell Zaqaria";
const PROBLEM: &str = "zqproblem-zq";
const GOAL: &str = "zqgoal-zq";
const GLASS_REASON: &str = "Police called about the children tonight";

/// How a person relates to the case under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Primary,
    SameTeam,
    TeamSupervisor,
    OtherSupervisor,
    OtherTeamWorker,
    IntakeOpener,
    Shared,
    SharedExpired,
    BrokeGlass,
    Unrelated,
}

/// Which team a person is on: the case's (North), another (South), or none.
#[derive(Debug, Clone, Copy)]
enum Team {
    North,
    South,
    Unteamed,
}

struct Person {
    email: &'static str,
    role: Role,
    team: Team,
    rel: Rel,
}

/// Every role × relationship that can exist. (Admins and auditors hold no relation to a case;
/// intake workers are never shared with and never break the glass.)
const PEOPLE: &[Person] = &[
    p(
        "primary@example.org",
        Role::Caseworker,
        Team::North,
        Rel::Primary,
    ),
    p(
        "teammate@example.org",
        Role::Caseworker,
        Team::North,
        Rel::SameTeam,
    ),
    p(
        "south@example.org",
        Role::Caseworker,
        Team::South,
        Rel::OtherTeamWorker,
    ),
    p(
        "shared@example.org",
        Role::Caseworker,
        Team::South,
        Rel::Shared,
    ),
    p(
        "expired@example.org",
        Role::Caseworker,
        Team::South,
        Rel::SharedExpired,
    ),
    p(
        "glass@example.org",
        Role::Caseworker,
        Team::South,
        Rel::BrokeGlass,
    ),
    p(
        "lead@example.org",
        Role::Supervisor,
        Team::North,
        Rel::TeamSupervisor,
    ),
    p(
        "southlead@example.org",
        Role::Supervisor,
        Team::South,
        Rel::OtherSupervisor,
    ),
    p(
        "sharedlead@example.org",
        Role::Supervisor,
        Team::South,
        Rel::Shared,
    ),
    p(
        "expiredlead@example.org",
        Role::Supervisor,
        Team::South,
        Rel::SharedExpired,
    ),
    p(
        "glasslead@example.org",
        Role::Supervisor,
        Team::South,
        Rel::BrokeGlass,
    ),
    p(
        "opener@example.org",
        Role::IntakeWorker,
        Team::Unteamed,
        Rel::IntakeOpener,
    ),
    p(
        "intake@example.org",
        Role::IntakeWorker,
        Team::Unteamed,
        Rel::Unrelated,
    ),
    p(
        "admin2@example.org",
        Role::Admin,
        Team::North,
        Rel::Unrelated,
    ),
    p(
        "auditor2@example.org",
        Role::Auditor,
        Team::North,
        Rel::Unrelated,
    ),
];

const fn p(email: &'static str, role: Role, team: Team, rel: Rel) -> Person {
    Person {
        email,
        role,
        team,
        rel,
    }
}

/// The notes' authors: the primary worker, the team's supervisor, the worker the case is shared
/// with, and the worker whose share has since expired (written while it ran).
const AUTHORS: [&str; 4] = [
    "primary@example.org",
    "lead@example.org",
    "shared@example.org",
    "expired@example.org",
];
const SENSITIVITIES: [&str; 3] = ["normal", "sensitive", "restricted"];

/// The expected rules, from DESIGN.md's role table and issue 4, written out independently of
/// the production policy.
struct Expect;

impl Expect {
    /// Case page, case API, and every case-scoped read (goals, plan, assessments, tasks, ...).
    fn reads_case(rel: Rel) -> bool {
        // Intake hands over and never reads content; a share gives a worker's reading; broken
        // glass gives reading only; an expired share gives nothing.
        matches!(
            rel,
            Rel::Primary | Rel::TeamSupervisor | Rel::Shared | Rel::BrokeGlass
        )
    }

    /// Recording on the case (a note, a contact) and the buttons that offer it.
    fn records(rel: Rel) -> bool {
        matches!(rel, Rel::Primary | Rel::TeamSupervisor | Rel::Shared)
    }

    /// A note: normal for whoever reads the case; sensitive for the case team (primary worker,
    /// the team's supervisor) and the author; restricted for the author and the team's
    /// supervisor. Someone reaching the case only through a share or broken glass reads its
    /// ordinary notes and their own.
    fn reads_note(rel: Rel, sensitivity: &str, author: bool) -> bool {
        if !Expect::reads_case(rel) {
            return false;
        }
        match sensitivity {
            "normal" => true,
            "sensitive" => author || matches!(rel, Rel::Primary | Rel::TeamSupervisor),
            _ => author || rel == Rel::TeamSupervisor,
        }
    }

    /// Finding the client (search) and opening their profile: the people of their cases (a
    /// running share counts), and intake (who registers and checks for duplicates). Broken
    /// glass opens the case, not the registry.
    fn finds_client(role: Role, rel: Rel) -> bool {
        role == Role::IntakeWorker
            || matches!(rel, Rel::Primary | Rel::TeamSupervisor | Rel::Shared)
    }

    /// The case counted in the person's caseload (their own, or their team's for a supervisor).
    fn in_caseload(rel: Rel) -> bool {
        matches!(rel, Rel::Primary | Rel::TeamSupervisor | Rel::Shared)
    }

    /// The client's page lists the case (and counts it) for those who may open both.
    fn client_page_lists_case(role: Role, rel: Rel) -> bool {
        Expect::finds_client(role, rel) && Expect::reads_case(rel)
    }

    /// A printed summary for a third party (a disclosure) with the case's goals: those who may
    /// change the client's record and read the case, never intake.
    fn prints_case_plan(rel: Rel) -> bool {
        matches!(rel, Rel::Primary | Rel::TeamSupervisor | Rel::Shared)
    }

    /// May the person see this marker anywhere?
    fn sees(p: &Person, marker: &Marker) -> bool {
        match marker {
            Marker::Client => Expect::finds_client(p.role, p.rel) || Expect::reads_case(p.rel),
            Marker::CaseContent => Expect::reads_case(p.rel),
            Marker::Note {
                sensitivity,
                author,
            } => Expect::reads_note(p.rel, sensitivity, *author == p.email),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    Client,
    CaseContent,
    Note {
        sensitivity: &'static str,
        author: &'static str,
    },
}

struct SeededNote {
    id: i64,
    author: &'static str,
    sensitivity: &'static str,
    text: String,
}

struct Seeded {
    case_id: i64,
    client_id: i64,
    goal_id: i64,
    assessment_id: i64,
    task_id: i64,
    service_id: i64,
    notes: Vec<SeededNote>,
}

/// One person under test, with every way they sign in.
struct Session {
    person: &'static Person,
    actor: Actor,
    browser: Browser,
    token: String,
}

#[derive(Default)]
struct Tally {
    cells: u32,
    leaks: u32,
    denials: u32,
}

#[derive(Default)]
struct Matrix {
    /// (action, layer) -> counts.
    rows: BTreeMap<(String, &'static str), Tally>,
    findings: Vec<String>,
    errors: Vec<String>,
}

impl Matrix {
    fn cell(
        &mut self,
        who: &Session,
        action: &str,
        layer: &'static str,
        expected: bool,
        seen: bool,
    ) {
        let t = self.rows.entry((action.to_string(), layer)).or_default();
        t.cells += 1;
        let p = who.person;
        if seen && !expected {
            t.leaks += 1;
            self.findings.push(format!(
                "LEAK   {:?}/{:?} {action} via {layer}",
                p.role, p.rel
            ));
        } else if expected && !seen {
            t.denials += 1;
            self.findings.push(format!(
                "DENIAL {:?}/{:?} {action} via {layer}",
                p.role, p.rel
            ));
        }
    }

    fn merge(&mut self, other: Matrix) {
        for (key, t) in other.rows {
            let mine = self.rows.entry(key).or_default();
            mine.cells += t.cells;
            mine.leaks += t.leaks;
            mine.denials += t.denials;
        }
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
    }

    fn totals(&self) -> (u32, u32, u32) {
        self.rows.values().fold((0, 0, 0), |(c, l, d), t| {
            (c + t.cells, l + t.leaks, d + t.denials)
        })
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<38} {:<8} {:>6} {:>6} {:>8}",
            "action", "layer", "cells", "leaks", "denials"
        );
        for ((action, layer), t) in &self.rows {
            let _ = writeln!(
                out,
                "{action:<38} {layer:<8} {:>6} {:>6} {:>8}",
                t.cells, t.leaks, t.denials
            );
        }
        let (c, l, d) = self.totals();
        let _ = writeln!(out, "{:<38} {:<8} {c:>6} {l:>6} {d:>8}", "TOTAL", "");
        out
    }
}

async fn make_user(app: &Casework, agency: i64, p: &Person, teams: (i64, i64)) {
    let team_id = match p.team {
        Team::North => Some(teams.0),
        Team::South => Some(teams.1),
        Team::Unteamed => None,
    };
    app.create_user(
        None,
        agency,
        &UserForm {
            email: p.email.into(),
            display_name: format!("Matrix {}", p.email.split('@').next().unwrap_or("")),
            role: p.role.as_str().into(),
            team_id,
            password: Secret::new(PASSWORD),
            locale: "en".into(),
        },
    )
    .await
    .expect("user");
}

async fn actor(app: &Casework, email: &str) -> Actor {
    app.actor_for_email(email).await.expect("actor")
}

fn note_form(sensitivity: &str, text: &str) -> NoteForm {
    NoteForm {
        format: "narrative".into(),
        sensitivity: Some(sensitivity.into()),
        body: Some(text.into()),
        ..NoteForm::default()
    }
}

async fn write_notes(
    app: &Casework,
    case_id: i64,
    author: &'static str,
    out: &mut Vec<SeededNote>,
) {
    let who = actor(app, author).await;
    for sensitivity in SENSITIVITIES {
        let text = format!("zqnote-{}-zq", out.len());
        let note = app
            .write_note(&who, case_id, &note_form(sensitivity, &text))
            .await
            .unwrap_or_else(|e| panic!("{author} writes a {sensitivity} note: {e:?}"));
        out.push(SeededNote {
            id: note.note.id,
            author,
            sensitivity,
            text,
        });
    }
}

fn share(worker: i64, ends_on: String) -> ShareForm {
    ShareForm {
        worker_id: Some(worker),
        ends_on,
        reason: "Covering while the primary worker is away".into(),
    }
}

/// The agency: teams North and South, everyone of [`PEOPLE`], one client with one case on team
/// North carried by the primary worker, opened by intake, with a goal, an assessment, a task, a
/// service, twelve notes, shares (one expired), and broken glass.
async fn seed(app: &Casework, clock: &FixedClock) -> Seeded {
    let agency = app.ensure_agency("Matrix Agency").await.expect("agency").id;
    let north = app
        .create_team(None, agency, "North")
        .await
        .expect("team")
        .id;
    let south = app
        .create_team(None, agency, "South")
        .await
        .expect("team")
        .id;
    for p in PEOPLE {
        make_user(app, agency, p, (north, south)).await;
    }
    let opener = actor(app, "opener@example.org").await;
    let primary = actor(app, "primary@example.org").await;
    let client = app
        .register_client(
            &opener,
            &ClientForm {
                legal_name: CLIENT.into(),
                birth_date: Some("1988-03-04".into()),
                ..ClientForm::default()
            },
            &DuplicateDecision::default(),
        )
        .await
        .expect("client");
    let case = app
        .open_case(
            &opener,
            &CaseForm {
                client_id: client.id,
                presenting_problem: PROBLEM.into(),
                primary_worker_id: Some(primary.user_id),
                team_id: Some(north),
                ..CaseForm::default()
            },
        )
        .await
        .expect("case");
    app.record_service_consent(
        &primary,
        case.id,
        &ServiceConsentForm {
            given_on: "2026-11-20".into(),
            method: "signed".into(),
            witness: None,
        },
    )
    .await
    .expect("consent");
    app.record_contact(&primary, case.id, &contact_form())
        .await
        .expect("contact");
    app.move_stage(
        &primary,
        case.id,
        case.version,
        &MoveForm {
            direction: "forward".into(),
            ..MoveForm::default()
        },
    )
    .await
    .expect("to assessment");
    let assessment = app
        .save_assessment(
            &primary,
            case.id,
            &AssessmentForm {
                assessed_on: "2026-11-21".into(),
                situation: Some("Two months behind on rent".into()),
                needs: vec!["Stable housing".into()],
                strengths: vec!["Supportive sister nearby".into()],
                risk_level: Some("low".into()),
                ..AssessmentForm::default()
            },
            true,
        )
        .await
        .expect("assessment");
    let goal = app
        .create_goal(
            &primary,
            case.id,
            &GoalForm {
                statement: Some(GOAL.into()),
                ..GoalForm::default()
            },
            &GoalScaleForm::default(),
        )
        .await
        .expect("goal");
    let task = app
        .create_task(
            &primary,
            case.id,
            &TaskForm {
                title: "Call the landlord".into(),
                description: None,
                due_on: "2026-11-30".into(),
                assignee_id: None,
                remind_days: None,
            },
        )
        .await
        .expect("task");
    let service = app
        .record_service(
            &primary,
            case.id,
            &ServiceForm {
                kind: "counselling".into(),
                other_kind: None,
                delivered_on: "2026-11-21".into(),
                provider: "worker".into(),
                provider_name: None,
                units: 1.0,
                unit_name: "hours".into(),
                goal_id: None,
                intervention_id: None,
                note: None,
            },
        )
        .await
        .expect("service");
    app.record_share_consent(
        &primary,
        client.id,
        &ShareConsentForm {
            recipient_type: "organisation".into(),
            recipient_name: Some("Eastside Clinic".into()),
            recipient_kind: Some("health_care".into()),
            purpose: "care_coordination".into(),
            purpose_other: None,
            categories: vec!["identity".into(), "goals_and_plan".into()],
            starts_on: "2026-11-01".into(),
            expires_on: None,
            given_how: "signed".into(),
            witness: None,
        },
    )
    .await
    .expect("share consent");
    // Shares that end today, and notes their workers write while they run.
    for email in ["expired@example.org", "expiredlead@example.org"] {
        let who = actor(app, email).await;
        app.share_case(
            &primary,
            case.id,
            &share(who.user_id, app.today().to_string()),
        )
        .await
        .expect("share ending today");
    }
    let mut notes = Vec::new();
    write_notes(app, case.id, "expired@example.org", &mut notes).await;
    // Two days on, those shares are over; the running ones start.
    clock.advance_ms(2 * DAY);
    let until = (app.today() + time::Duration::days(30)).to_string();
    for email in ["shared@example.org", "sharedlead@example.org"] {
        let who = actor(app, email).await;
        app.share_case(&primary, case.id, &share(who.user_id, until.clone()))
            .await
            .expect("share");
    }
    for email in [
        "primary@example.org",
        "lead@example.org",
        "shared@example.org",
    ] {
        write_notes(app, case.id, email_static(email), &mut notes).await;
    }
    for email in ["glass@example.org", "glasslead@example.org"] {
        let who = actor(app, email).await;
        app.break_glass(&who, case.id, GLASS_REASON)
            .await
            .expect("break the glass");
    }
    Seeded {
        case_id: case.id,
        client_id: client.id,
        goal_id: goal.goal.id,
        assessment_id: assessment.assessment.id,
        task_id: task.id,
        service_id: service.id,
        notes,
    }
}

fn email_static(email: &str) -> &'static str {
    AUTHORS
        .into_iter()
        .find(|a| *a == email)
        .expect("an author")
}

fn contact_form() -> ContactForm {
    ContactForm {
        date: "2026-11-21".into(),
        mode: "office".into(),
        duration_minutes: 30,
        ..ContactForm::default()
    }
}

fn api(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, token)
        .body(Body::empty())
        .expect("request")
}

fn api_post(uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// Allowed or refused, from a service answer; anything else is a test failure of its own.
fn granted<T>(m: &mut Matrix, what: &str, r: &Result<T, ServiceError>) -> bool {
    match r {
        Ok(_) => true,
        Err(ServiceError::NotFound | ServiceError::Forbidden) => false,
        Err(e) => {
            m.errors.push(format!("{what}: {e:?}"));
            false
        }
    }
}

/// Allowed or refused, from an HTTP status.
fn passed(m: &mut Matrix, what: &str, a: &Answer) -> bool {
    match a.status.as_u16() {
        200 | 201 | 303 => true,
        403 | 404 => false,
        s => {
            m.errors.push(format!(
                "{what}: HTTP {s}: {}",
                &a.body[..a.body.len().min(300)]
            ));
            false
        }
    }
}

struct Probe {
    m: Matrix,
    router: axum::Router,
    markers: Vec<(String, Marker)>,
}

impl Probe {
    /// Fetch as the person, scan the answer for what they must not see, and return it.
    async fn fetch(&mut self, who: &Session, req: Request<Body>, layer: &'static str) -> Answer {
        self.fetch_export(who, req, layer, false).await
    }

    /// [`Probe::fetch`] for an export the person may produce: `whole_record` lets the answer
    /// carry everything about the client (a subject access export).
    async fn fetch_export(
        &mut self,
        who: &Session,
        req: Request<Body>,
        layer: &'static str,
        whole_record: bool,
    ) -> Answer {
        let uri = req.uri().to_string();
        let a = send(&self.router, req).await;
        self.scan(who, layer, &uri, &a.body, whole_record);
        a
    }

    /// Count one content-scan cell: does `body` hold a marker the person must not see?
    fn scan(
        &mut self,
        who: &Session,
        layer: &'static str,
        what: &str,
        body: &str,
        whole_record: bool,
    ) {
        let p = who.person;
        let mut leaks = Vec::new();
        for (text, marker) in &self.markers {
            if body.contains(text.as_str()) && !whole_record && !Expect::sees(p, marker) {
                leaks.push(format!("{marker:?}"));
            }
        }
        self.m.cell(
            who,
            &format!("content scan {layer}"),
            layer,
            false,
            !leaks.is_empty(),
        );
        if !leaks.is_empty() {
            self.m
                .findings
                .push(format!("  ... {what} showed {}", leaks.join(", ")));
        }
    }

    async fn page(&mut self, who: &Session, uri: &str) -> Answer {
        self.fetch(who, get(uri, Some(&who.browser.cookie)), "page")
            .await
    }

    async fn api(&mut self, who: &Session, uri: &str) -> Answer {
        self.fetch(who, api(uri, &who.token), "api").await
    }
}

/// Ids found under `"id"` (or `key`) in a JSON list's items.
fn ids_in(a: &Answer, key: &str) -> Vec<i64> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&a.body) else {
        return Vec::new();
    };
    v.get("items")
        .and_then(|i| i.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get(key).and_then(|x| x.as_i64()))
                .collect()
        })
        .unwrap_or_default()
}

async fn run_matrix(
    app: Casework,
    router: axum::Router,
    clock: Arc<FixedClock>,
    readers_at_once: usize,
) -> Matrix {
    let s = Arc::new(seed(&app, &clock).await);
    let mut markers = vec![
        (CLIENT.to_string(), Marker::Client),
        (PROBLEM.to_string(), Marker::CaseContent),
        (GOAL.to_string(), Marker::CaseContent),
    ];
    for n in &s.notes {
        markers.push((
            n.text.clone(),
            Marker::Note {
                sensitivity: n.sensitivity,
                author: n.author,
            },
        ));
    }
    // Several people read at once: the audit writer then commits their entries in groups,
    // which keeps the run short on PostgreSQL.
    let gate = Arc::new(tokio::sync::Semaphore::new(readers_at_once));
    let mut readers = tokio::task::JoinSet::new();
    for person in PEOPLE {
        let (app, s) = (app.clone(), s.clone());
        let mut probe = Probe {
            m: Matrix::default(),
            router: router.clone(),
            markers: markers.clone(),
        };
        let gate = gate.clone();
        readers.spawn(async move {
            let _turn = gate.acquire_owned().await.expect("the gate stays open");
            let who = Session {
                person,
                actor: actor(&app, person.email).await,
                browser: sign_in(&probe.router, person.email).await,
                token: bearer(&app, person.email).await,
            };
            reads(&app, &mut probe, &who, &s).await;
            notes(&app, &mut probe, &who, &s).await;
            counts_and_search(&app, &mut probe, &who, &s).await;
            exports::run(&app, &mut probe, &who, &s, false).await;
            // Every role's own pages and lists, scanned for what they must not show.
            for uri in [
                "/caseload",
                "/caseload?scope=team",
                "/tasks",
                "/queue",
                "/break-glass",
                "/break-glass/reviews",
                "/disclosures",
                "/audit",
                "/audit.csv",
                "/admin/users",
            ] {
                probe.page(&who, uri).await;
            }
            for uri in [
                "/api/v1/me/tasks",
                "/api/v1/queue",
                "/api/v1/break-glass/reviews",
                "/api/v1/consents/expiring",
                "/api/v1/audit",
            ] {
                probe.api(&who, uri).await;
            }
            (who, probe)
        });
    }
    let mut done = Vec::new();
    while let Some(finished) = readers.join_next().await {
        done.push(finished.expect("a reader finishes"));
    }
    exports::audited(&app, &mut done, &s).await;
    // The writes, last, so that they change nothing read above.
    for (who, probe) in &mut done {
        updates(&app, probe, who, s.case_id).await;
    }
    exports::privacy_officer(&app, &mut done, &s).await;
    let mut m = Matrix::default();
    for (_, probe) in done {
        m.merge(probe.m);
    }
    m
}

/// The case and every case-scoped read, by service, page and API.
async fn reads(app: &Casework, probe: &mut Probe, who: &Session, s: &Seeded) {
    let (c, a) = (s.case_id, &who.actor);
    let rel = who.person.rel;
    let expect = Expect::reads_case(rel);
    let records = Expect::records(rel);
    let m = &mut probe.m;
    let r = app.case(a, c, None).await;
    let seen = granted(m, "case", &r);
    m.cell(who, "case read", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (case)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.goals(a, c).await;
    let seen = granted(m, "goals", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (goals)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.goal(a, s.goal_id).await;
    let seen = granted(m, "goal", &r);
    m.cell(who, "record read by id", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (goal)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.current_plan(a, c).await;
    let seen = granted(m, "plan", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (plan)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.assessments(a, c).await;
    let seen = granted(m, "assessments", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.assessment(a, s.assessment_id).await;
    let seen = granted(m, "assessment", &r);
    m.cell(who, "record read by id", "service", expect, seen);
    let r = app.case_tasks(a, c, None, None).await;
    let seen = granted(m, "case tasks", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (tasks)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.task(a, s.task_id).await;
    let seen = granted(m, "task", &r);
    m.cell(who, "record read by id", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (task)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.services(a, c, None, None).await;
    let seen = granted(m, "services", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    if let Ok(d) = &r {
        m.cell(
            who,
            "record offered (services)",
            "service",
            records,
            d.can_record,
        );
    }
    let r = app.delivered_service(a, s.service_id).await;
    let seen = granted(m, "service", &r);
    m.cell(who, "record read by id", "service", expect, seen);
    let r = app.goal_progress(a, s.goal_id).await;
    let seen = granted(m, "progress", &r);
    m.cell(who, "record read by id", "service", expect, seen);
    let r = app.termination(a, c).await;
    let seen = granted(m, "termination", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.thread(a, c, None).await;
    let seen = granted(m, "thread", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.follow_ups(a, c, None, None).await;
    let seen = granted(m, "follow-ups", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.evaluations(a, c, None, None).await;
    let seen = granted(m, "evaluations", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.form_responses(a, c, None, None).await;
    let seen = granted(m, "form responses", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);
    let r = app.case_sharing(a, c).await;
    let seen = granted(m, "sharing", &r);
    m.cell(who, "case-scoped read", "service", expect, seen);

    let pages = [
        format!("/cases/{c}"),
        format!("/cases/{c}/plan"),
        format!("/cases/{c}/termination"),
        format!("/cases/{c}/thread"),
        format!("/cases/{c}/tasks"),
        format!("/cases/{c}/assessments"),
        format!("/cases/{c}/evaluations"),
        format!("/cases/{c}/services"),
        format!("/cases/{c}/follow-ups"),
        format!("/cases/{c}/forms"),
        format!("/cases/{c}/sharing"),
        format!("/goals/{}", s.goal_id),
        format!("/goals/{}/progress", s.goal_id),
        format!("/assessments/{}", s.assessment_id),
        format!("/tasks/{}", s.task_id),
        format!("/services/{}", s.service_id),
    ];
    for (i, uri) in pages.iter().enumerate() {
        let a = probe.page(who, uri).await;
        let seen = passed(&mut probe.m, uri, &a);
        let action = if i == 0 {
            "case read"
        } else {
            "case-scoped read"
        };
        probe.m.cell(who, action, "page", expect, seen);
    }
    let apis = [
        format!("/api/v1/cases/{c}"),
        format!("/api/v1/cases/{c}/assessments"),
        format!("/api/v1/cases/{c}/contacts"),
        format!("/api/v1/cases/{c}/evaluations"),
        format!("/api/v1/cases/{c}/follow-ups"),
        format!("/api/v1/cases/{c}/form-responses"),
        format!("/api/v1/cases/{c}/goals"),
        format!("/api/v1/cases/{c}/plan"),
        format!("/api/v1/cases/{c}/services"),
        format!("/api/v1/cases/{c}/shares"),
        format!("/api/v1/cases/{c}/tasks"),
        format!("/api/v1/cases/{c}/termination"),
        format!("/api/v1/cases/{c}/thread"),
        format!("/api/v1/goals/{}", s.goal_id),
        format!("/api/v1/goals/{}/progress", s.goal_id),
        format!("/api/v1/assessments/{}", s.assessment_id),
        format!("/api/v1/tasks/{}", s.task_id),
        format!("/api/v1/services/{}", s.service_id),
    ];
    for (i, uri) in apis.iter().enumerate() {
        let a = probe.api(who, uri).await;
        let seen = passed(&mut probe.m, uri, &a);
        let action = if i == 0 {
            "case read"
        } else {
            "case-scoped read"
        };
        probe.m.cell(who, action, "api", expect, seen);
    }
}

/// Every note by id and in every list, by service, page and API.
async fn notes(app: &Casework, probe: &mut Probe, who: &Session, s: &Seeded) {
    let p = who.person;
    let c = s.case_id;
    let listed = app.notes(&who.actor, c).await;
    let listed: Vec<i64> = match &listed {
        Ok(l) => l.notes.iter().map(|n| n.note.id).collect(),
        Err(_) => Vec::new(),
    };
    let page = probe.page(who, &format!("/cases/{c}")).await;
    let api_list = probe.api(who, &format!("/api/v1/cases/{c}/notes")).await;
    let api_ids = ids_in(&api_list, "id");
    for n in &s.notes {
        let author = n.author == p.email;
        let expect = Expect::reads_note(p.rel, n.sensitivity, author);
        let cell = format!(
            "note {} {}",
            n.sensitivity,
            if author { "own" } else { "other's" }
        );
        let r = app.note(&who.actor, n.id).await;
        let seen = granted(&mut probe.m, "note", &r);
        probe
            .m
            .cell(who, &format!("{cell}: read"), "service", expect, seen);
        let a = probe.page(who, &format!("/notes/{}", n.id)).await;
        let seen = passed(&mut probe.m, "note page", &a) && a.body.contains(&n.text);
        probe
            .m
            .cell(who, &format!("{cell}: read"), "page", expect, seen);
        let a = probe.api(who, &format!("/api/v1/notes/{}", n.id)).await;
        let seen = passed(&mut probe.m, "note api", &a) && a.body.contains(&n.text);
        probe
            .m
            .cell(who, &format!("{cell}: read"), "api", expect, seen);
        probe.m.cell(
            who,
            &format!("{cell}: list"),
            "service",
            expect,
            listed.contains(&n.id),
        );
        probe.m.cell(
            who,
            &format!("{cell}: list"),
            "page",
            expect,
            page.body.contains(&format!("href=\"/notes/{}\"", n.id)),
        );
        probe.m.cell(
            who,
            &format!("{cell}: list"),
            "api",
            expect,
            api_ids.contains(&n.id),
        );
    }
}

/// Caseloads, the client page's case list (and count), and client search.
async fn counts_and_search(app: &Casework, probe: &mut Probe, who: &Session, s: &Seeded) {
    let p = who.person;
    let (c, a) = (s.case_id, &who.actor);
    let expect = Expect::in_caseload(p.rel);
    let scope = if p.role == Role::Supervisor && p.rel == Rel::TeamSupervisor {
        CaseloadScope::Team
    } else {
        CaseloadScope::Mine
    };
    let seen = match app.caseload(a, scope, None, None).await {
        Ok(page) => page.items.iter().any(|i| i.case_id == c),
        Err(_) => false,
    };
    probe
        .m
        .cell(who, "caseload counts the case", "service", expect, seen);
    let scope_q = if scope == CaseloadScope::Team {
        "?scope=team"
    } else {
        ""
    };
    let page = probe.page(who, &format!("/caseload{scope_q}")).await;
    let seen = page.body.contains(&format!("href=\"/cases/{c}\""));
    probe
        .m
        .cell(who, "caseload counts the case", "page", expect, seen);
    let scope_q = if scope == CaseloadScope::Team {
        "?scope=team"
    } else {
        "?scope=mine"
    };
    let api_page = probe.api(who, &format!("/api/v1/caseload{scope_q}")).await;
    let seen = ids_in(&api_page, "case_id").contains(&c);
    probe
        .m
        .cell(who, "caseload counts the case", "api", expect, seen);

    // The client's page lists (and counts) the case for those who may open both.
    let expect = Expect::client_page_lists_case(p.role, p.rel);
    let seen = match app.client(a, s.client_id).await {
        Ok(d) => d.cases.iter().any(|k| k.id == c),
        Err(_) => false,
    };
    probe
        .m
        .cell(who, "client page lists the case", "service", expect, seen);
    let page = probe.page(who, &format!("/clients/{}", s.client_id)).await;
    let seen = page.status == StatusCode::OK && page.body.contains(&format!("href=\"/cases/{c}\""));
    probe
        .m
        .cell(who, "client page lists the case", "page", expect, seen);
    let api_client = probe
        .api(who, &format!("/api/v1/clients/{}", s.client_id))
        .await;
    let seen = serde_json::from_str::<serde_json::Value>(&api_client.body)
        .ok()
        .and_then(|v| v.get("cases").and_then(|x| x.as_array()).cloned())
        .is_some_and(|cases| {
            cases
                .iter()
                .any(|k| k.get("id").and_then(|x| x.as_i64()) == Some(c))
        });
    probe
        .m
        .cell(who, "client page lists the case", "api", expect, seen);

    // Client search, and the client's page itself.
    let expect = Expect::finds_client(p.role, p.rel);
    let q = ClientQuery {
        q: Some(SEARCH.into()),
        ..ClientQuery::default()
    };
    let seen = match app.search_clients(a, &q, None, None).await {
        Ok(page) => page.items.iter().any(|k| k.id == s.client_id),
        Err(_) => false,
    };
    probe.m.cell(who, "client search", "service", expect, seen);
    let query = encode(&[("q", SEARCH)]);
    let page = probe.page(who, &format!("/clients?{query}")).await;
    let seen = page
        .body
        .contains(&format!("href=\"/clients/{}\"", s.client_id));
    probe.m.cell(who, "client search", "page", expect, seen);
    let api_page = probe.api(who, &format!("/api/v1/clients?{query}")).await;
    let seen = ids_in(&api_page, "id").contains(&s.client_id);
    probe.m.cell(who, "client search", "api", expect, seen);
    let r = app.client(a, s.client_id).await;
    let seen = granted(&mut probe.m, "client", &r);
    probe.m.cell(who, "client profile", "service", expect, seen);
    let page = probe.page(who, &format!("/clients/{}", s.client_id)).await;
    let seen = passed(&mut probe.m, "client page", &page);
    probe.m.cell(who, "client profile", "page", expect, seen);
    let seen = passed(&mut probe.m, "client api", &api_client);
    probe.m.cell(who, "client profile", "api", expect, seen);
}

/// Recording on the case: a contact and a note, by service, page and API.
async fn updates(app: &Casework, probe: &mut Probe, who: &Session, c: i64) {
    let expect = Expect::records(who.person.rel);
    let a = &who.actor;
    let r = app.record_contact(a, c, &contact_form()).await;
    let seen = granted(&mut probe.m, "record contact", &r);
    probe
        .m
        .cell(who, "record a contact", "service", expect, seen);
    let r = app
        .write_note(a, c, &note_form("normal", "A later note"))
        .await;
    let seen = granted(&mut probe.m, "write note", &r);
    probe.m.cell(who, "record a note", "service", expect, seen);

    let body = encode(&[
        ("csrf", &who.browser.csrf),
        ("date", "2026-11-21"),
        ("mode", "phone"),
        ("duration_minutes", "15"),
    ]);
    let ans = send(
        &probe.router,
        form(
            &format!("/cases/{c}/contacts"),
            Some(&who.browser.cookie),
            &body,
        ),
    )
    .await;
    let seen = passed(&mut probe.m, "contact page", &ans);
    probe.m.cell(who, "record a contact", "page", expect, seen);
    let body = encode(&[
        ("csrf", &who.browser.csrf),
        ("format", "narrative"),
        ("sensitivity", "normal"),
        ("body", "A later note from the page"),
    ]);
    let ans = send(
        &probe.router,
        form(
            &format!("/cases/{c}/notes"),
            Some(&who.browser.cookie),
            &body,
        ),
    )
    .await;
    let seen = passed(&mut probe.m, "note page", &ans);
    probe.m.cell(who, "record a note", "page", expect, seen);

    let ans = send(
        &probe.router,
        api_post(
            &format!("/api/v1/cases/{c}/contacts"),
            &who.token,
            r#"{"date": "2026-11-21", "mode": "phone", "duration_minutes": 10}"#,
        ),
    )
    .await;
    let seen = passed(&mut probe.m, "contact api", &ans);
    probe.m.cell(who, "record a contact", "api", expect, seen);
    let ans = send(
        &probe.router,
        api_post(
            &format!("/api/v1/cases/{c}/notes"),
            &who.token,
            r#"{"format": "narrative", "sensitivity": "normal", "body": "A later note from the API"}"#,
        ),
    )
    .await;
    let seen = passed(&mut probe.m, "note api", &ans);
    probe.m.cell(who, "record a note", "api", expect, seen);
}

#[tokio::test]
async fn access_matrix_counts_no_leaks_and_no_wrongful_denials_on_every_layer() {
    for backend in backends() {
        let db = TestDb::fresh(backend).await;
        let clock = Arc::new(FixedClock::new(T0));
        let app = Casework::open(&db.url, clock.clone(), Settings::default())
            .await
            .expect("open");
        let router = crate::router(app.clone(), crate::WebConfig::default());
        // SQLite has one writer, and every audited read waits for its entry: one reader at a
        // time there.
        let readers_at_once = if backend == Backend::Sqlite { 1 } else { 4 };
        let m = run_matrix(app.clone(), router, clock, readers_at_once).await;
        app.shutdown().await;
        eprintln!("-- access matrix on {backend:?}\n{}", m.table());
        for f in &m.findings {
            eprintln!("{f}");
        }
        for e in &m.errors {
            eprintln!("ERROR {e}");
        }
        let (cells, leaks, denials) = m.totals();
        assert!(
            cells > 1000,
            "{backend:?}: the matrix has only {cells} cells"
        );
        assert!(
            m.errors.is_empty(),
            "{backend:?}: {} probes failed",
            m.errors.len()
        );
        assert_eq!(
            (leaks, denials),
            (0, 0),
            "{backend:?}: leaks, wrongful denials"
        );
    }
}
