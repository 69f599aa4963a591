//! `casework serve` as a process: the demo, signing in to it, and stopping on SIGTERM.

use crate::harness::{backend_name, backends, submit_sign_in, TestDb};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `casework serve`, killed if the test fails before stopping it.
struct Served {
    child: Child,
    base: String,
    /// What it printed before "listening": the demo logins.
    banner: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database_url: &str, extra: &[&str]) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEWORK_") {
            cmd.env_remove(&key);
        }
    }
    let child = cmd
        .env("CASEWORK_LOG", "warn")
        // A fixed test key, so none is generated in the working directory.
        .env(
            "CASEWORK_MASTER_KEYS",
            "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
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

fn stop_with_sigterm(mut served: Served) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM failed");
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
