//! The `casework` binary: one subcommand per module. Adding a subcommand is one variant in
//! `Command` plus one module with an `Args` type and a `run` function.

mod audit;
mod bench;
mod config;
mod demo;
mod demo_clients;
mod failure;
mod key_reload;
mod key_rotation;
mod keyring;
mod keys;
mod migrate;
mod retention;
mod seed;
mod serve;
mod statistics;
mod token;
mod user;

// glibc malloc and free took about an eighth of the CPU under the benchmark's load. With the
// workspace's `override` feature mimalloc also serves C code, SQLite above all, whose row values
// are allocated on a connection's thread and freed on a request thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use config::GlobalArgs;
use failure::Failure;
use std::process::ExitCode;

/// Casework: case management for social workers.
#[derive(Debug, Parser)]
#[command(name = "casework", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first).
    Serve(serve::Args),
    /// Apply pending database migrations, or show their status.
    Migrate(migrate::Args),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::Command),
    /// Manage API tokens for programs.
    #[command(subcommand)]
    Token(token::Command),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Apply the agencies' retention periods: erase clients closed longer ago.
    #[command(subcommand)]
    Retention(retention::Command),
    /// Fill the database with a large synthetic agency (fictional, deterministic).
    Seed(seed::Args),
    /// Seed a fresh database, serve it in-process and measure it under load.
    Bench(bench::Args),
    /// Encryption keys: rotate them, see their status.
    #[command(subcommand)]
    Keys(keys::Command),
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let global = cli.global;
    match cli.command {
        Command::Serve(args) => serve::run(&global, args).await,
        Command::Migrate(args) => migrate::run(&global, args).await,
        Command::User(cmd) => user::run(&global, cmd).await,
        Command::Token(cmd) => token::run(&global, cmd).await,
        Command::Audit(cmd) => audit::run(&global, cmd).await,
        Command::Retention(cmd) => retention::run(&global, cmd).await,
        Command::Seed(args) => seed::run(&global, args).await,
        Command::Bench(args) => bench::run(&global, args).await,
        Command::Keys(cmd) => keys::run(&global, cmd).await,
    }
}

fn main() -> ExitCode {
    // Clap exits with code 2 on a usage error, which matches our own "bad input" code.
    let cli = Cli::parse();
    if let Err(f) = config::init_logging(&cli.global) {
        return f.report();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return Failure::failed(format!("could not start the runtime: {e}")).report(),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
