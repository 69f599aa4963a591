//! A large, realistic, deterministic synthetic dataset for demos at scale and for the benchmark
//! (`casework seed`, `casework bench`).
//!
//! Deterministic: one `StdRng` seeded from the plan drives every choice in a fixed order, so the
//! same seed gives the same people, cases and contacts. Times are offsets from the service clock's
//! "now", so with a fixed clock (tests) the data is identical to the millisecond; with the real
//! clock the data is the same but "days in stage" stay realistic whenever it is seeded.
//!
//! Fast: rows are built in memory a batch of clients at a time and written by the store's
//! multi-row inserts in one transaction per batch. Every seeded user gets the same password, hashed
//! once (argon2 per user would cost more than the rest of a small seed).
//!
//! Consistent with what the service would have written: name trigrams for search, stage history
//! that walks every stage up to the current one (with a supervisor's override reason wherever the
//! guard of the stage being left could not have been met, as the service would demand), consent
//! and a first contact before any case leaves engagement, and audit entries appended to the
//! agency's hash chain so `casework audit verify` passes.

use crate::auth::{check_password_strength, hash_password};
use crate::{Casework, ServiceError, ServiceResult};
use casework_domain::audit::{Event, Outcome};
use casework_domain::matching::name_trigrams;
use casework_domain::stage::{unmet, CaseFacts, Stage};
use casework_domain::{Invalid, Role};
use casework_store::agency;
use casework_store::seed::{
    self as bulk, AgencyCounts, IdTable, SeedAssignment, SeedCase, SeedClient, SeedClientKey,
    SeedConsent, SeedContact, SeedHouseholdMember, SeedIdentifier, SeedNameGram, SeedStageMove,
};
use casework_store::user::{self, NewUser};
use casework_store::vault::{At, Vault};
use casework_store::Wall;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// The password of every seeded user. Seeded data is synthetic, so the password is published.
pub const SEED_PASSWORD: &str = "seeded-password-2026";

const DAY_MS: i64 = 86_400_000;
const MAX_CLIENTS: u64 = 10_000_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Agency name; it must not exist yet or must have no users.
    pub agency: String,
    pub clients: u64,
    /// At least one per client.
    pub cases: u64,
    /// At least one per case.
    pub contacts: u64,
    /// Same seed, same data.
    pub seed: u64,
    /// Clients written per transaction.
    pub batch_clients: u64,
}

impl SeedPlan {
    /// The usual shape: 1.5 cases and 10 contacts per client (dataset M is 100,000 clients,
    /// 150,000 cases, 1,000,000 contacts).
    pub fn new(clients: u64) -> SeedPlan {
        SeedPlan {
            agency: "Seeded Agency".into(),
            clients,
            cases: clients + clients / 2,
            contacts: clients * 10,
            seed: 42,
            batch_clients: 5_000,
        }
    }

    fn check(&self) -> Result<(), Invalid> {
        if self.clients == 0 || self.clients > MAX_CLIENTS {
            return Err(Invalid::new("clients", "out_of_range"));
        }
        if self.cases < self.clients || self.cases > self.clients * 5 {
            return Err(Invalid::new("cases", "out_of_range"));
        }
        if self.contacts < self.cases || self.contacts > self.cases * 100 {
            return Err(Invalid::new("contacts", "out_of_range"));
        }
        if self.batch_clients == 0 || self.batch_clients > 50_000 {
            return Err(Invalid::new("batch_clients", "out_of_range"));
        }
        Ok(())
    }

    /// Caseworkers carrying the cases: about one per 50 clients (some 75 cases each, most of them
    /// open), at least five — caseloads of the size agencies actually carry.
    pub fn caseworkers(&self) -> u64 {
        (self.clients / 50).max(5)
    }

    /// About one team (and one supervisor) per ten caseworkers.
    pub fn teams(&self) -> u64 {
        self.caseworkers().div_ceil(10)
    }
}

/// A seeded staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    pub agency_id: i64,
    pub agency: String,
    pub users: Vec<SeededUser>,
    /// The password of every user in `users`.
    pub password: &'static str,
    pub teams: u64,
    pub clients: u64,
    pub cases: u64,
    pub contacts: u64,
    pub consents: u64,
    pub stage_moves: u64,
    pub name_grams: u64,
    pub audit_entries: u64,
}

