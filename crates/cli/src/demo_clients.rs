//! About twenty fictional clients for the demo agency, spread over the stages, so a visitor sees
//! a lived-in caseload. Everything goes through the service functions a worker's clicks would
//! call (register, open, consent, contact, move), so the demo data obeys the same guards and
//! leaves the same audit trail as real work.
//!
//! The later stages' own work (assessments, goals, plans, ...) is not built yet, so moving past
//! their guards takes the demo supervisor's override with a written reason, as it would for a
//! real team today.

use casework_domain::case::{CaseForm, ContactForm, ServiceConsentForm};
use casework_domain::client::{ClientForm, HouseholdForm, IdentifierForm};
use casework_domain::stage::Stage;
use casework_service::case::MoveForm;
use casework_service::client::DuplicateDecision;
use casework_service::{Actor, Casework, ServiceError, ServiceResult};

/// Who does the work in the demo, by email.
pub struct DemoStaff<'a> {
    pub intake: &'a str,
    /// The caseworkers the clients are spread over.
    pub caseworkers: &'a [&'a str],
    /// Overrides guards whose stage work cannot be recorded yet.
    pub supervisor: &'a str,
    /// The program the cases are opened in (must exist).
    pub program: &'a str,
}

/// What the demo records on each case before moving it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Work {
    /// Nothing yet: a brand-new case.
    None,
    /// Consent recorded, no contact yet: the guard names what is missing.
    ConsentOnly,
    /// A first contact, consent still to come.
    ContactOnly,
    /// Consent and a few contacts.
    Full,
}

struct DemoClient {
    legal_name: &'static str,
    preferred_name: Option<&'static str>,
    birth_date: &'static str,
    gender: &'static str,
    pronouns: &'static str,
    language: &'static str,
    interpreter: bool,
    considerations: Option<&'static str>,
    safe_contact: Option<&'static str>,
    problem: &'static str,
    referral: &'static str,
    stage: Stage,
    work: Work,
    household: &'static [(&'static str, &'static str)],
}

#[allow(clippy::too_many_arguments)]
const fn client(
    legal_name: &'static str,
    birth_date: &'static str,
    gender: &'static str,
    pronouns: &'static str,
    language: &'static str,
    problem: &'static str,
    referral: &'static str,
    stage: Stage,
) -> DemoClient {
    DemoClient {
        legal_name,
        preferred_name: None,
        birth_date,
        gender,
        pronouns,
        language,
        interpreter: false,
        considerations: None,
        safe_contact: None,
        problem,
        referral,
        stage,
        work: Work::Full,
        household: &[],
    }
}

