//! `casework serve`: migrate, optionally seed the demo, then serve HTTP until SIGTERM or Ctrl-C.

use crate::config::{open, GlobalArgs};
use crate::demo;
use crate::failure::Failure;
use casework_service::Settings;
use casework_web::{TrustedProxies, WebConfig};
use clap::ArgAction;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "CASEWORK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,

    /// Mark cookies `Secure` and send HSTS. Set when a TLS proxy sits in front.
    #[arg(long, env = "CASEWORK_SECURE_COOKIES")]
    secure_cookies: bool,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "CASEWORK_MAX_BODY_BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..))]
    max_body_bytes: u64,

    /// A request still running after this many seconds is answered 503.
    #[arg(long, env = "CASEWORK_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout_secs: u64,

    /// A session ends after this many minutes without a request.
    #[arg(long, env = "CASEWORK_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    session_idle_minutes: u64,

    /// A session ends this many hours after sign-in, however active.
    #[arg(long, env = "CASEWORK_SESSION_ABSOLUTE_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u64).range(1..))]
    session_absolute_hours: u64,

    /// Failed sign-ins on one account before it is locked for --lockout-minutes.
    #[arg(long, env = "CASEWORK_ACCOUNT_FAILURE_LIMIT", default_value_t = 5,
          value_parser = clap::value_parser!(i64).range(1..))]
    account_failure_limit: i64,

    /// Failed sign-ins from one network address before it is locked for --lockout-minutes.
    #[arg(long, env = "CASEWORK_ADDRESS_FAILURE_LIMIT", default_value_t = 50,
          value_parser = clap::value_parser!(i64).range(1..))]
    address_failure_limit: i64,

    /// How long an account or address stays locked after too many failed sign-ins.
    #[arg(long, env = "CASEWORK_LOCKOUT_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..))]
    lockout_minutes: u64,

    /// Write audit entries for reads. Switch off only to measure what auditing costs.
    #[arg(long, env = "CASEWORK_AUDIT_READS", default_value_t = true, action = ArgAction::Set)]
    audit_reads: bool,

    /// SQLite: how long, in milliseconds, an audit entry that is not part of a change (a read, a
    /// denial, a sign-in) may stay in the staging file before it is moved into the hash chain.
    #[arg(long, env = "CASEWORK_AUDIT_CHAIN_INTERVAL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    audit_chain_interval_ms: u64,

    /// How many of a caseworker's reachable clients a name search scores one by one; one who
    /// reaches more is searched through the name index instead.
    #[arg(long, env = "CASEWORK_REACH_SCAN_LIMIT", default_value_t = 10_000,
          value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
    reach_scan_limit: i64,

    /// Run the retention job (erase clients past their agency's retention period) every this
    /// many minutes; 0 switches the schedule off (`casework retention run` still works).
    #[arg(
        long,
        env = "CASEWORK_RETENTION_INTERVAL_MINUTES",
        default_value_t = 60
    )]
    retention_interval_minutes: u64,

    /// Check the key file every this many seconds and reload it when it changed (SIGHUP
    /// reloads it at once); 0: only on SIGHUP. Keys from CASEWORK_MASTER_KEYS change only with
    /// a restart.
    #[arg(long, env = "CASEWORK_KEY_RELOAD_INTERVAL_SECS", default_value_t = 30)]
    key_reload_interval_secs: u64,

    /// Rotate in the background whenever stored data uses an older master key than the newest
    /// (at start and after a reload): rewrap data keys, re-seal secrets and indexes, seal legacy
    /// plaintext. `false` leaves it to `casework keys rotate`.
    #[arg(long, env = "CASEWORK_KEY_ROTATION", default_value_t = true, action = ArgAction::Set)]
    key_rotation: bool,

    /// Refresh the database's query-planner statistics at start and then every this many hours
    /// (SQLite otherwise plans large tables by guesswork); 0 switches it off.
    #[arg(long, env = "CASEWORK_STATISTICS_INTERVAL_HOURS", default_value_t = 6)]
    statistics_interval_hours: u64,

    /// The address people reach Casework at, e.g. https://casework.example.org. Identity
    /// providers send people back to <public-url>/sign-in/oidc/callback; without it that
    /// address is built from each request's Host header.
    #[arg(long, env = "CASEWORK_PUBLIC_URL")]
    public_url: Option<String>,

    /// Reverse proxies (addresses or networks, comma-separated: `127.0.0.1,10.0.0.0/8`) whose
    /// X-Forwarded-For header names the client; failed sign-ins are then counted per client
    /// address instead of per proxy. Headers from anyone else are ignored.
    #[arg(long, env = "CASEWORK_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,

    /// Create the demo agency and its users (published passwords) if missing, and print logins.
    #[arg(long, env = "CASEWORK_DEMO")]
    demo: bool,
}

