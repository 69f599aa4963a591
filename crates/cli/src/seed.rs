//! `casework seed`: fill a database with a large synthetic agency, for demos at scale and for
//! `casework bench`. The data is fictional and deterministic (same `--seed`, same data).

use crate::config::{with_service, GlobalArgs};
use crate::failure::Failure;
use casework_service::seed::{SeedPlan, SeedReport};
use casework_service::{Casework, ServiceError};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many clients to generate (cases are 1.5 and contacts 10 per client).
    #[arg(long, env = "CASEWORK_SEED_CLIENTS",
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub clients: u64,

    /// Name of the agency to create; it must not have users yet.
    #[arg(long, env = "CASEWORK_SEED_AGENCY", default_value = "Seeded Agency")]
    pub agency: String,

    /// Random seed: the same seed gives the same people, cases and contacts.
    #[arg(long, env = "CASEWORK_SEED", default_value_t = 42)]
    pub seed: u64,

    /// Clients written per transaction.
    #[arg(long, env = "CASEWORK_SEED_BATCH", default_value_t = 5_000,
          value_parser = clap::value_parser!(u64).range(100..=50_000))]
    pub batch: u64,
}

impl Args {
    pub fn plan(&self) -> SeedPlan {
        SeedPlan {
            agency: self.agency.clone(),
            seed: self.seed,
            batch_clients: self.batch,
            ..SeedPlan::new(self.clients)
        }
    }
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<(), Failure> {
    with_service(global, async |app| {
        let (report, took) = seed_with_progress(app, args.plan()).await?;
        print!("{}", summary(&report, took));
        Ok(())
    })
    .await
}

/// Seed with a progress bar on stderr (stdout keeps only the summary).
pub async fn seed_with_progress(
    app: &Casework,
    plan: SeedPlan,
) -> Result<(SeedReport, Duration), Failure> {
    let bar = ProgressBar::new(plan.clients);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} seeding [{elapsed_precise}] {wide_bar} {pos}/{len} clients ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let agency = plan.agency.clone();
    let started = Instant::now();
    let result = app.seed(plan, |done| bar.set_position(done)).await;
    bar.finish_and_clear();
    match result {
        Ok(report) => Ok((report, started.elapsed())),
        Err(ServiceError::Duplicate(_)) => Err(Failure::usage(format!(
            "agency {agency:?} already has users; seed into a new agency (--agency NAME) or a fresh database"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// What was written, and how to sign in: each role's accounts, and the one shared password.
pub fn summary(r: &SeedReport, took: Duration) -> String {
    let secs = took.as_secs_f64().max(0.001);
    let mut out = format!(
        "Seeded agency {:?} (id {}) in {:.1} s ({:.0} clients/s):\n",
        r.agency,
        r.agency_id,
        secs,
        r.clients as f64 / secs
    );
    out.push_str(&format!(
        "  {} teams, {} users, {} clients, {} cases, {} stage moves, {} consents, {} contacts, {} name trigrams, {} audit entries\n",
        r.teams,
        r.users.len(),
        r.clients,
        r.cases,
        r.stage_moves,
        r.consents,
        r.contacts,
        r.name_grams,
        r.audit_entries
    ));
    out.push_str("Sign in as any seeded user, for example:\n");
    for role in casework_service::domain::Role::ALL {
        let of_role: Vec<_> = r.users.iter().filter(|u| u.role == role).collect();
        if let Some(first) = of_role.first() {
            let more = match of_role.len() {
                1 => String::new(),
                n => format!(" (and {} more {role}s)", n - 1),
            };
            out.push_str(&format!("  {:<14} {}{more}\n", role.as_str(), first.email));
        }
    }
    out.push_str(&format!(
        "Every seeded user's password is: {}\n(the data is synthetic; never seed a database that holds real clients)\n",
        r.password
    ));
    out
}
