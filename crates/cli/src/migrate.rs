//! `casework migrate`: apply the embedded migrations, or report which are applied and pending.

use crate::config::GlobalArgs;
use crate::failure::Failure;
use casework_service::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only show applied and pending migrations; change nothing.
    #[arg(long)]
    status: bool,
}

fn versions(v: &[i64]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    }
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<(), Failure> {
    let url = global.database_url()?;
    // Straight to the store: opening the service would apply migrations, which --status must not.
    let store = Store::connect_serving(&url, global.serving_database_url(), 2).await?;
    let result = if args.status {
        store.migration_status().await.map(|s| {
            println!("applied: {}", versions(&s.applied));
            println!("pending: {}", versions(&s.pending));
        })
    } else {
        store.migrate().await.map(|ran| {
            if ran.is_empty() {
                println!("schema is current; no migration applied");
            }
            for v in ran {
                println!("applied migration {v}");
            }
        })
    };
    store.close().await;
    Ok(result?)
}