impl Args {
    fn settings(&self) -> Settings {
        Settings {
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(self.session_absolute_hours * 3600),
            account_failure_limit: self.account_failure_limit,
            address_failure_limit: self.address_failure_limit,
            lockout: Duration::from_secs(self.lockout_minutes * 60),
            audit_reads: self.audit_reads,
            audit_chain_interval: Duration::from_millis(self.audit_chain_interval_ms),
            reach_scan_limit: self.reach_scan_limit,
            // Replaced by the keyring from the key file or environment when the service opens.
            ..Settings::default()
        }
    }

    fn web_config(&self) -> Result<WebConfig, Failure> {
        Ok(WebConfig {
            secure_cookies: self.secure_cookies,
            max_body_bytes: usize::try_from(self.max_body_bytes)
                .map_err(|_| Failure::usage("--max-body-bytes is too large for this machine"))?,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            public_url: self
                .public_url
                .as_deref()
                .map(parse_public_url)
                .transpose()?,
            trusted_proxies: TrustedProxies::parse(&self.trusted_proxies).map_err(|bad| {
                Failure::usage(format!(
                    "--trusted-proxies: {bad:?} is not an IP address or network (like 10.0.0.0/8)"
                ))
            })?,
        })
    }
}

/// An http(s) address without query or fragment; kept without a trailing slash.
fn parse_public_url(raw: &str) -> Result<String, Failure> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ', '@']) => {
            Ok(url.to_string())
        }
        _ => Err(Failure::usage(
            "--public-url must be an http:// or https:// address without query or fragment",
        )),
    }
}

/// Resolves on SIGTERM (how service managers and containers stop us) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<(), Failure> {
    let web = args.web_config()?;
    if args.audit_reads {
        tracing::debug!("read auditing on");
    } else {
        tracing::warn!("read auditing is OFF: reads of client records leave no audit entry");
    }
    let key_file = crate::keyring::reloadable_file(global);
    let key_stamp = key_file.as_deref().and_then(crate::key_reload::stamp);
    let app = open(global, args.settings()).await?;
    let status = app.store().migration_status().await?;
    tracing::info!(backend = ?app.backend(), applied = ?status.applied, "database ready");
    if args.demo {
        let logins = match demo::seed(&app).await {
            Ok(logins) => logins,
            Err(f) => {
                app.shutdown().await;
                return Err(f);
            }
        };
        println!("{}", demo::login_table(&logins));
    }
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            app.shutdown().await;
            return Err(Failure::failed(format!(
                "could not listen on {}: {e}",
                args.listen
            )));
        }
    };
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::failed(format!("could not read the listening address: {e}")))?;
    // Printed (not only logged) so a person or a script sees where to go, whatever the log level.
    println!("Casework is listening on http://{addr}/");
    tracing::info!(%addr, "listening");
    let retention = (args.retention_interval_minutes > 0).then(|| {
        crate::retention::schedule(
            app.clone(),
            Duration::from_secs(args.retention_interval_minutes * 60),
        )
    });
    let keys_changed = Arc::new(Notify::new());
    let reload = (args.key_reload_interval_secs > 0)
        .then(|| Duration::from_secs(args.key_reload_interval_secs));
    let key_watch = crate::key_reload::watch(
        app.clone(),
        key_file,
        key_stamp,
        reload,
        keys_changed.clone(),
    );
    let rotation = args.key_rotation.then(|| {
        crate::key_rotation::schedule(
            app.clone(),
            reload.unwrap_or(Duration::from_secs(60)),
            keys_changed,
        )
    });
    let statistics = (args.statistics_interval_hours > 0).then(|| {
        crate::statistics::schedule(
            app.clone(),
            Duration::from_secs(args.statistics_interval_hours * 3600),
        )
    });
    // `serve` lets requests in flight finish, then flushes the audit log and closes the pool.
    let served = casework_web::serve(listener, app, web, shutdown_signal()).await;
    for job in [retention, statistics, rotation, Some(key_watch)]
        .into_iter()
        .flatten()
    {
        job.abort();
    }
    served.map_err(|e| Failure::failed(format!("the server stopped with an error: {e}")))?;
    tracing::info!("stopped cleanly");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_public_url;

    #[test]
    fn the_public_url_is_an_http_address_kept_without_trailing_slash() {
        assert_eq!(
            parse_public_url("https://casework.example.org/").ok(),
            Some("https://casework.example.org".to_string())
        );
        assert!(parse_public_url("http://127.0.0.1:8080").is_ok());
        for bad in [
            "casework.example.org",
            "https://",
            "https://x.org/?a=1",
            "ftp://x.org",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
