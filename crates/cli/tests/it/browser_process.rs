//! The whole social casework process for one fictional client, in real Chromium, the way the
//! people of an agency would do it: an agency admin sets up the team, the program and the staff;
//! an intake worker registers Lucía (Spanish, needs an interpreter) and hands her case to a
//! caseworker; the caseworker takes it through engagement, assessment (with a PHQ-9), goal
//! setting, planning (approved by the team's supervisor) and into intervention with a signed
//! SOAP note; evaluates the goal (GAS T-score), writes the termination record (approved by the
//! supervisor, as the program requires), records the three check-ins after closure as the
//! months pass, closes the case, and reopens it when a new eviction notice comes. Each stage is
//! one step over the shared [`Journey`].
//!
//! Only the harness creates the agency and its first admin (nobody can sign in before that);
//! everything after that is done through the pages, and every check is about what a person reads.
//!
//! To append a stage: add `pub async fn <stage>(&mut self)` to `Journey` after the last step and
//! call it from the test in order. Every step from `engagement` on ends with the caseworker
//! signed in and on the case page, so the next one starts there (with `move_forward`, `follow`,
//! or `sign_out` and `sign_in` for another person; `open_case_from_caseload` finds the case
//! again). Keep what a step finds (an id from the address it lands on) in a new `Option<i64>`
//! field with an accessor naming that step. The clock stands still at `TODAY` unless a step
//! moves it with `self.server.clock.advance_ms(..)` (follow-ups due after 30 days, say).

use crate::browser::Browser;
use crate::browser_journey::{
    current_stage, expect_notice, move_forward, page_marker, page_text, set_date, submit, text_of,
    wait_for, wait_for_new_page,
};
use crate::harness::{TestServer, PASSWORD};
use casework_service::domain::Role;
use casework_store::Backend;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Instant;

/// The server's clock stands still at the harness's start, Monday 3 March 2025.
const TODAY: &str = "2025-03-03";
const CLIENT: &str = "Lucía Fernández Ortega";
const PROGRAM: &str = "Housing Stability";
const TEAM: &str = "Family Support";
/// The goal in the client's words, in her language: the printable plan is hers.
const GOAL: &str = "Pagar el alquiler a tiempo y quedarme en mi casa";
const GOAL_DATE: &str = "2025-06-30";
const INTERVENTION: &str = "Negociar con el propietario un plan de pagos";
const TASK: &str = "Traer los recibos de alquiler de los últimos tres meses";
const NOTE_SUBJECTIVE: &str = "Lucía says the landlord agreed to wait two weeks.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_goes_from_intake_to_a_reopen_as_staff_would_take_her() {
    let Some(mut journey) = Journey::start().await else {
        return;
    };
    let started = Instant::now();
    journey.agency_is_set_up().await;
    journey.intake_registers_and_opens().await;
    journey.engagement().await;
    journey.assessment_with_instruments().await;
    journey.goal_setting().await;
    journey.planning_with_approval().await;
    journey.intervention_notes().await;
    journey.printable_plan_in_the_clients_language().await;
    journey.evaluation().await;
    journey.termination_with_approval().await;
    journey.follow_ups().await;
    journey.reopen().await;
    eprintln!("the journey took {:?}", started.elapsed());
    journey.finish().await;
}

/// A member of staff the agency admin adds on the Users page.
pub(crate) struct Person {
    pub name: &'static str,
    pub email: &'static str,
    /// The role as the Users page names it.
    pub role: &'static str,
}

pub(crate) const INTAKE: Person = Person {
    name: "Sam Reyes",
    email: "sam.reyes@riverside.example",
    role: "Intake worker",
};
pub(crate) const CASEWORKER: Person = Person {
    name: "Maya Okafor",
    email: "maya.okafor@riverside.example",
    role: "Caseworker",
};
pub(crate) const SUPERVISOR: Person = Person {
    name: "Tomás Herrera",
    email: "tomas.herrera@riverside.example",
    role: "Supervisor",
};

/// One client's way through the agency: the browser, the server, and the records found along
/// the way (read from the addresses the pages lead to, as a person would find them again).
/// A step reads what earlier steps found through the accessors, which name the step that finds
/// it when it is missing.
pub(crate) struct Journey {
    pub browser: Browser,
    pub server: TestServer,
    /// The agency admin's sign-in address (the harness made the admin; nobody else can).
    pub admin_email: String,
    pub client_id: Option<i64>,
    pub case_id: Option<i64>,
    pub goal_id: Option<i64>,
    pub note_id: Option<i64>,
}

impl Journey {
    /// A browser and a server on a fresh database with the agency and its admin, or `None`
    /// when no browser is installed (outside CI). What is under test is what people see; the
    /// database rules are covered on both backends by the service and HTTP tests.
    pub async fn start() -> Option<Journey> {
        let browser = Browser::start().await?;
        let server = TestServer::start(Backend::Sqlite).await;
        let agency = server.agency("Riverside Family Services").await;
        let admin = server
            .user_with(agency, Role::Admin, "Ada Brennan", None)
            .await;
        Some(Journey {
            browser,
            server,
            admin_email: admin.email,
            client_id: None,
            case_id: None,
            goal_id: None,
            note_id: None,
        })
    }

    pub async fn finish(self) {
        self.browser.close().await;
        self.server.stop().await;
    }

    /// The browser (a cheap handle; clone it to keep it across `&mut self` calls).
    pub fn c(&self) -> Client {
        self.browser.client.clone()
    }

    pub fn client_id(&self) -> i64 {
        self.client_id
            .expect("the client is registered in intake_registers_and_opens")
    }

    pub fn case_id(&self) -> i64 {
        self.case_id
            .expect("the caseworker finds the case in her caseload in engagement")
    }

    pub fn goal_id(&self) -> i64 {
        self.goal_id.expect("the goal is written in goal_setting")
    }

    pub fn note_id(&self) -> i64 {
        self.note_id
            .expect("the note is written in intervention_notes")
    }

    /// Sign in through the form and wait until the page greets `name`.
    pub async fn sign_in(&self, email: &str, name: &str) {
        let c = self.c();
        c.goto(&self.server.url("/sign-in"))
            .await
            .expect("open sign-in");
        fill(&c, "email", email).await;
        fill(&c, "password", PASSWORD).await;
        submit(&c, "form[action='/sign-in'] button[type='submit']").await;
        let menu = wait_for(
            &c,
            Locator::Css(".account-menu a[href='/account']"),
            &format!("the account menu of {name} after signing in"),
        )
        .await;
        assert_eq!(menu.text().await.unwrap().trim(), name);
    }

    pub async fn sign_out(&self) {
        let c = self.c();
        submit(&c, ".account-menu form[action='/sign-out'] button").await;
        wait_for(
            &c,
            Locator::Id("email"),
            "the sign-in form after signing out",
        )
        .await;
    }