impl Casework {
    /// Generate and write the dataset of `plan`; `progress` is told how many clients are written
    /// after each batch commits.
    pub async fn seed(&self, plan: SeedPlan, progress: impl Fn(u64)) -> ServiceResult<SeedReport> {
        plan.check()?;
        check_password_strength(SEED_PASSWORD)?;
        let agency = self.ensure_agency(&plan.agency).await?;
        let now = self.clock.now_ms();
        let mut rng = StdRng::seed_from_u64(plan.seed);

        let staff = self
            .seed_staff(&plan, agency.id, &agency.slug, now, &mut rng)
            .await?;
        let mut report = SeedReport {
            agency_id: agency.id,
            agency: agency.name.clone(),
            users: staff.users.clone(),
            password: SEED_PASSWORD,
            teams: plan.teams(),
            clients: 0,
            cases: 0,
            contacts: 0,
            consents: 0,
            stage_moves: 0,
            name_grams: 0,
            audit_entries: staff.users.len() as u64,
        };

        let mut done = 0u64;
        while done < plan.clients {
            let end = (done + plan.batch_clients).min(plan.clients);
            let share = |total: u64, k: u64| {
                (u128::from(total) * u128::from(k) / u128::from(plan.clients)) as u64
            };
            let shape = BatchShape {
                clients: end - done,
                cases: share(plan.cases, end) - share(plan.cases, done),
                contacts: share(plan.contacts, end) - share(plan.contacts, done),
            };
            // Ids are one space over every agency: the next free one must be seen across the wall.
            let mut tx = self.store.begin_write(Wall::System).await?;
            let first_client = bulk::next_id(&mut tx, IdTable::Clients).await?;
            let first_case = bulk::next_id(&mut tx, IdTable::Cases).await?;
            let first_contact = bulk::next_id(&mut tx, IdTable::Contacts).await?;
            let mut batch = generate_batch(
                &mut rng,
                &staff,
                agency.id,
                now,
                shape,
                first_client,
                first_case,
                first_contact,
            );
            let keys = seal_batch(&self.vault, &mut batch, agency.id, now);
            bulk::insert_all(&mut tx, &batch.clients).await?;
            bulk::insert_all(&mut tx, &keys).await?;
            bulk::insert_all(&mut tx, &batch.identifiers).await?;
            bulk::insert_all(&mut tx, &batch.household).await?;
            bulk::insert_all(&mut tx, &batch.grams).await?;
            bulk::insert_all(&mut tx, &batch.cases).await?;
            bulk::insert_all(&mut tx, &batch.moves).await?;
            bulk::insert_all(&mut tx, &batch.assignments).await?;
            bulk::insert_all(&mut tx, &batch.consents).await?;
            bulk::insert_all(&mut tx, &batch.contacts).await?;
            let entries = batch.audit.len() as u64;
            casework_store::audit::append(&mut tx, agency.id, batch.audit).await?;
            bulk::sync_sequences(&mut tx).await?;
            casework_store::commit(tx).await?;

            report.clients += batch.clients.len() as u64;
            report.cases += batch.cases.len() as u64;
            report.contacts += batch.contacts.len() as u64;
            report.consents += batch.consents.len() as u64;
            report.stage_moves += batch.moves.len() as u64;
            report.name_grams += batch.grams.len() as u64;
            report.audit_entries += entries;
            done = end;
            progress(done);
        }
        // The bulk load skips the per-trigram counts that search starts from; count once here.
        let mut tx = self.store.begin_write(Wall::Agency(agency.id)).await?;
        casework_store::client::rebuild_gram_counts(&mut tx, agency.id).await?;
        casework_store::commit(tx).await?;
        // The bulk load wrote safe-contact notes and identifiers marked legacy; seal them now.
        let options = casework_store::rotation::RotateOptions {
            data_keys: false,
            batch: 2000,
        };
        casework_store::rotation::rotate(&self.store, &self.vault, options, now).await?;
        self.store.settle_after_bulk_load().await?;
        Ok(report)
    }

    /// What an agency holds, by kind (operator tools: seed reports, demo idempotence, tests).
    pub async fn agency_counts(&self, agency_id: i64) -> ServiceResult<AgencyCounts> {
        // The audit entry count includes what is still staged (SQLite).
        self.audit.flush().await;
        let mut conn = self.store.conn(Wall::Agency(agency_id)).await?;
        Ok(bulk::counts(&mut conn, agency_id).await?)
    }

    /// Teams, programs and users, in one transaction, each user audited as created.
    async fn seed_staff(
        &self,
        plan: &SeedPlan,
        agency_id: i64,
        slug: &str,
        now: i64,
        rng: &mut StdRng,
    ) -> ServiceResult<Staff> {
        // Refuse to mix a second seed (or a seed and real staff) in one agency: emails would
        // collide, and an agency's data should be one thing or the other.
        if self.agency_counts(agency_id).await?.users > 0 {
            return Err(ServiceError::Duplicate("agency"));
        }
        let hash = hash_password(SEED_PASSWORD)?;
        let created = now - 5 * 365 * DAY_MS;
        let mut tx = self.store.begin_write(Wall::Agency(agency_id)).await?;
        let mut teams = Vec::new();
        for n in 0..plan.teams() {
            let name = format!(
                "{} {}",
                TEAM_NAMES[n as usize % TEAM_NAMES.len()],
                n / TEAM_NAMES.len() as u64 + 1
            );
            teams.push(
                agency::insert_team(&mut tx, agency_id, &name, created)
                    .await?
                    .id,
            );
        }
        let mut programs = Vec::new();
        for (name, plan_approval, closure_approval) in PROGRAMS {
            let p = agency::insert_program(
                &mut tx,
                agency_id,
                name,
                *plan_approval,
                *closure_approval,
                created,
            )
            .await?;
            programs.push(Program {
                id: p.id,
                plan_approval_required: *plan_approval,
                closure_approval_required: *closure_approval,
            });
        }
        let mut users = Vec::new();
        let mut add = async |role: Role,
                             n: u64,
                             team: Option<i64>,
                             rng: &mut StdRng|
               -> ServiceResult<SeededUser> {
            let person = person(rng);
            let local = match role {
                Role::Caseworker => format!("caseworker{n:04}"),
                Role::Supervisor => format!("supervisor{n:03}"),
                Role::IntakeWorker => format!("intake{n}"),
                Role::Admin => format!("admin{n}"),
                Role::Auditor => format!("auditor{n}"),
            };
            // `.example` is reserved (RFC 2606): these addresses can never reach anyone.
            let email = format!("{local}@{slug}.example");
            let locale = if person.language == "es" { "es" } else { "en" };
            let u = user::insert(
                &mut tx,
                &NewUser {
                    agency_id,
                    email: &email,
                    display_name: &person.legal_name,
                    role: role.as_str(),
                    team_id: team,
                    password_hash: &hash,
                    locale,
                },
                created,
            )
            .await
            .map_err(crate::error::conflict_as("email"))?;
            Ok(SeededUser {
                id: u.id,
                email,
                display_name: person.legal_name,
                role,
                team_id: team,
            })
        };
        let mut supervisors = Vec::new();
        for (n, team) in teams.iter().enumerate() {
            let u = add(Role::Supervisor, n as u64 + 1, Some(*team), rng).await?;
            supervisors.push(u.id);
            users.push(u);
        }
        let mut caseworkers = Vec::new();
        for n in 0..plan.caseworkers() {
            let team = teams[n as usize % teams.len()];
            let u = add(Role::Caseworker, n + 1, Some(team), rng).await?;
            caseworkers.push(Worker {
                id: u.id,
                team_slot: n as usize % teams.len(),
            });
            users.push(u);
        }
        let intake = add(Role::IntakeWorker, 1, None, rng).await?;
        let intake_id = intake.id;
        users.push(intake);
        users.push(add(Role::Admin, 1, None, rng).await?);
        users.push(add(Role::Auditor, 1, None, rng).await?);
        let events = users
            .iter()
            .map(|u| Event {
                agency_id,
                at_ms: created,
                actor_user_id: None,
                action: "user.create".into(),
                record_type: "user".into(),
                record_id: Some(u.id),
                client_id: None,
                outcome: Outcome::Allowed,
                reason: Some("seed".into()),
                subjects: Vec::new(),
            })
            .collect();
        casework_store::audit::append(&mut tx, agency_id, events).await?;
        casework_store::commit(tx).await?;
        Ok(Staff {
            users,
            teams,
            supervisors,
            caseworkers,
            intake: intake_id,
            programs,
        })
    }
}

