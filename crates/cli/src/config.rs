//! Settings every subcommand shares: where the database is and how to log.

use crate::failure::Failure;
use casework_service::{backend_of, sqlite_url_in};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Database URL: `sqlite:PATH` or `postgres://USER@HOST/DB`. Default: an SQLite file under
    /// --data-dir.
    // The URL may carry a password: keep its value out of --help.
    #[arg(
        long,
        env = "CASEWORK_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// PostgreSQL only: a separate URL whose user serves requests (not a superuser, no
    /// BYPASSRLS, owning nothing). --database-url's user then only owns the schema and runs
    /// migrations. Without it, requests run as the role `casework_app` (see README).
    #[arg(
        long,
        env = "CASEWORK_SERVING_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub serving_database_url: Option<String>,

    /// Directory for the default SQLite database (ignored when --database-url is set).
    #[arg(
        long,
        env = "CASEWORK_DATA_DIR",
        global = true,
        default_value = "./casework-data"
    )]
    pub data_dir: PathBuf,

    /// File of master keys for encrypting sensitive fields, one `<version>:<base64>` per line.
    /// Default: `master.key` in --data-dir, generated if missing. Or set CASEWORK_MASTER_KEYS.
    #[arg(long, env = "CASEWORK_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,

    /// Log line format on stderr.
    #[arg(
        long,
        env = "CASEWORK_LOG_FORMAT",
        global = true,
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,

    /// Log filter in RUST_LOG syntax, e.g. `info` or `info,casework_web=debug`.
    #[arg(long, env = "CASEWORK_LOG", global = true, default_value = "info")]
    pub log_level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl GlobalArgs {
    /// The database to use, refusing a URL for a database we do not support before connecting.
    pub fn database_url(&self) -> Result<String, Failure> {
        match &self.database_url {
            Some(url) => {
                backend_of(url)?;
                Ok(url.clone())
            }
            None => Ok(sqlite_url_in(&self.data_dir)?),
        }
    }

    pub fn serving_database_url(&self) -> Option<&str> {
        self.serving_database_url
            .as_deref()
            .filter(|u| !u.is_empty())
    }
}

/// Logs go to stderr so stdout carries only what a command is asked to print (a token, a URL).
/// Nothing logs client data: callers log ids and codes only.
pub fn init_logging(global: &GlobalArgs) -> Result<(), Failure> {
    let filter = tracing_subscriber::EnvFilter::try_new(&global.log_level).map_err(|e| {
        Failure::usage(format!(
            "--log-level / CASEWORK_LOG {:?} is not a valid filter: {e}",
            global.log_level
        ))
    })?;
    // Colour only for a person at a terminal; log collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let result = match global.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| Failure::failed(format!("could not start logging: {e}")))
}

/// Open the service on the configured database (applying pending migrations) with the real clock.
pub async fn open(
    global: &GlobalArgs,
    mut settings: casework_service::Settings,
) -> Result<casework_service::Casework, Failure> {
    let url = global.database_url()?;
    settings.keyring = crate::keyring::load(global)?;
    tracing::info!(versions = ?settings.keyring, "master keys loaded");
    let clock = std::sync::Arc::new(casework_service::SystemClock);
    Ok(casework_service::Casework::open_serving(
        &url,
        global.serving_database_url(),
        clock,
        settings,
    )
    .await?)
}

/// Run `work` against the opened service, then flush the audit log and close the pool whatever
/// the outcome, so no audit entry is lost on the way out.
pub async fn with_service<T>(
    global: &GlobalArgs,
    work: impl AsyncFnOnce(&casework_service::Casework) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let app = open(global, casework_service::Settings::default()).await?;
    let result = work(&app).await;
    app.shutdown().await;
    result
}