    /// From anywhere: the caseload (My cases, or My team), then the client's case.
    pub async fn open_case_from_caseload(&self, team: bool) {
        let c = self.c();
        follow(&c, "Caseload").await;
        if team {
            follow(&c, "My team").await;
        }
        follow(&c, CLIENT).await;
        let at = c.current_url().await.unwrap();
        assert_eq!(
            at.path(),
            format!("/cases/{}", self.case_id()),
            "the caseload's link for {CLIENT} leads elsewhere"
        );
    }

    // ----- The steps, in the order of the process ------------------------------------------

    /// The agency admin adds the team, a program whose plans need a supervisor's approval, and
    /// the intake worker, caseworker and supervisor, all on the admin pages.
    pub async fn agency_is_set_up(&mut self) {
        let c = self.c();
        self.sign_in(&self.admin_email, "Ada Brennan").await;

        follow(&c, "Teams").await;
        fill(&c, "team-name", TEAM).await;
        submit(&c, "form[action='/admin/teams'] button[type='submit']").await;
        let teams = text_of(&c, "ul.records").await;
        assert!(
            teams.contains(TEAM),
            "the new team is not listed: {teams:?}"
        );

        follow(&c, "Programs").await;
        fill(&c, "program-name", PROGRAM).await;
        check(&c, "plan-approval").await;
        check(&c, "closure-approval").await;
        submit(&c, "form[action='/admin/programs'] button[type='submit']").await;
        let approval = cell(&c, PROGRAM, 2).await;
        assert_eq!(
            approval, "Yes",
            "the program list does not say {PROGRAM}'s plans need approval"
        );
        let closure = cell(&c, PROGRAM, 3).await;
        assert_eq!(
            closure, "Yes",
            "the program list does not say closing {PROGRAM}'s cases needs approval"
        );

        // Check-ins after closure: 30, 90 and 180 days, from the program's schedule.
        follow_xpath(
            &c,
            &format!(
                "//table//tr[td[1][normalize-space()={}]]//a[contains(@href, '/follow-ups')]",
                xpath_literal(PROGRAM)
            ),
            "the follow-up schedule link of the program",
        )
        .await;
        assert_eq!(
            text_of(&c, "main dl.facts dd").await.trim(),
            "No follow-ups",
            "a new program already has a follow-up schedule"
        );
        fill(&c, "schedule-days", "30, 90, 180").await;
        submit(&c, "main form button[type='submit']").await;
        expect_notice(&c, "The follow-up schedule was saved.").await;
        assert_eq!(
            text_of(&c, "main dl.facts dd").await.trim(),
            "30, 90, 180",
            "the saved schedule is not shown as entered"
        );

        follow(&c, "Users").await;
        for person in [&INTAKE, &CASEWORKER, &SUPERVISOR] {
            fill(&c, "new-email", person.email).await;
            fill(&c, "new-display-name", person.name).await;
            choose(&c, "new-role", person.role).await;
            choose(&c, "new-team", TEAM).await;
            fill(&c, "new-password", PASSWORD).await;
            submit(&c, "form[action='/admin/users'] button[type='submit']").await;
            let email = cell(&c, person.name, 2).await;
            assert_eq!(
                email,
                person.email,
                "{} is not listed after adding them; {}",
                person.name,
                page_text(&c).await
            );
        }
        self.sign_out().await;
    }

    /// The intake worker registers Lucía (Spanish, interpreter needed) and opens her case on the
    /// program, handed to the caseworker in the team (after which intake no longer sees it).
    pub async fn intake_registers_and_opens(&mut self) {
        let c = self.c();
        self.sign_in(INTAKE.email, INTAKE.name).await;
        follow(&c, "Clients").await;
        follow(&c, "Register a client").await;
        fill(&c, "client-legal_name", CLIENT).await;
        fill(&c, "client-pronouns", "she/her").await;
        set_date(&c, "client-birth_date", "1987-09-14").await;
        fill(&c, "client-preferred_language", "es").await;
        check(&c, "client-interpreter_needed").await;
        submit(&c, "#client-form button[type='submit']").await;
        expect_notice(&c, "The client was registered.").await;
        let url = c.current_url().await.unwrap();
        self.client_id = url
            .path()
            .strip_prefix("/clients/")
            .and_then(|id| id.parse().ok());
        assert!(
            self.client_id.is_some(),
            "registering did not lead to the client page; {}",
            page_text(&c).await
        );
        let heading = text_of(&c, "main h1").await;
        assert!(
            heading.starts_with(CLIENT) && heading.contains("(she/her)"),
            "the client page is headed {heading:?}"
        );
        let language = text_of(&c, ".language-fact").await;
        assert!(
            language.contains("Spanish") && language.contains("Interpreter needed"),
            "the client page does not show her language and interpreter need: {language:?}"
        );

        follow(&c, "Open a case").await;
        fill(
            &c,
            "presenting-problem",
            "Two months behind on rent after losing her job; eviction notice received.",
        )
        .await;
        fill(&c, "referral-source", "School social worker").await;
        choose(&c, "program", PROGRAM).await;
        choose(&c, "primary-worker", "Maya Okafor (Caseworker)").await;
        choose(&c, "team", TEAM).await;
        submit(&c, "form[action='/cases/new'] button[type='submit']").await;

        // Intake hands the case over and reads no more of it: back at the client, told so.
        let url = c.current_url().await.unwrap();
        assert_eq!(
            url.path(),
            format!("/clients/{}", self.client_id()),
            "after opening the case intake is not back at the client; {}",
            page_text(&c).await
        );
        expect_notice(
            &c,
            "The case was opened and handed over to the worker or team you chose. \
             Only they see it from now on.",
        )
        .await;
        self.sign_out().await;
    }