struct Worker {
    id: i64,
    team_slot: usize,
}

struct Program {
    id: i64,
    plan_approval_required: bool,
    closure_approval_required: bool,
}

struct Staff {
    users: Vec<SeededUser>,
    teams: Vec<i64>,
    /// One per team, in team order.
    supervisors: Vec<i64>,
    caseworkers: Vec<Worker>,
    intake: i64,
    programs: Vec<Program>,
}

#[derive(Debug, Clone, Copy)]
struct BatchShape {
    clients: u64,
    cases: u64,
    contacts: u64,
}

#[derive(Default)]
struct Batch {
    clients: Vec<SeedClient>,
    identifiers: Vec<SeedIdentifier>,
    household: Vec<SeedHouseholdMember>,
    grams: Vec<SeedNameGram>,
    cases: Vec<SeedCase>,
    moves: Vec<SeedStageMove>,
    assignments: Vec<SeedAssignment>,
    consents: Vec<SeedConsent>,
    contacts: Vec<SeedContact>,
    /// For each case (same order): when its first contact happened, early in engagement.
    first_contact: Vec<i64>,
    audit: Vec<Event>,
}

fn date_text(ms: i64) -> String {
    crate::clock::date_of(ms).to_string()
}

/// Pick from `(item, weight)` pairs.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Where cases stand: most are being engaged or worked, fewer are being wrapped up.
const STAGE_WEIGHTS: [(Stage, u32); 9] = [
    (Stage::Engagement, 20),
    (Stage::Assessment, 11),
    (Stage::GoalSetting, 7),
    (Stage::Planning, 7),
    (Stage::Intervention, 26),
    (Stage::Evaluation, 6),
    (Stage::Termination, 4),
    (Stage::FollowUp, 7),
    (Stage::Closed, 12),
];

const OVERRIDE_REASON: &str =
    "Seeded history: this stage's work was recorded before the agency moved to Casework";

#[allow(clippy::too_many_arguments)]
fn generate_batch(
    rng: &mut StdRng,
    staff: &Staff,
    agency_id: i64,
    now: i64,
    shape: BatchShape,
    first_client: i64,
    first_case: i64,
    first_contact: i64,
) -> Batch {
    let mut b = Batch::default();
    // Every client has a case; the extra cases go to clients picked at random (returning clients).
    let mut cases_of = vec![1u32; shape.clients as usize];
    for _ in shape.clients..shape.cases {
        let at = rng.gen_range(0..cases_of.len());
        cases_of[at] += 1;
    }
    let mut case_id = first_case;
    for (k, n_cases) in cases_of.iter().enumerate() {
        let client_id = first_client + k as i64;
        let person = person(rng);
        // Registered some time in the last five years.
        let registered = now - rng.gen_range(2 * DAY_MS..5 * 365 * DAY_MS);
        push_client(
            &mut b,
            rng,
            agency_id,
            client_id,
            &person,
            registered,
            staff.intake,
            now,
        );
        for _ in 0..*n_cases {
            push_case(
                &mut b, rng, staff, agency_id, client_id, case_id, registered, now,
            );
            case_id += 1;
        }
    }
    spread_contacts(&mut b, rng, agency_id, shape.contacts, first_contact, now);
    // The chain reads best in time order within a batch.
    b.audit.sort_by_key(|e| e.at_ms);
    b
}

