//! `casework serve` as a process: the demo, signing in to it, stopping on SIGTERM, and taking
//! a new master key from its key file without a restart.

use crate::harness::{backend_name, backends, submit_sign_in, TestDb};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `casework serve`, killed if the test fails before stopping it.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// What it printed before "listening": the demo logins.
    banner: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(database_url: &str, extra: &[&str]) -> Served {
    // A fixed test key, so none is generated in the working directory.
    start(
        database_url,
        extra,
        Some("1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    )
}

/// `env_keys` None: `extra` names the key file.
fn start(database_url: &str, extra: &[&str], env_keys: Option<&str>) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEWORK_") {
            cmd.env_remove(&key);
        }
    }
    if let Some(keys) = env_keys {
        cmd.env("CASEWORK_MASTER_KEYS", keys);
    }
    let child = cmd
        .env("CASEWORK_LOG", "warn")
        .args([
            "--database-url",
            database_url,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start casework serve");
    // Owned by `Served` from here on, so it is killed and reaped on every path, panics included.
    let mut served = Served {
        child,
        base: String::new(),
        banner: Vec::new(),
    };
    let stdout = served.child.stdout.take().expect("stdout");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("serve printed no URL; it printed {:#?}", served.banner));
        if let Some(url) = line.strip_prefix("Casework is listening on ") {
            served.base = url.trim_end_matches('/').to_string();
            return served;
        }
        served.banner.push(line);
    }
}

/// The demo login line for a role: (email, password).
fn login_for(banner: &[String], role: &str) -> (String, String) {
    let line = banner
        .iter()
        .find(|l| l.trim_start().starts_with(&format!("{role} ")))
        .unwrap_or_else(|| panic!("no {role} login printed in {banner:#?}"));
    let email = line
        .split_whitespace()
        .find(|w| w.contains('@'))
        .expect("an email")
        .to_string();
    let password = line
        .split("password: ")
        .nth(1)
        .expect("a password")
        .trim()
        .to_string();
    (email, password)
}

pub(crate) fn stop_with_sigterm(served: Served) -> std::process::ExitStatus {
    sigterm(&served);
    exited(served)
}

/// Send SIGTERM and return at once.
pub(crate) fn sigterm(served: &Served) {
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM failed");
}

/// The exit status, waiting up to 20 s for it.
pub(crate) fn exited(mut served: Served) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = served.child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop within 20 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_demo_prints_working_logins_survives_a_restart_and_stops_on_sigterm() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let name = backend_name(backend);
        let db = rt.block_on(TestDb::fresh(backend));

        // Twice on the same database: the second start must find the demo, not fail or duplicate.
        for start in ["first", "second"] {
            let served = serve(&db.url, &["--demo"]);
            for role in [
                "caseworker",
                "supervisor",
                "intake_worker",
                "admin",
                "auditor",
            ] {
                login_for(&served.banner, role);
            }
            let (email, password) = login_for(&served.banner, "caseworker");
            rt.block_on(async {
                let client = reqwest::Client::builder()
                    .cookie_store(true)
                    .build()
                    .unwrap();
                let health = client
                    .get(format!("{}/healthz", served.base))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(health.status(), 200, "{name}, {start} start: /healthz");
                let res = submit_sign_in(&client, &served.base, &email, &password).await;
                assert_ne!(
                    res.status(),
                    401,
                    "{name}, {start} start: demo login refused"
                );
                let me: serde_json::Value = client
                    .get(format!("{}/api/v1/me", served.base))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(me["email"], email.as_str(), "{name}, {start} start: {me}");
                assert_eq!(me["role"], "caseworker", "{name}, {start} start: {me}");
            });
            let status = stop_with_sigterm(served);
            assert!(
                status.success(),
                "{name}, {start} start: exit after SIGTERM was {status}"
            );
        }
        drop(db);
    }
}

#[test]
fn serve_takes_a_new_key_from_its_key_file_and_rotates_to_it_without_a_restart() {
    use crate::cli::{casework_env, text};
    use casework_domain::crypto::Keyring;
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let name = backend_name(backend);
        let db = rt.block_on(TestDb::fresh(backend));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        let file_s = file.to_str().unwrap();
        let v1 = Keyring::single(casework_service::keys::new_key());
        std::fs::write(&file, v1.to_file_text()).unwrap();
        let cli = |args: &[&str]| {
            let mut all = vec!["--database-url", db.url.as_str(), "--key-file", file_s];
            all.extend_from_slice(args);
            casework_env(&all, None, &[])
        };
        let out = cli(&["seed", "--clients", "12", "--seed", "3"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let before = text(&cli(&["keys", "status"]).stdout);
        assert!(
            before.contains("client data keys wrapped by master version 1:"),
            "{name}: {before}"
        );

        let served = start(
            &db.url,
            &["--key-file", file_s, "--key-reload-interval-secs", "1"],
            None,
        );
        // The operator appends version 2; the server reloads the file and rotates by itself.
        let v2 = v1.with_new_key(casework_service::keys::new_key());
        std::fs::write(&file, v2.to_file_text()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            let status = text(&cli(&["keys", "status"]).stdout);
            if status.contains("wrapped by master version 2:")
                && !status.contains("master version 1:")
            {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: the server did not rotate within 60 s: {status}"
            );
            std::thread::sleep(Duration::from_millis(300));
        };
        assert!(
            status.contains("identifier indexes under master version 2:"),
            "{name}: {status}"
        );
        // Version 1 may go: everything still opens (a full re-encryption reads every field).
        std::fs::write(&file, v2.without(1).unwrap().to_file_text()).unwrap();
        let out = cli(&["keys", "rotate", "--data-keys"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let status = stop_with_sigterm(served);
        assert!(status.success(), "{name}: exit after SIGTERM was {status}");
        drop(db);
    }
}
