//! Real Chromium through chromedriver, for tests of what a person sees.
//!
//! `Browser::start()` gives `None` (after printing why) when chromedriver is not installed, so a
//! developer without it can still run the other tests; under `CI=true` a missing browser fails
//! instead, so CI can never pass without having run the browser tests.

#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// An executable by explicit path (env var) or on PATH.
fn find(env_var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env_var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver as a child process, killed when dropped (even when the test panics).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    pub client: Client,
    // Field order: the driver goes before the profile directory it writes into.
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Headless Chromium with a fresh profile, or `None` when no browser is installed (not in CI).
    pub async fn start() -> Option<Browser> {
        let Some(chromedriver) = find("CASEWORK_CHROMEDRIVER", &["chromedriver"]) else {
            assert!(
                !in_ci(),
                "CI=true but chromedriver is not installed (apt-get install chromium chromium-driver)"
            );
            eprintln!("skipped: chromedriver not found (install chromium and chromium-driver)");
            return None;
        };
        let chromium = find("CASEWORK_CHROMIUM", &["chromium", "chromium-browser"])
            .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let driver = Driver(
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display())),
        );
        wait_for_port(port, Duration::from_secs(20));
        let client = ClientBuilder::native()
            .capabilities(capabilities(&chromium, profile.path()))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session: {e}"));
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// End the WebDriver session (closes Chromium); chromedriver is killed on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

fn wait_for_port(port: u16, limit: Duration) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < limit,
            "chromedriver did not listen on port {port} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn capabilities(chromium: &Path, profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let args = [
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": args,
        }
    });
    match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}