#[allow(clippy::too_many_arguments)]
fn push_client(
    b: &mut Batch,
    rng: &mut StdRng,
    agency_id: i64,
    id: i64,
    p: &Person,
    registered: i64,
    intake: i64,
    now: i64,
) {
    let today = crate::clock::date_of(now);
    let roll = rng.gen_range(0..100);
    let (birth_date, birth_year_estimate) = if roll < 92 {
        let age = rng.gen_range(18..86);
        let day = rng.gen_range(0..365);
        let date = today
            .replace_year(today.year() - age)
            .unwrap_or(today)
            .checked_sub(time::Duration::days(day))
            .unwrap_or(today);
        (Some(date.to_string()), None)
    } else if roll < 97 {
        (None, Some(i64::from(today.year() - rng.gen_range(18..80))))
    } else {
        (None, None)
    };
    let interpreter_needed = p.language != "en" && rng.gen_bool(0.7);
    let phone = rng.gen_bool(0.8).then(|| {
        format!(
            "+1 555 {:03} {:04}",
            rng.gen_range(200..999),
            rng.gen_range(0..10_000)
        )
    });
    let email = rng.gen_bool(0.3).then(|| {
        let handle: String = casework_domain::matching::normalize_name(&p.legal_name)
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(".");
        format!("{handle}{}@example.org", rng.gen_range(1..100))
    });
    let safe_contact = rng
        .gen_bool(0.25)
        .then(|| pick(rng, SAFE_CONTACT).to_string());
    let address = rng.gen_bool(0.85).then(|| {
        format!(
            "{} {}, Apt {}, Riverside",
            rng.gen_range(10..9_999),
            pick(rng, STREETS),
            rng.gen_range(1..40)
        )
    });
    let cultural_considerations = rng
        .gen_bool(0.2)
        .then(|| pick(rng, p.culture.considerations).to_string());
    b.clients.push(SeedClient {
        id,
        agency_id,
        legal_name: p.legal_name.clone(),
        preferred_name: p.preferred_name.clone(),
        birth_date,
        birth_year_estimate,
        gender_identity: p.gender_identity.map(str::to_string),
        pronouns: p.pronouns.map(str::to_string),
        preferred_language: p.language.to_string(),
        interpreter_needed,
        cultural_considerations,
        phone,
        email,
        safe_contact,
        address,
        registered_by: intake,
        created_at: registered,
    });
    if rng.gen_bool(0.35) {
        let (kind, value) = match rng.gen_range(0..3) {
            0 => (
                "medicaid",
                format!("MA{:09}", rng.gen_range(0..1_000_000_000u64)),
            ),
            1 => (
                "state_id",
                format!(
                    "S{:03}-{:04}-{:04}",
                    rng.gen_range(0..1000),
                    rng.gen_range(0..10_000),
                    rng.gen_range(0..10_000)
                ),
            ),
            _ => (
                "referral_ref",
                format!("RF-{:06}", rng.gen_range(0..1_000_000)),
            ),
        };
        b.identifiers.push(SeedIdentifier {
            agency_id,
            client_id: id,
            kind: kind.into(),
            value,
        });
    }
    if rng.gen_bool(0.45) {
        for _ in 0..rng.gen_range(1..5) {
            let relationship = *pick(rng, RELATIONSHIPS);
            let female = rng.gen_bool(0.5);
            let given = p.culture.given(rng, female);
            let birth_date = (relationship == "child").then(|| {
                today
                    .checked_sub(time::Duration::days(rng.gen_range(200..17 * 365)))
                    .unwrap_or(today)
                    .to_string()
            });
            b.household.push(SeedHouseholdMember {
                agency_id,
                client_id: id,
                name: format!("{given} {}", p.family_name),
                relationship: Some(relationship.into()),
                birth_date,
            });
        }
    }
    // The same trigrams registration writes (`store::client::index_names`).
    let mut grams: Vec<String> = name_trigrams(&p.legal_name);
    if let Some(pref) = &p.preferred_name {
        grams.extend(name_trigrams(pref));
    }
    grams.sort();
    grams.dedup();
    b.grams.extend(grams.into_iter().map(|gram| SeedNameGram {
        agency_id,
        gram,
        client_id: id,
    }));
    b.audit.push(Event {
        agency_id,
        at_ms: registered,
        actor_user_id: Some(intake),
        action: "client.register".into(),
        record_type: "client".into(),
        record_id: Some(id),
        client_id: Some(id),
        outcome: Outcome::Allowed,
        reason: None,
        subjects: Vec::new(),
    });
}

#[allow(clippy::too_many_arguments)]
fn push_case(
    b: &mut Batch,
    rng: &mut StdRng,
    staff: &Staff,
    agency_id: i64,
    client_id: i64,
    id: i64,
    registered: i64,
    now: i64,
) {
    let stage = weighted(rng, &STAGE_WEIGHTS);
    let steps = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
    // Later stages have been open longer; every case opened after its client was registered.
    let age =
        rng.gen_range(DAY_MS..30 * DAY_MS) + steps as i64 * rng.gen_range(15 * DAY_MS..70 * DAY_MS);
    let opened = (now - age).max(registered).min(now - DAY_MS);
    let span = now - opened;
    let worker = pick(rng, &staff.caseworkers);
    let team = staff.teams[worker.team_slot];
    let supervisor = staff.supervisors[worker.team_slot];
    let program = pick(rng, &staff.programs);
    // Stage k is entered at opened + span·k/(steps+1): strictly increasing, all before now.
    let entered = |k: usize| opened + span * k as i64 / (steps as i64 + 1);
    // Consent and a first contact come in the first part of engagement, before it is left.
    let early = opened + rng.gen_range(0..(span / (steps as i64 + 1) / 2).max(1));
    let consent = steps > 0 || rng.gen_bool(0.5);
    let facts = CaseFacts {
        consent_to_services: true,
        contacts: 1,
        plan_approval_required: program.plan_approval_required,
        closure_approval_required: program.closure_approval_required,
        ..CaseFacts::default()
    };
    b.moves.push(SeedStageMove {
        agency_id,
        case_id: id,
        from_stage: None,
        to_stage: Stage::Engagement.as_str(),
        moved_by: staff.intake,
        moved_at: opened,
        override_reason: None,
    });
    for k in 1..=steps {
        let from = Stage::ALL[k - 1];
        // The later stages' work (assessments, goals, plans...) has no records yet, so leaving
        // those stages takes a supervisor's override, exactly as the service would require.
        let overridden = !unmet(from, &facts).is_empty();
        b.moves.push(SeedStageMove {
            agency_id,
            case_id: id,
            from_stage: Some(from.as_str()),
            to_stage: Stage::ALL[k].as_str(),
            moved_by: if overridden { supervisor } else { worker.id },
            moved_at: entered(k),
            override_reason: overridden.then_some(OVERRIDE_REASON),
        });
    }
    b.assignments.push(SeedAssignment {
        agency_id,
        case_id: id,
        worker_id: Some(worker.id),
        team_id: Some(team),
        assigned_by: staff.intake,
        assigned_at: opened,
    });
    if consent {
        let method = weighted(rng, &[("signed", 6), ("verbal", 3), ("witnessed", 1)]);
        b.consents.push(SeedConsent {
            agency_id,
            case_id: id,
            client_id,
            given_on: date_text(early),
            method,
            witness: (method == "witnessed").then(|| *pick(rng, WITNESSES)),
            recorded_by: worker.id,
            recorded_at: early,
        });
    }
    let closed = (stage == Stage::Closed).then(|| entered(steps));
    b.cases.push(SeedCase {
        id,
        agency_id,
        client_id,
        program_id: Some(program.id),
        team_id: Some(team),
        primary_worker_id: Some(worker.id),
        referral_source: rng
            .gen_bool(0.9)
            .then(|| pick(rng, REFERRAL_SOURCES).to_string()),
        presenting_problem: pick(rng, PRESENTING_PROBLEMS).to_string(),
        stage: stage.as_str(),
        stage_entered_at: entered(steps),
        risk_flag: rng.gen_bool(0.08),
        opened_by: staff.intake,
        opened_at: opened,
        closed_at: closed,
        version: 1 + steps as i64,
    });
    b.first_contact.push(early);
    b.audit.push(Event {
        agency_id,
        at_ms: opened,
        actor_user_id: Some(staff.intake),
        action: "case.open".into(),
        record_type: "case".into(),
        record_id: Some(id),
        client_id: Some(client_id),
        outcome: Outcome::Allowed,
        reason: None,
        subjects: Vec::new(),
    });
}