/// The demo's people. Names and details are invented; "Maria Lopez" (born 1990-04-12) is here so
/// that registering "Maria Lopes" with the same birth date shows the duplicate warning, and the
/// two Nguyễn Thị Mai records are a near-duplicate pair a supervisor can merge.
fn clients() -> Vec<DemoClient> {
    use Stage::*;
    vec![
        DemoClient {
            household: &[("Sofia Lopez", "child"), ("Mateo Lopez", "child")],
            safe_contact: Some("Text only; do not call during work hours"),
            ..client(
                "Maria Lopez",
                "1990-04-12",
                "woman",
                "she/her",
                "es",
                "Facing eviction after losing her job",
                "211 helpline",
                Intervention,
            )
        },
        DemoClient {
            interpreter: true,
            considerations: Some("Buddhist; Tết is a family period"),
            ..client(
                "Nguyễn Thị Mai",
                "1978-09-02",
                "woman",
                "she/her",
                "vi",
                "Caring for a parent with dementia",
                "Hospital social worker",
                Assessment,
            )
        },
        DemoClient {
            interpreter: true,
            work: Work::None,
            ..client(
                "Nguyen Thi Mai",
                "1978-09-02",
                "woman",
                "she/her",
                "vi",
                "Caregiver stress",
                "Self-referral",
                Engagement,
            )
        },
        DemoClient {
            preferred_name: Some("Joe"),
            ..client(
                "José Hernández",
                "1985-07-03",
                "man",
                "he/him",
                "es",
                "Unemployment and utility debt",
                "Community health center",
                GoalSetting,
            )
        },
        DemoClient {
            interpreter: true,
            considerations: Some(
                "Observes Ramadan; prefers appointments after sunset during Ramadan",
            ),
            safe_contact: Some("Do not contact at home"),
            household: &[("Yusuf Warsame", "child")],
            ..client(
                "Hodan Abdi Warsame",
                "1992-01-20",
                "woman",
                "she/her",
                "so",
                "Domestic violence; needs safety planning",
                "Police department",
                Intervention,
            )
        },
        DemoClient {
            work: Work::ConsentOnly,
            ..client(
                "Łukasz Wiśniewski",
                "1969-11-30",
                "man",
                "he/him",
                "pl",
                "Needs help navigating disability benefits",
                "Another agency",
                Engagement,
            )
        },
        DemoClient {
            work: Work::ContactOnly,
            ..client(
                "Emily Johnson",
                "2001-05-14",
                "woman",
                "she/her",
                "en",
                "Youth aging out of foster care",
                "Court",
                Engagement,
            )
        },
        client(
            "Marcus Washington",
            "1988-02-08",
            "man",
            "he/him",
            "en",
            "Substance use affecting parenting",
            "School counselor",
            Planning,
        ),
        DemoClient {
            interpreter: true,
            household: &[("Layla Haddad", "child"), ("Omar Haddad", "spouse")],
            ..client(
                "Fatima Haddad",
                "1983-03-17",
                "woman",
                "she/her",
                "ar",
                "Recently arrived; school enrolment and work",
                "Faith community",
                Assessment,
            )
        },
        client(
            "Alex Rivera",
            "1997-10-25",
            "non-binary",
            "they/them",
            "en",
            "Unstable housing; staying with friends",
            "Self-referral",
            Intervention,
        ),
        DemoClient {
            interpreter: true,
            ..client(
                "Oksana Kovalenko",
                "1975-06-09",
                "woman",
                "she/her",
                "uk",
                "Arrived under humanitarian parole; housing",
                "Another agency",
                Evaluation,
            )
        },
        client(
            "Jean-Baptiste Dorvil",
            "1964-12-01",
            "man",
            "he/him",
            "ht",
            "Food insecurity",
            "Faith community",
            Termination,
        ),
        client(
            "Grace O'Brien",
            "1958-08-19",
            "woman",
            "she/her",
            "en",
            "Depression and isolation after bereavement",
            "Hospital social worker",
            FollowUp,
        ),
        client(
            "Tigist Alemu",
            "1995-04-04",
            "woman",
            "she/her",
            "am",
            "Child truancy and conflict at home",
            "School counselor",
            Closed,
        ),
        client(
            "Ana Sofía Núñez Peña",
            "2003-01-28",
            "woman",
            "she/her",
            "es",
            "Youth aging out of foster care",
            "Court",
            Planning,
        ),
        client(
            "Wei Chen",
            "1980-09-13",
            "man",
            "he/him",
            "zh",
            "Mounting medical debt",
            "Community health center",
            Intervention,
        ),
        client(
            "Malgorzata Kowalska",
            "1971-02-22",
            "woman",
            "she/her",
            "pl",
            "Caring for a grandchild",
            "Self-referral",
            GoalSetting,
        ),
        client(
            "Ahmed Hassan",
            "1990-12-05",
            "man",
            "he/him",
            "ar",
            "Unemployment after injury",
            "Another agency",
            Evaluation,
        ),
        DemoClient {
            work: Work::Full,
            ..client(
                "Rosa María Gutiérrez",
                "1966-05-30",
                "woman",
                "she/her",
                "es",
                "Housing repairs and landlord dispute",
                "Housing authority",
                Engagement,
            )
        },
        client(
            "Bereket Tesfaye",
            "1999-07-21",
            "man",
            "he/him",
            "am",
            "Needs help finding work",
            "211 helpline",
            Assessment,
        ),
    ]
}

const OVERRIDE: &str =
    "Demo data: this stage's work was done on paper before the agency moved to Casework";

/// Add the demo clients unless the agency already has clients; returns how many were added.
pub async fn add_demo_clients(
    app: &Casework,
    agency_id: i64,
    staff: &DemoStaff<'_>,
) -> ServiceResult<usize> {
    if app.agency_counts(agency_id).await?.clients > 0 {
        return Ok(0);
    }
    let intake = app.actor_for_email(staff.intake).await?;
    let supervisor = app.actor_for_email(staff.supervisor).await?;
    let mut workers = Vec::new();
    for email in staff.caseworkers {
        workers.push(app.actor_for_email(email).await?);
    }
    if workers.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let program = app
        .programs(&supervisor)
        .await?
        .into_iter()
        .find(|p| p.name == staff.program)
        .map(|p| p.id);
    let today = app.today();
    let days_ago = |d: i64| (today - time::Duration::days(d)).to_string();
    let all = clients();
    for (n, c) in all.iter().enumerate() {
        let worker = &workers[n % workers.len()];
        let form = ClientForm {
            legal_name: c.legal_name.into(),
            preferred_name: c.preferred_name.map(Into::into),
            birth_date: Some(c.birth_date.into()),
            gender_identity: Some(c.gender.into()),
            pronouns: Some(c.pronouns.into()),
            preferred_language: Some(c.language.into()),
            interpreter_needed: c.interpreter,
            cultural_considerations: c.considerations.map(Into::into),
            safe_contact: c.safe_contact.map(Into::into),
            phone: Some(format!("555-01{:02}", n % 100)),
            address: Some(format!("{} Maple Avenue, Riverside", 100 + 7 * n)),
            identifiers: vec![IdentifierForm {
                kind: "Agency reference".into(),
                value: format!("RFS-{:05}", 1001 + n),
            }],
            household: c
                .household
                .iter()
                .map(|(name, relationship)| HouseholdForm {
                    name: (*name).into(),
                    relationship: Some((*relationship).into()),
                    birth_date: None,
                })
                .collect(),
            ..ClientForm::default()
        };
        // As at the front desk: look for duplicates first, then register and record the choice.
        let shown: Vec<i64> = app
            .check_duplicates(&intake, &form)
            .await?
            .iter()
            .map(|d| d.client.id)
            .collect();
        let registered = app
            .register_client(&intake, &form, &DuplicateDecision { shown })
            .await?;
        let case = app
            .open_case(
                &intake,
                &CaseForm {
                    client_id: registered.id,
                    program_id: program,
                    referral_source: Some(c.referral.into()),
                    presenting_problem: c.problem.into(),
                    primary_worker_id: Some(worker.user_id),
                    team_id: worker.team_id,
                },
            )
            .await?;
        if matches!(c.work, Work::Full | Work::ConsentOnly) {
            app.record_service_consent(
                worker,
                case.id,
                &ServiceConsentForm {
                    given_on: days_ago(20),
                    method: if n % 3 == 0 { "verbal" } else { "signed" }.into(),
                    witness: None,
                },
            )
            .await?;
        }
        if matches!(c.work, Work::Full | Work::ContactOnly) {
            for (k, (mode, summary)) in CONTACTS.iter().enumerate().take(1 + n % 3) {
                app.record_contact(
                    worker,
                    case.id,
                    &ContactForm {
                        date: days_ago(21 - 3 * k as i64),
                        mode: (*mode).into(),
                        duration_minutes: 30 + 15 * (k as i64 % 3),
                        participants: Some("Client".into()),
                        interpreter_used: c.interpreter,
                        summary: Some((*summary).into()),
                    },
                )
                .await?;
            }
        }
        move_to(app, worker, &supervisor, case.id, case.version, c.stage).await?;
    }
    Ok(all.len())
}

