//! The `casework` binary as an operator or a script uses it.

use crate::harness::{backend_name, backends, TestDb, TestServer};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A fixed master key for commands that need one, so none is generated in the working directory.
const TEST_KEYS: &str = "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// Run the binary with these arguments (and stdin), ignoring any CASEWORK_* of the caller's
/// environment so the test sees only what it passes.
fn casework(args: &[&str], stdin: Option<&str>) -> Output {
    casework_env(args, stdin, &[("CASEWORK_MASTER_KEYS", TEST_KEYS)])
}

/// The same, with these environment variables.
pub fn casework_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casework"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEWORK_") {
            cmd.env_remove(&key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.env("CASEWORK_LOG", "warn")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start the casework binary");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("casework output")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_database_url_we_do_not_support_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    for args in [
        vec![
            "--database-url",
            "mysql://x",
            "--data-dir",
            data_dir,
            "migrate",
        ],
        vec![
            "--data-dir",
            data_dir,
            "--database-url",
            "mysql://x",
            "serve",
            "--listen",
            "127.0.0.1:0",
        ],
        vec![
            "migrate",
            "--database-url",
            "sqlserver://db/x",
            "--data-dir",
            data_dir,
        ],
    ] {
        let out = casework(&args, None);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
        assert!(
            stderr.contains("sqlite:") && stderr.contains("postgres://"),
            "{args:?}: the message should say what is accepted: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    // Refused before anything was created: the default SQLite directory was never made.
    assert!(!dir.path().join("data").exists());

    // The environment variable is checked the same way.
    let out = Command::new(env!("CARGO_BIN_EXE_casework"))
        .env("CASEWORK_DATABASE_URL", "mysql://x")
        .env("CASEWORK_DATA_DIR", data_dir)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!dir.path().join("data").exists());
}

#[test]
fn migrate_applies_then_reports_nothing_pending() {
    for backend in backends() {
        let name = backend_name(backend);
        let rt = tokio::runtime::Runtime::new().unwrap();
        let db = rt.block_on(TestDb::fresh(backend));
        let url = db.url.as_str();

        let out = casework(&["--database-url", url, "migrate", "--status"], None);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let before = text(&out.stdout);
        assert!(before.contains("applied: none"), "{name}: {before}");

        let out = casework(&["--database-url", url, "migrate"], None);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("applied migration 1"),
            "{name}: {}",
            text(&out.stdout)
        );

        let out = casework(&["--database-url", url, "migrate", "--status"], None);
        let after = text(&out.stdout);
        assert!(after.contains("pending: none"), "{name}: {after}");

        // Again: nothing left to do, and that is not an error.
        let out = casework(&["--database-url", url, "migrate"], None);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("schema is current"), "{name}");
        drop(db);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_and_token_create_script_a_fresh_install() {
    for backend in backends() {
        let name = backend_name(backend);
        let db = TestDb::fresh(backend).await;
        let url = db.url.clone();
        let add = |email: &str, password: Option<&str>| {
            casework(
                &[
                    "--database-url",
                    &url,
                    "user",
                    "add",
                    "--agency",
                    "Scripted Agency",
                    "--email",
                    email,
                    "--name",
                    "Ada Operator",
                    "--role",
                    "admin",
                    "--team",
                    "Front Desk",
                    "--password-stdin",
                ],
                password,
            )
        };

        let out = add("ada@scripted.example", Some("a long enough passphrase\n"));
        assert!(
            out.status.success(),
            "{name}: user add: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("a long enough passphrase"),
            "{name}: the password must never be echoed"
        );

        // Same email again: refused, not duplicated.
        let out = add("ada@scripted.example", Some("a long enough passphrase\n"));
        assert_eq!(out.status.code(), Some(2), "{name}: duplicate email");

        // No password on stdin: refused, and nobody created.
        let out = add("bo@scripted.example", Some(""));
        assert_eq!(out.status.code(), Some(2), "{name}: empty stdin");
        assert!(
            text(&out.stderr).contains("stdin"),
            "{name}: {}",
            text(&out.stderr)
        );
        let out = casework(
            &[
                "--database-url",
                &url,
                "token",
                "create",
                "--user",
                "bo@scripted.example",
            ],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: token for a missing user"
        );
        assert!(out.stdout.is_empty(), "{name}: no token printed");

        // A token for the user that exists: stdout is the token and nothing else.
        let out = casework(
            &[
                "--database-url",
                &url,
                "token",
                "create",
                "--user",
                "ADA@scripted.example",
            ],
            None,
        );
        assert!(
            out.status.success(),
            "{name}: token create: {}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        let token = stdout.trim_end_matches('\n');
        assert!(
            !token.is_empty() && !token.contains(char::is_whitespace),
            "{name}: stdout should be the bare token: {stdout:?}"
        );

        // The token works against the API of a server on that database.
        let server = TestServer::start_on(backend, db).await;
        let res = server
            .client()
            .get(server.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}: token from the CLI");
        let me: serde_json::Value = res.json().await.unwrap();
        assert_eq!(me["email"], "ada@scripted.example", "{name}: {me}");
        assert_eq!(me["role"], "admin", "{name}: {me}");
        assert!(me["team_id"].is_i64(), "{name}: --team was applied: {me}");

        // The password given on stdin is the one that signs in.
        let browser = server.client();
        let res = server
            .submit_sign_in(&browser, "ada@scripted.example", "a long enough passphrase")
            .await;
        assert_ne!(res.status(), 401, "{name}: sign in with the stdin password");
        server.stop().await;
    }
}

#[test]
fn audit_verify_passes_on_an_untouched_log() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let out = casework(
        &[
            "--data-dir",
            data_dir,
            "user",
            "add",
            "--agency",
            "Verify Agency",
            "--email",
            "v@verify.example",
            "--name",
            "Vera",
            "--role",
            "auditor",
            "--password-stdin",
        ],
        Some("verification passphrase\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = casework(&["--data-dir", data_dir, "audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // One agency, at least the user.create entry.
    assert!(
        stdout.contains("intact") && stdout.contains("1 agency"),
        "{stdout}"
    );
    assert!(!stdout.contains(" 0 entries"), "{stdout}");
}