/// Give every client of the batch its data key and seal the batch's presenting problems and
/// contact summaries under it, in memory: one key per client made here, none looked up per row.
/// Returns the wrapped keys to write. (Safe-contact notes and identifiers are marked legacy
/// instead and sealed by the rotation pass after loading: there are few of them.)
fn seal_batch(vault: &Vault, b: &mut Batch, agency_id: i64, now: i64) -> Vec<SeedClientKey> {
    let mut keys = HashMap::with_capacity(b.clients.len());
    let mut wrapped = Vec::with_capacity(b.clients.len());
    for c in &b.clients {
        let (key, w) = vault.fresh_client_key(agency_id, c.id);
        keys.insert(c.id, key);
        wrapped.push(SeedClientKey {
            agency_id,
            client_id: c.id,
            wrapped: w,
            created_at: now,
        });
    }
    let mut client_of = HashMap::with_capacity(b.cases.len());
    for c in &mut b.cases {
        client_of.insert(c.id, c.client_id);
        let at = At::new("cases", "presenting_problem", c.id, agency_id, c.client_id);
        c.presenting_problem = Vault::seal_under(&keys[&c.client_id], 1, at, &c.presenting_problem);
    }
    for k in &mut b.contacts {
        if let Some(summary) = k.summary.as_mut() {
            let client_id = client_of[&k.case_id];
            let at = At::new("contacts", "summary", k.id, agency_id, client_id);
            *summary = Vault::seal_under(&keys[&client_id], 1, at, summary);
        }
    }
    wrapped
}

/// Hand out exactly `total` contacts over the batch's cases: one first contact for every case
/// past engagement (its guard needs it), the rest at random, so counts vary like real caseloads.
fn spread_contacts(
    b: &mut Batch,
    rng: &mut StdRng,
    agency_id: i64,
    total: u64,
    first_id: i64,
    now: i64,
) {
    if b.cases.is_empty() {
        return;
    }
    let mut count = vec![0u32; b.cases.len()];
    let mut given = 0u64;
    for (i, c) in b.cases.iter().enumerate() {
        if c.stage != Stage::Engagement.as_str() {
            count[i] = 1;
            given += 1;
        }
    }
    while given < total {
        let at = rng.gen_range(0..count.len());
        count[at] += 1;
        given += 1;
    }
    let interpreter: std::collections::HashMap<i64, bool> = b
        .clients
        .iter()
        .map(|c| (c.id, c.interpreter_needed))
        .collect();
    for (i, c) in b.cases.iter().enumerate() {
        let end = c.closed_at.unwrap_or(now);
        let needs_interpreter = interpreter.get(&c.client_id).copied().unwrap_or(false);
        for n in 0..count[i] {
            let at = if n == 0 {
                b.first_contact[i]
            } else {
                rng.gen_range(c.opened_at..=end.max(c.opened_at))
            };
            let mode = weighted(
                rng,
                &[
                    ("office", 30),
                    ("phone", 35),
                    ("video", 10),
                    ("home_visit", 18),
                    ("collateral", 7),
                ],
            );
            b.contacts.push(SeedContact {
                id: first_id + b.contacts.len() as i64,
                agency_id,
                case_id: c.id,
                contact_date: date_text(at),
                mode,
                duration_minutes: 5 * rng.gen_range(2..25),
                participants: rng.gen_bool(0.6).then(|| *pick(rng, PARTICIPANTS)),
                interpreter_used: needs_interpreter && mode != "collateral" && rng.gen_bool(0.9),
                summary: rng
                    .gen_bool(0.85)
                    .then(|| (*pick(rng, SUMMARIES)).to_string()),
                recorded_by: c.primary_worker_id.unwrap_or(0),
                recorded_at: at,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// People: names from several cultures, in each culture's own order and spelling.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Given names, then family name.
    GivenFirst,
    /// Family name, middle name, given name (Vietnamese).
    FamilyFirst,
    /// Given name, father's name, grandfather's or family name (Somali).
    Patronymic,
}

struct Culture {
    language: &'static str,
    weight: u32,
    female: &'static [&'static str],
    male: &'static [&'static str],
    /// Polish surnames take a feminine form; `(masculine, feminine)`, equal where they do not.
    family: &'static [(&'static str, &'static str)],
    /// Vietnamese middle names by gender.
    middle: Option<(&'static [&'static str], &'static [&'static str])>,
    order: Order,
    /// Two family names (Spanish), some of the time.
    double_family: bool,
    considerations: &'static [&'static str],
}

impl Culture {
    fn given(&self, rng: &mut StdRng, female: bool) -> &'static str {
        if female {
            self.female[rng.gen_range(0..self.female.len())]
        } else {
            self.male[rng.gen_range(0..self.male.len())]
        }
    }

    fn family(&self, rng: &mut StdRng, female: bool) -> &'static str {
        let (m, f) = *pick(rng, self.family);
        if female {
            f
        } else {
            m
        }
    }
}