const CONTACTS: [(&str, &str); 3] = [
    (
        "office",
        "Intake conversation; explained services and consent.",
    ),
    ("phone", "Checked in; gathered documents needed."),
    ("home_visit", "Home visit; met the household."),
];

/// Walk the case forward to `target`: the worker moves where the guard allows; where it cannot
/// be met yet, the supervisor overrides with a written reason.
async fn move_to(
    app: &Casework,
    worker: &Actor,
    supervisor: &Actor,
    case_id: i64,
    mut version: i64,
    target: Stage,
) -> ServiceResult<()> {
    let steps = Stage::ALL.iter().position(|s| *s == target).unwrap_or(0);
    for _ in 0..steps {
        let forward = MoveForm {
            direction: "forward".into(),
            ..MoveForm::default()
        };
        let moved = match app.move_stage(worker, case_id, version, &forward).await {
            Err(ServiceError::GuardUnmet(_)) => {
                let overridden = MoveForm {
                    override_reason: Some(OVERRIDE.into()),
                    ..forward
                };
                app.move_stage(supervisor, case_id, version, &overridden)
                    .await?
            }
            other => other?,
        };
        version = moved.version;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use casework_service::{Settings, SystemClock};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_agency_gets_its_clients_once_with_an_intact_audit_chain() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/demo.db", dir.path().display());
        let app = Casework::open(&url, std::sync::Arc::new(SystemClock), Settings::default())
            .await
            .unwrap();
        crate::demo::seed(&app).await.unwrap();
        let agency = app.ensure_agency(crate::demo::AGENCY).await.unwrap();
        let counts = app.agency_counts(agency.id).await.unwrap();
        assert_eq!(counts.clients, clients().len() as i64);
        assert_eq!(counts.cases, clients().len() as i64);
        // A second start finds the clients and adds none.
        crate::demo::seed(&app).await.unwrap();
        assert_eq!(app.agency_counts(agency.id).await.unwrap(), counts);
        app.verify_audit().await.unwrap();
        // The near-duplicate a newcomer (and the browser test) registers is flagged.
        let intake = app
            .actor_for_email("samuel.tran@riverside.example")
            .await
            .unwrap();
        let form = ClientForm {
            legal_name: "Maria Lopes".into(),
            birth_date: Some("1990-04-12".into()),
            ..ClientForm::default()
        };
        let shown = app.check_duplicates(&intake, &form).await.unwrap();
        assert!(shown.iter().any(|d| d.client.legal_name == "Maria Lopez"));
        app.shutdown().await;
    }

    #[test]
    fn the_demo_covers_every_stage_and_keeps_the_duplicate_pair() {
        let all = clients();
        assert!((18..=24).contains(&all.len()));
        for stage in Stage::ALL {
            assert!(all.iter().any(|c| c.stage == stage), "{stage}");
        }
        assert!(all
            .iter()
            .any(|c| c.legal_name == "Maria Lopez" && c.birth_date == "1990-04-12"));
        // Past engagement the guard needs consent and a contact; only engagement cases lack them.
        for c in &all {
            if c.stage != Stage::Engagement {
                assert!(c.work == Work::Full, "{}", c.legal_name);
            }
        }
    }
}
