//! `casework keys`: rotate the encryption keys and see how far a rotation got.

use crate::config::{with_service, GlobalArgs};
use crate::failure::Failure;
use casework_service::keys::RotateOptions;
use std::collections::BTreeMap;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Re-seal under the newest master key: rewrap every client data key, re-seal TOTP and
    /// OpenID Connect client secrets and identifier indexes, and seal values left in plaintext by
    /// older versions. Safe while the server runs; run it again to finish an interrupted
    /// rotation. `casework serve` does this by itself in the background once it has loaded a
    /// newer key (see --key-rotation); this runs it now, directly.
    Rotate {
        /// Also give every client a fresh data key and re-encrypt every field with it.
        #[arg(long)]
        data_keys: bool,
        /// Rows per transaction.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        batch: i64,
    },
    /// How many keys and encrypted values each key version covers.
    Status,
    /// Print a new random master key as the next key-file line (`<version>:<base64>`), to append
    /// to the key file; a running server picks it up (SIGHUP, or within
    /// --key-reload-interval-secs) and rotates to it.
    Generate,
}

pub async fn run(global: &GlobalArgs, cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Rotate { data_keys, batch } => {
            with_service(global, async |app| {
                let (newest, _) = app.keyring().newest();
                eprintln!("rotating to master key version {newest} ...");
                let r = app.rotate_keys(RotateOptions { data_keys, batch }).await?;
                println!("client data keys rewrapped: {}", r.keys_rewrapped);
                if data_keys {
                    println!("client data keys issued: {}", r.keys_issued);
                    println!("old client data keys retired: {}", r.keys_retired);
                }
                println!("values re-encrypted: {}", r.values_resealed);
                println!("legacy plaintext values encrypted: {}", r.legacy_sealed);
                println!("identifier indexes rewritten: {}", r.indexes_rewritten);
                Ok(())
            })
            .await
        }
        Command::Status => {
            with_service(global, async |app| {
                let versions: Vec<String> =
                    app.keyring().versions().map(|v| v.to_string()).collect();
                let s = app.key_status().await?;
                println!(
                    "master key versions in the keyring: {} (newest {})",
                    versions.join(", "),
                    app.keyring().newest().0
                );
                print_counts(
                    "client data keys wrapped by master version",
                    &s.data_keys_by_master,
                );
                println!(
                    "client data keys destroyed (erased clients): {}",
                    s.data_keys_destroyed
                );
                print_counts(
                    "values encrypted under client data key version",
                    &s.values_by_data_key,
                );
                print_counts("values encrypted under master version", &s.values_by_master);
                print_counts(
                    "identifier indexes under master version",
                    &s.indexes_by_master,
                );
                println!(
                    "legacy plaintext values waiting for `keys rotate`: {}",
                    s.legacy
                );
                if s.unrecognised > 0 {
                    println!("values in no known form: {}", s.unrecognised);
                }
                Ok(())
            })
            .await
        }
        Command::Generate => {
            let next = crate::keyring::load(global)?.newest().0 + 1;
            let key = casework_service::keys::new_key();
            println!("{next}:{}", key.to_base64());
            Ok(())
        }
    }
}

fn print_counts(what: &str, counts: &BTreeMap<u32, u64>) {
    if counts.is_empty() {
        println!("{what}: none");
    }
    for (v, n) in counts {
        println!("{what} {v}: {n}");
    }
}