struct Person {
    legal_name: String,
    preferred_name: Option<String>,
    family_name: String,
    gender_identity: Option<&'static str>,
    pronouns: Option<&'static str>,
    language: &'static str,
    culture: &'static Culture,
}

fn person(rng: &mut StdRng) -> Person {
    let total: u32 = CULTURES.iter().map(|c| c.weight).sum();
    let mut roll = rng.gen_range(0..total);
    let mut culture = &CULTURES[0];
    for c in CULTURES {
        if roll < c.weight {
            culture = c;
            break;
        }
        roll -= c.weight;
    }
    let (female, gender_identity, pronouns) = match rng.gen_range(0..100) {
        0..=47 => (true, Some("woman"), Some("she/her")),
        48..=93 => (false, Some("man"), Some("he/him")),
        94..=95 => (rng.gen_bool(0.5), Some("non-binary"), Some("they/them")),
        _ => (rng.gen_bool(0.5), None, None),
    };
    let given = culture.given(rng, female);
    let family = culture.family(rng, female);
    let legal_name = match culture.order {
        Order::GivenFirst => {
            let mut name = given.to_string();
            if rng.gen_bool(0.15) {
                let second = culture.given(rng, female);
                if second != given {
                    name = format!("{name} {second}");
                }
            }
            name = format!("{name} {family}");
            if culture.double_family && rng.gen_bool(0.4) {
                name = format!("{name} {}", culture.family(rng, female));
            }
            name
        }
        Order::FamilyFirst => {
            let middle = culture
                .middle
                .map(|(f, m)| *pick(rng, if female { f } else { m }))
                .unwrap_or("");
            format!("{family} {middle} {given}").replace("  ", " ")
        }
        Order::Patronymic => format!("{given} {} {family}", culture.given(rng, false)),
    };
    // Some clients go by another name: a short form, or an English name at work or school.
    let preferred_name = rng.gen_bool(0.1).then(|| {
        let nick = pick(rng, if female { ENGLISH.female } else { ENGLISH.male });
        match culture.order {
            Order::FamilyFirst => format!("{nick} {family}"),
            _ => given.to_string(),
        }
    });
    // Children of immigrants often prefer English.
    let language = if culture.language != "en" && rng.gen_bool(0.2) {
        "en"
    } else {
        culture.language
    };
    Person {
        legal_name,
        preferred_name,
        family_name: family.to_string(),
        gender_identity,
        pronouns,
        language,
        culture,
    }
}

macro_rules! same {
    ($($n:literal),* $(,)?) => { &[$(($n, $n)),*] };
}

const ENGLISH: Culture = Culture {
    language: "en",
    weight: 30,
    female: &[
        "Emily", "Sarah", "Jessica", "Ashley", "Megan", "Hannah", "Olivia", "Emma", "Grace",
        "Chloe", "Abigail", "Brianna", "Kayla", "Danielle", "Rebecca", "Shannon", "Tiffany",
        "Crystal", "Amber", "Heather", "Latoya", "Imani", "Zoë", "Renée",
    ],
    male: &[
        "James",
        "Michael",
        "Robert",
        "David",
        "William",
        "Joseph",
        "Christopher",
        "Matthew",
        "Daniel",
        "Anthony",
        "Tyler",
        "Brandon",
        "Justin",
        "Kevin",
        "Ryan",
        "Jason",
        "Eric",
        "Aaron",
        "Marcus",
        "DeShawn",
        "Terrence",
        "Malik",
    ],
    family: same![
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Miller",
        "Davis",
        "Wilson",
        "Anderson",
        "Taylor",
        "Thomas",
        "Moore",
        "Jackson",
        "Martin",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Green",
        "Baker",
        "Adams",
        "Nelson",
        "O'Brien",
        "Murphy",
        "McCarthy",
        "Washington",
        "Brooks",
        "Sullivan"
    ],
    middle: None,
    order: Order::GivenFirst,
    double_family: false,
    considerations: &[
        "Prefers appointments after school pick-up",
        "Veteran; prefers a worker familiar with VA services",
        "Attends church on Sunday mornings; avoid scheduling then",
        "Hard of hearing; face the client when speaking",
    ],
};