    /// The caseworker finds the case in her caseload, records a first contact (with an
    /// interpreter), is refused the move for want of consent, records it, and moves on.
    pub async fn engagement(&mut self) {
        let c = self.c();
        self.sign_in(CASEWORKER.email, CASEWORKER.name).await;
        follow(&c, "Caseload").await;
        let line = row(&c, CLIENT).await;
        assert!(
            line.contains("Engagement") && line.contains("Spanish"),
            "the caseload line does not show the stage and language: {line:?}"
        );
        assert!(
            line.contains("Interpreter needed"),
            "the caseload line does not warn that an interpreter is needed: {line:?}"
        );
        follow(&c, CLIENT).await;
        let url = c.current_url().await.unwrap();
        self.case_id = url
            .path()
            .strip_prefix("/cases/")
            .and_then(|id| id.parse().ok());
        let case_id = self.case_id();

        let facts = text_of(&c, "main dl.facts").await;
        for shown in [
            "Spanish",
            "Interpreter needed",
            PROGRAM,
            "Maya Okafor",
            TEAM,
            "School social worker",
        ] {
            assert!(
                facts.contains(shown),
                "the case facts do not show {shown:?}: {facts:?}"
            );
        }
        assert_eq!(current_stage(&c).await, "Engagement");

        set_date(&c, "contact-date", TODAY).await;
        choose(&c, "contact-mode", "Office").await;
        fill(&c, "contact-duration", "50").await;
        fill(&c, "contact-participants", "Lucía; Spanish interpreter").await;
        check(&c, "contact-interpreter").await;
        fill(
            &c,
            "contact-summary",
            "First meeting with an interpreter; read the eviction notice together.",
        )
        .await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/contacts'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "The contact was recorded.").await;

        move_forward(&c, case_id, "Assessment").await;
        let refusal = text_of(&c, ".problem[role='alert']").await;
        assert!(
            refusal.contains("This case cannot move on yet")
                && refusal.contains("Record the client's consent to services."),
            "the refusal does not say consent is missing: {refusal:?}"
        );
        assert!(
            !refusal.contains("Record at least one contact."),
            "the refusal asks for a contact although one is recorded: {refusal:?}"
        );
        assert_eq!(current_stage(&c).await, "Engagement");

        set_date(&c, "consent-date", TODAY).await;
        choose(&c, "consent-method", "Signed").await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/consents'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "The consent was recorded.").await;
        let needed = text_of(&c, ".needed").await;
        assert!(
            needed.contains("Ready to move on."),
            "with consent and a contact, 'What's needed' says: {needed:?}"
        );
        move_forward(&c, case_id, "Assessment").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Assessment");
    }

    /// A completed structured assessment naming needs and strengths, and a PHQ-9 scored 12
    /// (moderate) with thoughts of self-harm on some days: the score, its band and the safety
    /// alert are shown. Then the case moves to goal setting.
    pub async fn assessment_with_instruments(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        follow(&c, "New assessment").await;
        set_date(&c, "assessed-on", TODAY).await;
        fill(
            &c,
            "situation",
            "Lives with her two children in a rented flat; lost her cleaning job in January.",
        )
        .await;
        fill(
            &c,
            "background",
            "Arrived five years ago; no family nearby.",
        )
        .await;
        fill(&c, "need-1", "Rent arrears of two months").await;
        fill(&c, "need-2", "Low mood since losing her job").await;
        fill(&c, "strength-1", "Keeps every appointment").await;
        fill(&c, "strength-2", "A supportive church community").await;
        fill(&c, "resources", "Tenants' union legal clinic; food bank").await;
        fill(&c, "limitations", "Little English; no car").await;
        choose(&c, "risk-level", "Medium risk").await;
        fill(&c, "risk-details", "Eviction possible within a month.").await;
        fill(
            &c,
            "client-words",
            "Quiero que mis hijos sigan en su escuela.",
        )
        .await;
        submit(&c, "button[name='action'][value='complete']").await;

        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Completed") && facts.contains("Medium risk"),
            "the saved assessment is not shown as completed with its risk: {facts:?}"
        );
        let needs = text_of(&c, "ul[aria-labelledby='needs-heading']").await;
        assert!(
            needs.contains("Rent arrears of two months")
                && needs.contains("Low mood since losing her job"),
            "the assessment does not list the needs: {needs:?}"
        );
        let strengths = text_of(&c, "ul[aria-labelledby='strengths-heading']").await;
        assert!(
            strengths.contains("Keeps every appointment"),
            "the assessment does not list the strengths: {strengths:?}"
        );