const CULTURES: &[&Culture] = &[
    &ENGLISH,
    &Culture {
        language: "es",
        weight: 24,
        female: &[
            "María",
            "Lucía",
            "Sofía",
            "Valentina",
            "Camila",
            "Guadalupe",
            "Ana",
            "Isabel",
            "Carmen",
            "Rosa",
            "Mónica",
            "Verónica",
            "Paola",
            "Daniela",
            "Andrea",
            "Beatriz",
            "Inés",
            "Ximena",
            "Yolanda",
            "Marisol",
            "Araceli",
            "Maite",
        ],
        male: &[
            "José",
            "Juan",
            "Luis",
            "Carlos",
            "Jorge",
            "Miguel",
            "Alejandro",
            "Andrés",
            "Javier",
            "Fernando",
            "Ramón",
            "Sebastián",
            "Raúl",
            "Héctor",
            "Joaquín",
            "Diego",
            "Rubén",
            "Iván",
            "Tomás",
            "Óscar",
            "Ángel",
            "Efraín",
        ],
        family: same![
            "García",
            "Martínez",
            "Rodríguez",
            "López",
            "Hernández",
            "González",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
            "Flores",
            "Rivera",
            "Gómez",
            "Díaz",
            "Reyes",
            "Morales",
            "Cruz",
            "Ortiz",
            "Gutiérrez",
            "Chávez",
            "Ramos",
            "Ruiz",
            "Jiménez",
            "Mendoza",
            "Álvarez",
            "Castillo",
            "Vázquez",
            "Núñez",
            "Peña",
            "Ibáñez",
            "Muñoz",
            "Domínguez"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: true,
        considerations: &[
            "Prefers Spanish-speaking worker; family decisions involve her mother",
            "Catholic; observes Semana Santa",
            "Mixed-status household; explain how information is shared before asking",
            "Prefers home visits in the evening after work",
        ],
    },
    &Culture {
        language: "vi",
        weight: 9,
        female: &[
            "Mai", "Lan", "Hương", "Linh", "Trang", "Hạnh", "Phương", "Thảo", "Nga", "Vy", "Hoa",
            "Yến", "Ngân", "Thúy",
        ],
        male: &[
            "An", "Bình", "Dũng", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Thắng", "Tuấn",
            "Việt", "Huy", "Sơn",
        ],
        family: same![
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý"
        ],
        middle: Some((
            &["Thị", "Ngọc", "Thu", "Bích", "Kim", "Thanh"],
            &["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"],
        )),
        order: Order::FamilyFirst,
        double_family: false,
        considerations: &[
            "Buddhist; Tết is a family period, avoid scheduling that week",
            "Elders in the household expect to be addressed first",
            "Prefers a Vietnamese interpreter from outside the local community",
        ],
    },
    &Culture {
        language: "ar",
        weight: 9,
        female: &[
            "Fatima", "Aisha", "Layla", "Mariam", "Noor", "Huda", "Rania", "Salma", "Yasmin",
            "Zainab", "Amira", "Hana", "Rasha", "Samira",
        ],
        male: &[
            "Mohammed", "Ahmed", "Omar", "Youssef", "Ali", "Hassan", "Khaled", "Ibrahim",
            "Mustafa", "Tariq", "Karim", "Samir", "Bilal", "Walid",
        ],
        family: same![
            "Al-Sayed", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Abdullah",
            "Al-Masri", "Darwish", "Jaber", "Kassem", "Suleiman", "Al-Amin", "Barakat", "Aziz"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Observes Ramadan; prefers appointments after sunset during Ramadan",
            "Prefers a female worker for home visits",
            "Halal food only; relevant for food bank referrals",
            "Friday midday prayers; avoid scheduling then",
        ],
    },
    &Culture {
        language: "so",
        weight: 7,
        female: &[
            "Hodan", "Ayaan", "Fadumo", "Halima", "Sahra", "Ifrah", "Asli", "Hibo", "Nimco",
            "Sagal", "Ubah", "Deeqa",
        ],
        male: &[
            "Abdi",
            "Abdirahman",
            "Mohamed",
            "Ahmed",
            "Hassan",
            "Farah",
            "Yusuf",
            "Mahad",
            "Abdullahi",
            "Liban",
            "Omar",
            "Ismail",
            "Bashir",
        ],
        family: same![
            "Warsame", "Farah", "Hassan", "Mohamed", "Ali", "Jama", "Abdi", "Osman", "Hersi",
            "Egal", "Dualeh", "Nur", "Aden", "Yusuf", "Ismail"
        ],
        middle: None,
        order: Order::Patronymic,
        double_family: false,
        considerations: &[
            "Observes Ramadan; prefers appointments after sunset during Ramadan",
            "Prefers a female worker for home visits",
            "Clan affiliation matters when choosing an interpreter",
        ],
    },
    &Culture {
        language: "pl",
        weight: 6,
        female: &[
            "Małgorzata",
            "Agnieszka",
            "Katarzyna",
            "Anna",
            "Magdalena",
            "Joanna",
            "Ewa",
            "Zofia",
            "Żaneta",
            "Barbara",
            "Dorota",
            "Aleksandra",
            "Jadwiga",
            "Wiktoria",
        ],
        male: &[
            "Łukasz",
            "Piotr",
            "Krzysztof",
            "Tomasz",
            "Paweł",
            "Michał",
            "Marek",
            "Grzegorz",
            "Jakub",
            "Wojciech",
            "Andrzej",
            "Stanisław",
            "Józef",
            "Kamil",
        ],
        family: &[
            ("Kowalski", "Kowalska"),
            ("Wiśniewski", "Wiśniewska"),
            ("Wójcik", "Wójcik"),
            ("Kamiński", "Kamińska"),
            ("Lewandowski", "Lewandowska"),
            ("Zieliński", "Zielińska"),
            ("Szymański", "Szymańska"),
            ("Woźniak", "Woźniak"),
            ("Dąbrowski", "Dąbrowska"),
            ("Kozłowski", "Kozłowska"),
            ("Mazur", "Mazur"),
            ("Krawczyk", "Krawczyk"),
            ("Jankowski", "Jankowska"),
            ("Nowak", "Nowak"),
            ("Grabowski", "Grabowska"),
            ("Pawłowski", "Pawłowska"),
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Catholic; name day is celebrated more than birthday",
            "Works night shifts; call after 2 pm",
        ],
    },
    &Culture {
        language: "ht",
        weight: 4,
        female: &[
            "Nadège",
            "Marie-Claude",
            "Widline",
            "Fabienne",
            "Guerline",
            "Roseline",
            "Mirlande",
            "Esther",
        ],
        male: &[
            "Jean-Baptiste",
            "Wilner",
            "Jean-Claude",
            "Frantz",
            "Ricardo",
            "Widson",
            "Pierre-Louis",
            "Emmanuel",
        ],
        family: same![
            "Joseph",
            "Pierre",
            "Jean-Louis",
            "Baptiste",
            "Charles",
            "Dorvil",
            "Desrosiers",
            "Étienne",
            "Fleurimond",
            "Saint-Fleur",
            "Noël"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Prefers Haitian Creole, reads French",
            "Extended family shares childcare; include grandmother in planning",
        ],
    },
    &Culture {
        language: "uk",
        weight: 4,
        female: &[
            "Oksana", "Olena", "Iryna", "Nataliia", "Yuliia", "Svitlana", "Halyna", "Kateryna",
        ],
        male: &[
            "Oleksandr",
            "Andriy",
            "Dmytro",
            "Serhiy",
            "Taras",
            "Bohdan",
            "Volodymyr",
            "Yaroslav",
        ],
        family: same![
            "Shevchenko",
            "Kovalenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Melnyk",
            "Boyko",
            "Koval",
            "Oliynyk",
            "Tkachuk"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Arrived under humanitarian parole; documents pending",
            "Orthodox Christian; Christmas on 7 January",
        ],
    },
    &Culture {
        language: "zh",
        weight: 3,
        female: &[
            "Mei", "Xiaoling", "Yan", "Jing", "Hui", "Fang", "Xiu", "Ling",
        ],
        male: &["Wei", "Jun", "Hao", "Lei", "Qiang", "Jian", "Zhi", "Bo"],
        family: same![
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
            "Lin"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Prefers Mandarin; reads simplified characters",
            "Lunar New Year is a family period",
        ],
    },
    &Culture {
        language: "am",
        weight: 2,
        female: &[
            "Tigist",
            "Selamawit",
            "Hirut",
            "Meseret",
            "Bethlehem",
            "Genet",
        ],
        male: &["Dawit", "Bereket", "Tesfaye", "Yohannes", "Abebe", "Girma"],
        family: same![
            "Alemu",
            "Tadesse",
            "Bekele",
            "Haile",
            "Gebremedhin",
            "Mekonnen",
            "Wolde",
            "Kebede"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Ethiopian Orthodox; fasts on Wednesdays and Fridays",
            "Family name is the father's given name",
        ],
    },
    &Culture {
        language: "tl",
        weight: 2,
        female: &[
            "Maricel", "Rowena", "Jocelyn", "Lorna", "Cristina", "Rosario",
        ],
        male: &["Rodrigo", "Jomar", "Ramil", "Arnel", "Efren", "Danilo"],
        family: same![
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Dela Cruz",
            "Mendoza",
            "Villanueva",
            "Castillo",
            "Aquino"
        ],
        middle: None,
        order: Order::GivenFirst,
        double_family: false,
        considerations: &[
            "Sends money to family abroad; relevant for budgeting",
            "Catholic; Simbang Gabi in December",
        ],
    },
];

const TEAM_NAMES: &[&str] = &[
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Riverside",
    "Hillside",
    "Harbor",
];

/// Name, plan approval required, closure approval required.
const PROGRAMS: &[(&str, bool, bool)] = &[
    ("Family Stabilization", true, true),
    ("Housing Stability", false, true),
    ("Youth Services", true, false),
    ("Refugee Resettlement", false, false),
];

const SAFE_CONTACT: &[&str] = &[
    "No voicemail",
    "Do not contact at home",
    "Text only; do not call",
    "Call only on weekdays between 9 and 12",
    "Do not leave messages with family members",
    "Use the work phone only",
];

const STREETS: &[&str] = &[
    "Maple Avenue",
    "Oak Street",
    "Cedar Lane",
    "Riverside Drive",
    "Elm Court",
    "Willow Way",
    "Harbor Road",
    "Chestnut Street",
    "Lakeview Terrace",
    "Mill Road",
    "Hillcrest Avenue",
];

const RELATIONSHIPS: &[&str] = &[
    "child",
    "child",
    "child",
    "spouse",
    "partner",
    "parent",
    "sibling",
    "grandparent",
];

const REFERRAL_SOURCES: &[&str] = &[
    "Self-referral",
    "School counselor",
    "Hospital social worker",
    "Community health center",
    "Police department",
    "Faith community",
    "211 helpline",
    "Housing authority",
    "Court",
    "Another agency",
];

const PRESENTING_PROBLEMS: &[&str] = &[
    "Facing eviction after loss of income",
    "Food insecurity; children missing meals",
    "Domestic violence; needs safety planning",
    "Recently arrived; needs help enrolling children in school and finding work",
    "Caregiver stress caring for a parent with dementia",
    "Unemployment and mounting utility debt",
    "Child truancy and conflict at home",
    "Depression and isolation after bereavement",
    "Substance use affecting parenting",
    "Unstable housing; staying with friends",
    "Needs help navigating disability benefits",
    "Youth aging out of foster care",
];

const PARTICIPANTS: &[&str] = &[
    "Client",
    "Client and spouse",
    "Client and children",
    "Client and interpreter",
    "Client and school counselor",
    "Landlord",
    "Client and mother",
];

const SUMMARIES: &[&str] = &[
    "Reviewed progress toward goals; next steps agreed.",
    "Discussed housing options and documents needed.",
    "Completed benefits application together.",
    "Checked in by phone; no new concerns.",
    "Home visit; household stable, follow up next week.",
    "Coordinated with school about attendance.",
    "Provided food bank referral and transport information.",
    "Client rescheduled; brief check-in only.",
];

const WITNESSES: &[&str] = &["Front desk staff", "Interpreter on duty", "Team supervisor"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let names = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..50)
                .map(|_| person(&mut rng).legal_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(7), names(7));
        assert_ne!(names(7), names(8));
    }

    #[test]
    fn names_come_from_many_cultures_and_keep_their_accents() {
        let mut rng = StdRng::seed_from_u64(1);
        let people: Vec<Person> = (0..2000).map(|_| person(&mut rng)).collect();
        let languages: std::collections::BTreeSet<&str> =
            people.iter().map(|p| p.language).collect();
        for l in ["en", "es", "vi", "ar", "so", "pl"] {
            assert!(languages.contains(l), "{l}");
        }
        assert!(people.iter().any(|p| !p.legal_name.is_ascii()));
    }

    #[test]
    fn plans_out_of_shape_are_refused_with_the_field_named() {
        assert_eq!(SeedPlan::new(0).check().unwrap_err().field, "clients");
        let mut p = SeedPlan::new(10);
        p.cases = 5;
        assert_eq!(p.check().unwrap_err().field, "cases");
        assert!(SeedPlan::new(100_000).check().is_ok());
        assert_eq!(SeedPlan::new(100_000).caseworkers(), 2000);
        assert_eq!(SeedPlan::new(100).caseworkers(), 5);
        assert_eq!(SeedPlan::new(100).teams(), 1);
    }
}