        follow(&c, "Back to the case").await;
        follow(&c, "PHQ-9 (depression)").await;
        set_date(&c, "taken-on", TODAY).await;
        // Items 1 to 9; the total is 12 (moderate), and item 9 (self-harm) is not zero.
        let answers = [2, 2, 1, 1, 1, 2, 1, 1, 1];
        for (item, answer) in answers.iter().enumerate() {
            wait_for(
                &c,
                Locator::Id(&format!("answer-{item}-{answer}")),
                &format!("answer {answer} to item {}", item + 1),
            )
            .await
            .click()
            .await
            .unwrap();
        }
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/instruments/phq9'] button[type='submit']"),
        )
        .await;
        let outcome = text_of(&c, "#outcome").await;
        assert!(
            outcome.contains("Score: 12"),
            "the PHQ-9 page does not show the total 12: {outcome:?}"
        );
        assert!(
            outcome.contains("Severity: Moderate"),
            "the PHQ-9 page does not name the band Moderate: {outcome:?}"
        );
        assert!(
            outcome.contains("Safety alert: the client reported thoughts of self-harm (item 9)"),
            "item 9 above zero gives no safety alert: {outcome:?}"
        );
        let history = text_of(&c, "section[aria-labelledby='history-heading'] table").await;
        assert!(
            history.contains(TODAY) && history.contains("Moderate"),
            "the PHQ-9 history does not list today's score: {history:?}"
        );

        follow(&c, "Back to the case").await;
        let warning = text_of(&c, ".at-risk-banner[role='note']").await;
        assert!(
            warning.contains("At risk: a safety alert was recorded for this client."),
            "the case page does not warn that the case is at risk: {warning:?}"
        );
        let needed = text_of(&c, ".needed").await;
        assert!(
            needed.contains("Ready to move on."),
            "with a completed assessment, 'What's needed' says: {needed:?}"
        );
        move_forward(&c, case_id, "Goal setting").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Goal setting");
    }

    /// A goal saved without its target date shows what SMART misses and cannot be made active;
    /// with the date it is SMART, made active and agreed by the client. Then planning.
    pub async fn goal_setting(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        follow(&c, "Add a goal").await;
        fill(&c, "goal-statement", GOAL).await;
        fill(
            &c,
            "goal-measure",
            "Months with the rent paid in full by the 5th",
        )
        .await;
        fill(&c, "goal-baseline", "0 of the last 3 months").await;
        fill(&c, "goal-target", "3 months in a row").await;
        fill(&c, "goal-resources", "Tenants' union legal clinic").await;
        fill(&c, "goal-barriers", "No income until she finds work").await;
        click_label(&c, "Rent arrears of two months").await;
        fill(&c, "goal-gas_minus2", "Evicted").await;
        fill(&c, "goal-gas_minus1", "Still behind; eviction postponed").await;
        fill(&c, "goal-gas_zero", "Rent paid on time for 3 months").await;
        fill(&c, "goal-gas_plus1", "Rent on time and arrears halved").await;
        fill(&c, "goal-gas_plus2", "Rent on time and arrears cleared").await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/goals'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "Goal saved.").await;
        let url = c.current_url().await.unwrap();
        self.goal_id = url
            .path()
            .strip_prefix("/goals/")
            .and_then(|id| id.parse().ok());
        let goal_id = self.goal_id();

        let missing = text_of(&c, "#smart li.missing").await;
        assert!(
            missing.contains("Time-bound") && missing.contains("Time-bound: give a target date."),
            "the SMART check does not say the target date is missing: {missing:?}"
        );
        let smart = c.find_all(Locator::Css("#smart li.missing")).await.unwrap();
        assert_eq!(
            smart.len(),
            1,
            "only the target date is missing, yet the check shows {} lines missing: {}",
            smart.len(),
            text_of(&c, "#smart").await
        );

        submit(
            &c,
            &format!("form[action='/goals/{goal_id}/activate'] button[type='submit']"),
        )
        .await;
        let refusal = text_of(&c, "#smart .problem[role='alert']").await;
        assert!(
            refusal.contains("The goal is not SMART yet")
                && refusal.contains("Time-bound: give a target date."),
            "making a goal without a date active is not refused with the reason: {refusal:?}"
        );

        set_date(&c, "goal-target-date", GOAL_DATE).await;
        submit(
            &c,
            &format!("form[action='/goals/{goal_id}'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "Goal saved.").await;
        let smart = text_of(&c, "#smart").await;
        assert!(
            smart.contains("This goal is SMART: it can be made active."),
            "with its date the goal is still not SMART: {smart:?}"
        );
        submit(
            &c,
            &format!("form[action='/goals/{goal_id}/activate'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "Goal is now active.").await;

        set_date(&c, "goal-agreed-on", TODAY).await;
        fill(&c, "goal-client-words", "Sí, eso es lo que quiero.").await;
        submit(
            &c,
            &format!("form[action='/goals/{goal_id}/agreement'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "The client's agreement is recorded.").await;
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Active")
                && facts.contains(&format!("Agreed on {TODAY}"))
                && facts.contains("Sí, eso es lo que quiero."),
            "the goal does not show it is active and agreed in her words: {facts:?}"
        );

        follow(&c, "Back to the case").await;
        let goals = text_of(&c, "#goals table").await;
        assert!(
            goals.contains(GOAL) && goals.contains("Active") && goals.contains("Yes"),
            "the case's goals do not show the active, agreed goal: {goals:?}"
        );
        move_forward(&c, case_id, "Planning").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Planning");
    }

    /// The plan: an intervention and a task, the client's agreement, sent for approval; the move
    /// is refused until the team's supervisor approves; then the case moves to intervention.
    pub async fn planning_with_approval(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        follow(&c, "Open the plan").await;
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Required by the program") && facts.contains("Draft"),
            "the plan does not say it needs approval: {facts:?}"
        );
        let goals = text_of(&c, "#plan-goals").await;
        assert!(
            goals.contains(GOAL) && goals.contains("No intervention for this goal yet."),
            "the plan does not show the goal still without an intervention: {goals:?}"
        );

        choose(&c, "intervention-goal", GOAL).await;
        choose(&c, "intervention-kind", "Advocacy").await;
        fill(&c, "intervention-description", INTERVENTION).await;
        choose(&c, "intervention-responsible", "The worker").await;
        set_date(&c, "intervention-due-on", "2025-03-21").await;
        fill(&c, "intervention-resources", "Tenants' union legal clinic").await;
        submit(&c, "#add-intervention button[type='submit']").await;
        expect_notice(&c, "The plan was saved.").await;
        let goals = text_of(&c, "#plan-goals").await;
        assert!(
            goals.contains(&format!("Advocacy: {INTERVENTION}"))
                && !goals.contains("No intervention for this goal yet."),
            "the plan does not show the intervention under the goal: {goals:?}"
        );

        fill(&c, "task-description", TASK).await;
        choose(&c, "task-responsible", "The client").await;
        set_date(&c, "task-due-on", "2025-03-10").await;
        submit(&c, "#add-task button[type='submit']").await;
        expect_notice(&c, "The plan was saved.").await;
        let tasks = text_of(&c, "#plan-goals table").await;
        assert!(
            tasks.contains(TASK) && tasks.contains("The client") && tasks.contains("2025-03-10"),
            "the task is not listed with who and when: {tasks:?}"
        );

        fill(&c, "plan-client-words", "Estoy de acuerdo con el plan.").await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/plan/agreement'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "The client's agreement was recorded.").await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/plan/submission'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "The plan was handed in.").await;
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Waiting for a supervisor's approval"),
            "the handed-in plan does not say it waits for approval: {facts:?}"
        );
        let decision = text_of(&c, "#plan-decision").await;
        assert!(
            decision.contains("The plan is waiting for a supervisor of the case's team."),
            "the caseworker is not told who decides: {decision:?}"
        );

        follow(&c, "Back to the case").await;
        move_forward(&c, case_id, "Intervention").await;
        let refusal = text_of(&c, ".problem[role='alert']").await;
        assert!(
            refusal.contains("This case cannot move on yet")
                && refusal.contains("A supervisor must approve the plan."),
            "the move before approval is not refused for want of approval: {refusal:?}"
        );
        assert!(
            !refusal.contains("Record the client's agreement to the plan."),
            "the refusal asks for an agreement already recorded: {refusal:?}"
        );
        assert_eq!(current_stage(&c).await, "Planning");
        self.sign_out().await;

        // The supervisor finds the case among the team's, flagged at risk by the PHQ-9.
        self.sign_in(SUPERVISOR.email, SUPERVISOR.name).await;
        follow(&c, "Caseload").await;
        follow(&c, "My team").await;
        let line = row(&c, CLIENT).await;
        assert!(
            line.contains("Maya Okafor") && line.contains("Planning") && line.contains("At risk"),
            "the team caseload does not show the case's worker, stage and risk: {line:?}"
        );
        // The queue holds the plan to approve and the PHQ-9's safety alert.
        follow(&c, "Queue").await;
        let kinds = all_texts(&c, "article.queue-entry h2").await;
        for kind in ["Plan to approve", "Safety alert"] {
            assert!(
                kinds.contains(&format!("{kind}: {CLIENT}")),
                "the supervisor queue does not hold the {kind:?} of {CLIENT}: {kinds:?}"
            );
        }
        let alert = queue_entry(&c, "Safety alert").await;
        fill(
            &c,
            &format!(
                "ack-comment-{}",
                alert.trim_start_matches("queue-safety_alert-")
            ),
            "Talked with Maya; safety plan in place, weekly mood check.",
        )
        .await;
        submit(&c, &format!("article[aria-labelledby='{alert}'] button")).await;
        expect_notice(&c, "The safety alert is acknowledged.").await;
        let plan = queue_entry(&c, "Plan to approve").await;
        follow_xpath(
            &c,
            &format!("//article[@aria-labelledby='{plan}']//a[normalize-space()='Open where it is decided']"),
            "the plan's link in the queue",
        )
        .await;
        let goals = text_of(&c, "#plan-goals").await;
        assert!(
            goals.contains(INTERVENTION) && goals.contains(TASK),
            "the supervisor does not see what is to be approved: {goals:?}"
        );
        fill(
            &c,
            "plan-comment",
            "Good plan. Check in weekly about her mood.",
        )
        .await;
        submit(&c, "button[name='decision'][value='approve']").await;
        expect_notice(&c, "The decision was recorded.").await;
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Approved"),
            "the approved plan does not say so: {facts:?}"
        );
        self.sign_out().await;

        self.sign_in(CASEWORKER.email, CASEWORKER.name).await;
        self.open_case_from_caseload(false).await;
        move_forward(&c, case_id, "Intervention").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Intervention");
    }

    /// A SOAP note about the first contact and the goal, signed: the signed note offers no edit
    /// form, an edit posted anyway is refused with the reason, and an addendum shows beside it.
    pub async fn intervention_notes(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        follow(&c, "Write a note").await;
        choose(
            &c,
            "note-format-choice",
            "SOAP (subjective, objective, assessment, plan)",
        )
        .await;
        submit(
            &c,
            &format!("form[method='get'][action='/cases/{case_id}/notes/new'] button"),
        )
        .await;
        choose(&c, "note-contact", &format!("{TODAY} (Office)")).await;
        click_label(&c, GOAL).await;
        fill(&c, "note-subjective", NOTE_SUBJECTIVE).await;
        fill(
            &c,
            "note-objective",
            "Brought the landlord's letter; calm, tired.",
        )
        .await;
        fill(
            &c,
            "note-assessment",
            "Eviction less likely if a payment plan holds.",
        )
        .await;
        fill(&c, "note-plan", "Call the legal clinic on Wednesday.").await;
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/notes'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "Note saved as a draft.").await;
        let url = c.current_url().await.unwrap();
        self.note_id = url
            .path()
            .strip_prefix("/notes/")
            .and_then(|id| id.parse().ok());
        let note_id = self.note_id();
        let facts = text_of(&c, "main dl.facts").await;
        for shown in [
            "SOAP",
            &format!("{TODAY} (Office)"),
            GOAL,
            "Draft, not signed",
        ] {
            assert!(
                facts.contains(shown),
                "the draft note does not show {shown:?}: {facts:?}"
            );
        }

        submit(
            &c,
            &format!("form[action='/notes/{note_id}/sign'] button[type='submit']"),
        )
        .await;
        expect_notice(&c, "Note signed.").await;
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains(&format!("Signed on {TODAY}")),
            "the signed note does not say when it was signed: {facts:?}"
        );
        let edit_forms = c
            .find_all(Locator::Css(&format!(
                "form[action='/notes/{note_id}'], textarea[name='subjective']"
            )))
            .await
            .unwrap();
        assert!(
            edit_forms.is_empty(),
            "the signed note still offers an edit form"
        );
        wait_for(&c, Locator::Id("addendum-form"), "the addendum form").await;

        // An edit posted anyway (an old tab, a crafted form) is refused, and the page says why.
        let before = page_marker(&c).await;
        c.execute(
            "const form = document.createElement('form');
             form.method = 'post';
             form.action = '/notes/' + arguments[0];
             const fields = {
               csrf: document.querySelector(\"input[name='csrf']\").value,
               version: '1', format: 'soap', sensitivity: 'normal',
               subjective: 'Changed after signing', objective: 'x', assessment: 'x', plan: 'x',
             };
             for (const [name, value] of Object.entries(fields)) {
               const input = document.createElement('input');
               input.type = 'hidden'; input.name = name; input.value = value;
               form.appendChild(input);
             }
             document.body.appendChild(form);
             form.submit();",
            vec![json!(note_id)],
        )
        .await
        .expect("post an edit of the signed note");
        wait_for_new_page(&c, before).await;
        let refusal = text_of(&c, "main .problem[role='alert']").await;
        assert_eq!(
            refusal.trim(),
            "This note is signed and can no longer be changed. Add an addendum instead.",
            "the edit of a signed note is not refused with its reason"
        );
        let text = text_of(&c, "#note-text").await;
        assert!(
            text.contains(NOTE_SUBJECTIVE) && !text.contains("Changed after signing"),
            "the signed note's text changed: {text:?}"
        );

        let addendum = "Correction: the landlord agreed to wait three weeks, not two.";
        fill(&c, "addendum-body", addendum).await;
        submit(&c, "#addendum-form button[type='submit']").await;
        expect_notice(&c, "Addendum added.").await;
        let addenda = text_of(&c, "#addenda ol.addenda").await;
        assert!(
            addenda.contains(addendum) && addenda.contains(CASEWORKER.name),
            "the addendum is not shown with its author: {addenda:?}"
        );
        let text = text_of(&c, "#note-text").await;
        assert!(
            text.contains(NOTE_SUBJECTIVE),
            "the note's own text is not shown beside its addendum: {text:?}"
        );
        follow(&c, "Back to the case").await;
        let notes = text_of(&c, "#notes table").await;
        assert!(
            notes.contains("Signed") && notes.contains(CASEWORKER.name),
            "the case's notes do not list the signed note: {notes:?}"
        );
    }

    /// The plan as Lucía reads it: in Spanish, her goal in her words, who does what by when, and
    /// her agreement. Ends back on the case page.
    pub async fn printable_plan_in_the_clients_language(&mut self) {
        let c = self.c();
        follow(&c, "The plan as the client reads it (printable)").await;
        let lang = c
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap();
        assert_eq!(
            lang.as_deref(),
            Some("es"),
            "the printable plan is not in Spanish"
        );
        assert_eq!(text_of(&c, "main h1").await.trim(), "Mi plan");
        let plan = text_of(&c, "main").await;
        for shown in [
            format!("Plan de {CLIENT}"),
            format!("Objetivo 1: {GOAL}"),
            format!("Esperamos lograrlo para el {GOAL_DATE}"),
            format!("Qué va a pasar: {INTERVENTION}"),
            "Defensa de derechos. Quién lo hace: Su trabajador. Para el 2025-03-21.".to_string(),
            format!("{TASK} — Usted, para el 2025-03-10"),
            format!("Usted aceptó este plan el {TODAY}."),
            "Con sus palabras: Estoy de acuerdo con el plan.".to_string(),
        ] {
            assert!(
                plan.contains(&shown),
                "the printable plan does not say {shown:?}: {plan:?}"
            );
        }
        for english in ["My plan", "Goal 1", "Who does it", "Your worker"] {
            assert!(
                !plan.contains(english),
                "the printable plan has English words ({english:?}): {plan:?}"
            );
        }
        // Back where the next step starts: the case page.
        follow(&c, "Volver al plan").await;
        follow(&c, "Back to the case").await;
        assert_eq!(current_stage(&c).await, "Intervention");
    }
    /// The caseworker moves the case to evaluation and records one: the goal attained at +1,
    /// so the GAS T-score is 60 and the page says in words the goals were met better than
    /// expected. Lucía's feedback is recorded, the decision is to close, and the case moves on
    /// to termination.
    pub async fn evaluation(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        let goal_id = self.goal_id();
        move_forward(&c, case_id, "Evaluation").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Evaluation");

        follow(&c, "Evaluate the case").await;
        let legend = text_of(&c, "fieldset.evaluation-goal legend").await;
        assert_eq!(legend.trim(), format!("Goal: {GOAL}"));
        // The goal's own words for +1, written in goal setting, beside the level.
        let plus_one = text_of(&c, &format!("label[for='level-{goal_id}-1']")).await;
        assert_eq!(
            plus_one.trim(),
            "+1: more than expected: Rent on time and arrears halved"
        );
        check(&c, &format!("level-{goal_id}-1")).await;
        fill(
            &c,
            &format!("comment-{goal_id}"),
            "Rent paid on time since March; half of the arrears repaid.",
        )
        .await;
        fill(
            &c,
            "evaluation-summary",
            "The payment plan held and Lucía found part-time work. Mood better.",
        )
        .await;
        check(&c, "decision-close").await;
        submit(&c, "button[name='action'][value='record']").await;
        let url = c.current_url().await.unwrap();
        assert!(
            url.path().starts_with("/evaluations/"),
            "recording the evaluation did not lead to it; {}",
            page_text(&c).await
        );

        // Kiresuk–Sherman for one goal of weight 1 at x = +1, ρ = 0.3 (DESIGN.md):
        // T = 50 + 10·x / √((1-ρ)·1 + ρ·1²) = 60.
        let (x, rho) = (1.0_f64, 0.3_f64);
        let expected = 50.0 + 10.0 * x / ((1.0 - rho) + rho).sqrt();
        let t_score = text_of(&c, "#t-score").await;
        assert_eq!(
            t_score.trim(),
            format!(
                "{expected:.1} — goals met better than expected \
                 (above 50; 50 = goals met as expected)."
            ),
            "the T-score is not shown with its meaning"
        );
        let facts = text_of(&c, "main dl.facts").await;
        assert!(
            facts.contains("Recorded") && facts.contains("Close the case"),
            "the evaluation does not say it is recorded and decided to close: {facts:?}"
        );
        let goals = text_of(&c, "main table.records").await;
        assert!(
            goals.contains(GOAL)
                && goals.contains("+1: more than expected: Rent on time and arrears halved"),
            "the evaluation does not show the goal's level: {goals:?}"
        );

        // Lucía's feedback, recorded on her behalf on the day.
        wait_for(&c, Locator::Id("helpfulness-5"), "the feedback form")
            .await
            .click()
            .await
            .unwrap();
        check(&c, "respect-5").await;
        check(&c, "understanding-4").await;
        fill(&c, "feedback-comment", "Me ayudaron a quedarme en mi casa.").await;
        submit(&c, "form[action$='/feedback'] button[type='submit']").await;
        let feedback = text_of(&c, "#feedback dl.facts").await;
        for shown in [
            "How helpful was the work with us?\n5: completely",
            "Did you feel understood?\n4: mostly",
            "Me ayudaron a quedarme en mi casa.",
            TODAY,
        ] {
            assert!(
                feedback.contains(shown),
                "the client's feedback does not show {shown:?}: {feedback:?}"
            );
        }

        follow(&c, "Back to the case").await;
        move_forward(&c, case_id, "Termination").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Termination");
    }

    /// The caseworker writes the termination record and hands it in; the program wants a
    /// supervisor to approve closures, so the move on is refused until the supervisor approves.
    /// Then the case moves to follow-up, which schedules the program's three check-ins.
    pub async fn termination_with_approval(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        follow(&c, "Termination record").await;
        let approval = text_of(&c, "main dl.facts").await;
        assert!(
            approval.contains("Required by the program"),
            "the termination page does not say closure needs approval: {approval:?}"
        );
        check(&c, "termination-reason-goals_achieved").await;
        fill(
            &c,
            "termination-closing-summary",
            "Rent is paid on time and the eviction was withdrawn.",
        )
        .await;
        fill(
            &c,
            "termination-growth",
            "Negotiated with her landlord herself the second time.",
        )
        .await;
        fill(
            &c,
            "termination-aftercare",
            "Tenants' union drop-in on Thursdays; call us if a notice comes.",
        )
        .await;
        submit(&c, "#termination-form form.stacked button[type='submit']").await;
        expect_notice(&c, "The termination record was saved.").await;
        let record = text_of(&c, "#termination-record dl.facts").await;
        assert!(
            record.contains("Draft")
                && record.contains("Goals achieved")
                && record.contains("the eviction was withdrawn"),
            "the saved draft does not show its status, reason and summary: {record:?}"
        );
        submit(
            &c,
            &format!("form[action='/cases/{case_id}/termination/submission'] button"),
        )
        .await;
        expect_notice(&c, "The termination record was handed in.").await;
        let record = text_of(&c, "#termination-record dl.facts").await;
        assert!(
            record.contains("Waiting for a supervisor's approval"),
            "the handed-in record does not wait for approval: {record:?}"
        );
        let decision = text_of(&c, "#termination-decision").await;
        assert!(
            decision.contains("Waiting for a supervisor of the case's team to decide."),
            "the caseworker is not told who decides: {decision:?}"
        );
        assert!(
            c.find_all(Locator::Id("termination-closing-summary"))
                .await
                .unwrap()
                .is_empty(),
            "the handed-in record can still be edited"
        );

        follow(&c, "Back to the case").await;
        move_forward(&c, case_id, "Follow-up").await;
        let refusal = text_of(&c, ".problem[role='alert']").await;
        assert!(
            refusal.contains("This case cannot move on yet")
                && refusal.contains("A supervisor must approve the closure."),
            "the move before the closure's approval is not refused for it: {refusal:?}"
        );
        assert!(
            !refusal.contains("Write the closing summary."),
            "the refusal asks for a closing summary already handed in: {refusal:?}"
        );
        assert_eq!(current_stage(&c).await, "Termination");
        self.sign_out().await;

        self.sign_in(SUPERVISOR.email, SUPERVISOR.name).await;
        follow(&c, "Queue").await;
        let closure = queue_entry(&c, "Closure to approve").await;
        follow_xpath(
            &c,
            &format!("//article[@aria-labelledby='{closure}']//a[normalize-space()='Open where it is decided']"),
            "the closure's link in the queue",
        )
        .await;
        assert_eq!(
            c.current_url().await.unwrap().path(),
            format!("/cases/{case_id}/termination")
        );
        let record = text_of(&c, "#termination-record").await;
        assert!(
            record.contains("Rent is paid on time") && record.contains("Tenants' union drop-in"),
            "the supervisor does not see the record to approve: {record:?}"
        );
        fill(&c, "termination-comment", "Agreed. Good aftercare plan.").await;
        submit(&c, "button[name='decision'][value='approve']").await;
        expect_notice(&c, "The decision was recorded.").await;
        let record = text_of(&c, "#termination-record dl.facts").await;
        assert!(
            record.contains("Approved"),
            "the approved record does not say so: {record:?}"
        );
        self.sign_out().await;

        self.sign_in(CASEWORKER.email, CASEWORKER.name).await;
        self.open_case_from_caseload(false).await;
        move_forward(&c, case_id, "Follow-up").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Follow-up");

        // Closed today, so the check-ins are due 30, 90 and 180 days from today.
        follow(&c, "Follow-up check-ins").await;
        let headings = all_texts(&c, "#follow-ups article.follow-up h3").await;
        let expected: Vec<String> = FOLLOW_UPS
            .iter()
            .map(|(due, _)| format!("Due {due} · Open"))
            .collect();
        assert_eq!(
            headings, expected,
            "the check-ins are not the program's schedule"
        );
        for (due, days) in FOLLOW_UPS {
            let facts = text_of(&c, &follow_up_css(&c, due).await).await;
            assert!(
                facts.contains(&format!("Days after closure\n{days}")),
                "the check-in due {due} does not say it is {days} days after closure: {facts:?}"
            );
        }
        follow(&c, "Back to the case").await;
        let closure = text_of(&c, "#closure table").await;
        assert!(
            FOLLOW_UPS.iter().all(|(due, _)| closure.contains(due)),
            "the case page does not list the check-ins: {closure:?}"
        );
    }

    /// Each check-in on its day: the clock moves past the due date (the session ends; the
    /// caseworker signs in again), she records the contact, and the page shows it done. With one
    /// check-in open the case may not close; after the last it closes.
    pub async fn follow_ups(&mut self) {
        let c = self.c();
        let case_id = self.case_id();
        let mut elapsed_days = 0;
        for (n, &(due, days)) in FOLLOW_UPS.iter().enumerate() {
            // The day after the check-in was due.
            self.server
                .clock
                .advance_ms((days + 1 - elapsed_days) * DAY_MS);
            elapsed_days = days + 1;
            c.goto(&self.server.url(&format!("/cases/{case_id}/follow-ups")))
                .await
                .unwrap();
            wait_for(
                &c,
                Locator::Id("email"),
                "the sign-in form after weeks away",
            )
            .await;
            self.sign_in(CASEWORKER.email, CASEWORKER.name).await;
            self.open_case_from_caseload(false).await;
            follow(&c, "Follow-up check-ins").await;

            let id = follow_up_id(&c, due).await;
            let contacted = wait_for(
                &c,
                Locator::Id(&format!("follow-up-{id}-date")),
                "the check-in's contact date",
            )
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
            let day_after = CHECKED_IN[n];
            assert_eq!(
                contacted, day_after,
                "the contact date does not default to today"
            );
            choose(&c, &format!("follow-up-{id}-mode"), "Phone").await;
            let (held, held_label) = if n == 1 {
                ("partly", "Partly")
            } else {
                ("held", "Yes, it held")
            };
            check(&c, &format!("follow-up-{id}-held-{held}")).await;
            if n == 1 {
                fill(
                    &c,
                    &format!("follow-up-{id}-needs"),
                    "Her hours were cut; worried about the winter heating bill.",
                )
                .await;
                fill(
                    &c,
                    &format!("follow-up-{id}-referrals"),
                    "Energy assistance programme",
                )
                .await;
            }
            let comment = format!("Check-in {} of 3 by phone.", n + 1);
            fill(&c, &format!("follow-up-{id}-comment"), &comment).await;
            submit(
                &c,
                &format!("form[action='/cases/{case_id}/follow-ups/{id}/done'] button"),
            )
            .await;
            expect_notice(&c, "The check-in was recorded.").await;
            let heading = text_of(&c, &format!("#follow-up-{id}")).await;
            assert_eq!(heading.trim(), format!("Due {due} · Done"));
            let facts = text_of(&c, &follow_up_css(&c, due).await).await;
            for shown in [
                format!("Date of the contact\n{day_after}"),
                "How the contact was made\nPhone".to_string(),
                format!("Did the change hold?\n{held_label}"),
                format!("Comment\n{comment}"),
            ] {
                assert!(
                    facts.contains(&shown),
                    "the recorded check-in does not show {shown:?}: {facts:?}"
                );
            }
            if n == 1 {
                assert!(
                    facts.contains("Energy assistance programme"),
                    "the check-in does not show the referral: {facts:?}"
                );
            }
            let open_forms = c
                .find_all(Locator::Css("form[action$='/done']"))
                .await
                .unwrap()
                .len();
            assert_eq!(
                open_forms,
                FOLLOW_UPS.len() - n - 1,
                "the open check-ins are not the ones left"
            );

            follow(&c, "Back to the case").await;
            if n + 1 < FOLLOW_UPS.len() {
                // One check-in (at least) still open: the case may not close yet.
                move_forward(&c, case_id, "Closed").await;
                let refusal = text_of(&c, ".problem[role='alert']").await;
                assert!(
                    refusal.contains("This case cannot move on yet")
                        && refusal.contains("Finish the scheduled follow-ups, or reopen the case."),
                    "closing with check-ins open is not refused for them: {refusal:?}"
                );
                assert_eq!(current_stage(&c).await, "Follow-up");
                self.sign_out().await;
            }
        }
        let needed = text_of(&c, ".needed").await;
        assert!(
            needed.contains("Ready to move on."),
            "with every check-in done, 'What's needed' says: {needed:?}"
        );
        move_forward(&c, case_id, "Closed").await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Closed");
        let needed = text_of(&c, ".needed").await;
        assert!(
            needed.contains("The case is closed. It can be reopened."),
            "the closed case says: {needed:?}"
        );
    }

    /// A new eviction notice: the caseworker reopens the closed case at assessment, giving the
    /// reason. The case is in assessment again, and everything before stays readable: the stage
    /// history, the approved termination record and the three check-ins, with the reopening.
    pub async fn reopen(&mut self) {
        let c = self.c();
        let reason = "A new eviction notice arrived; the landlord sold the flat.";
        choose(&c, "reopen-to", "Assessment").await;
        fill(&c, "reopen-reason", reason).await;
        submit(
            &c,
            "form[aria-labelledby='reopen-heading'] button[type='submit']",
        )
        .await;
        expect_notice(&c, "The case moved to its new stage.").await;
        assert_eq!(current_stage(&c).await, "Assessment");

        let history = text_of(&c, "#stages table").await;
        for shown in [
            "Engagement → Assessment",
            "Intervention → Evaluation",
            "Evaluation → Termination",
            "Termination → Follow-up",
            "Follow-up → Closed",
            "Closed → Assessment",
        ] {
            assert!(
                history.contains(shown),
                "the stage history lost {shown:?}: {history:?}"
            );
        }
        let notes = text_of(&c, "#notes table").await;
        assert!(
            notes.contains("Signed"),
            "the signed note is gone from the case: {notes:?}"
        );

        follow(&c, "Follow-up check-ins").await;
        let headings = all_texts(&c, "#follow-ups article.follow-up h3").await;
        let done: Vec<String> = FOLLOW_UPS
            .iter()
            .map(|(due, _)| format!("Due {due} · Done"))
            .collect();
        assert_eq!(headings, done, "the done check-ins changed on reopening");
        let reopenings = text_of(&c, "#reopenings table").await;
        assert!(
            reopenings.contains("Closed → Assessment") && reopenings.contains(reason),
            "the reopening is not listed with its reason: {reopenings:?}"
        );

        follow(&c, "Termination record").await;
        let termination = text_of(&c, "main").await;
        for shown in [
            "Approved",
            "Goals achieved",
            "Rent is paid on time and the eviction was withdrawn.",
            "Tenants' union drop-in on Thursdays",
        ] {
            assert!(
                termination.contains(shown),
                "the termination record lost {shown:?} on reopening: {termination:?}"
            );
        }
        follow(&c, "Back to the case").await;
        assert_eq!(current_stage(&c).await, "Assessment");
    }
}

/// The program's check-ins after closure on `TODAY`: (due date, days after closure), counted
/// by hand on a calendar; each is recorded the day after it is due.
const FOLLOW_UPS: [(&str, i64); 3] = [("2025-04-02", 30), ("2025-06-01", 90), ("2025-08-30", 180)];
/// The days after each due date, when the caseworker calls.
const CHECKED_IN: [&str; 3] = ["2025-04-03", "2025-06-02", "2025-08-31"];
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The id of the check-in due on `due`, from its heading on the follow-up page.
async fn follow_up_id(c: &Client, due: &str) -> String {
    let xpath = format!(
        "//article[contains(@class, 'follow-up')][h3[starts-with(normalize-space(), {})]]",
        xpath_literal(&format!("Due {due}"))
    );
    let article = wait_for(
        c,
        Locator::XPath(&xpath),
        &format!("the check-in due {due}"),
    )
    .await;
    let heading = article
        .attr("aria-labelledby")
        .await
        .unwrap()
        .unwrap_or_default();
    heading
        .strip_prefix("follow-up-")
        .unwrap_or_else(|| panic!("the check-in due {due} is labelled {heading:?}"))
        .to_string()
}

/// The heading id of the supervisor queue's entry of `kind` for the client.
async fn queue_entry(c: &Client, kind: &str) -> String {
    let xpath = format!(
        "//article[contains(@class, 'queue-entry')][h2[normalize-space()={}]]",
        xpath_literal(&format!("{kind}: {CLIENT}"))
    );
    wait_for(c, Locator::XPath(&xpath), &format!("the queue's {kind:?}"))
        .await
        .attr("aria-labelledby")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The facts of the check-in due on `due`.
async fn follow_up_css(c: &Client, due: &str) -> String {
    let id = follow_up_id(c, due).await;
    format!("article[aria-labelledby='follow-up-{id}'] dl.facts")
}

/// The visible texts of every element matching `css`, trimmed, in page order.
async fn all_texts(c: &Client, css: &str) -> Vec<String> {
    wait_for(c, Locator::Css(css), css).await;
    let mut texts = Vec::new();
    for element in c.find_all(Locator::Css(css)).await.unwrap() {
        texts.push(element.text().await.unwrap().trim().to_string());
    }
    texts
}

/// Click the link `xpath` finds and wait for the page it leads to.
async fn follow_xpath(c: &Client, xpath: &str, what: &str) {
    let link = wait_for(c, Locator::XPath(xpath), what).await;
    let before = page_marker(c).await;
    link.click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
    wait_for_new_page(c, before).await;
}

// ----- What a person does on a page ---------------------------------------------------------

/// Type `text` into the field `id`, replacing what it held.
async fn fill(c: &Client, id: &str, text: &str) {
    let field = wait_for(c, Locator::Id(id), &format!("the field #{id}")).await;
    field.clear().await.unwrap();
    field
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
}

/// Pick the option shown as `label` in the select `id`.
async fn choose(c: &Client, id: &str, label: &str) {
    let select = wait_for(c, Locator::Id(id), &format!("the choice #{id}")).await;
    if let Err(e) = select.select_by_label(label).await {
        let options = select.text().await.unwrap_or_default();
        panic!("#{id} offers no {label:?} ({e}); it offers: {options:?}");
    }
}

/// Tick the checkbox `id` (left ticked if it already is).
async fn check(c: &Client, id: &str) {
    let box_ = wait_for(c, Locator::Id(id), &format!("the checkbox #{id}")).await;
    if !box_.is_selected().await.unwrap() {
        box_.click().await.unwrap();
    }
}

/// Click the label reading `text` (ticks its checkbox, as a person clicking the words does).
async fn click_label(c: &Client, text: &str) {
    let xpath = format!("//label[normalize-space()={}]", xpath_literal(text));
    let label = wait_for(c, Locator::XPath(&xpath), &format!("the label {text:?}")).await;
    label.click().await.unwrap();
    let for_id = label.attr("for").await.unwrap().unwrap_or_default();
    let ticked = c
        .find(Locator::Id(&for_id))
        .await
        .unwrap_or_else(|e| panic!("the label {text:?} names no field ({e})"))
        .is_selected()
        .await
        .unwrap();
    assert!(ticked, "clicking {text:?} did not tick its box");
}

/// Click the link reading `text` and wait for the page it leads to.
async fn follow(c: &Client, text: &str) {
    let link = wait_for(c, Locator::LinkText(text), &format!("the link {text:?}")).await;
    let before = page_marker(c).await;
    link.click()
        .await
        .unwrap_or_else(|e| panic!("click {text:?}: {e}"));
    wait_for_new_page(c, before).await;
}

/// The text of the table row whose heading or first cell reads (or starts with) `first`.
async fn row(c: &Client, first: &str) -> String {
    let first = xpath_literal(first);
    let xpath = format!("//table//tr[*[1][starts-with(normalize-space(), {first})]]");
    text_of_xpath(c, &xpath, &format!("the row of {first}")).await
}

/// The text of column `n` (1-based) in the table row that starts with `first`.
async fn cell(c: &Client, first: &str, n: usize) -> String {
    let first = xpath_literal(first);
    let xpath = format!("//table//tr[*[1][starts-with(normalize-space(), {first})]]/*[{n}]");
    text_of_xpath(c, &xpath, &format!("column {n} of the row of {first}"))
        .await
        .trim()
        .to_string()
}

async fn text_of_xpath(c: &Client, xpath: &str, what: &str) -> String {
    wait_for(c, Locator::XPath(xpath), what)
        .await
        .text()
        .await
        .unwrap()
}

/// `text` as an XPath string literal (names here hold no double quotes).
fn xpath_literal(text: &str) -> String {
    assert!(!text.contains('"'), "{text:?} cannot be an XPath literal");
    format!("\"{text}\"")
}
