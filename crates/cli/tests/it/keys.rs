//! `casework keys` as an operator runs it: status, adding a master key version, rotating, then
//! dropping the old version; clear refusals for a bad key file; the demo's generated key file.

use crate::cli::{casework_env, text};
use crate::harness::{backend_name, backends, TestDb};
use casework_domain::crypto::Keyring;

fn keys(url: &str, key_file: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--database-url", url, "--key-file", key_file];
    all.extend_from_slice(args);
    casework_env(&all, None, &[])
}

#[test]
fn rotation_from_the_command_line_moves_everything_to_the_new_key() {
    for backend in backends() {
        let name = backend_name(backend);
        let rt = tokio::runtime::Runtime::new().unwrap();
        let db = rt.block_on(TestDb::fresh(backend));
        let url = db.url.as_str();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        let file_s = file.to_str().unwrap();
        let v1 = Keyring::single(casework_service::keys::new_key());
        std::fs::write(&file, v1.to_file_text()).unwrap();

        // Seeded clients: safe-contact notes and identifiers, sealed under version 1.
        let out = keys(url, file_s, &["seed", "--clients", "12", "--seed", "3"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let out = keys(url, file_s, &["keys", "status"]);
        let status = text(&out.stdout);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        // Seeded clients get a data key with their first sealed value (not all have one).
        let wrapped = count(&status, "client data keys wrapped by master version 1: ");
        assert!(wrapped > 0, "{name}: {status}");
        assert!(
            status.contains("identifier indexes under master version 1:"),
            "{name}: {status}"
        );
        assert!(
            status.contains("legacy plaintext values waiting for `keys rotate`: 0"),
            "{name}: {status}"
        );
        assert!(
            !status.contains(&v1.newest().1.to_base64()),
            "{name}: a key printed"
        );

        // The operator appends a new version and rotates.
        let out = keys(url, file_s, &["keys", "generate"]);
        let line = text(&out.stdout);
        assert!(line.starts_with("2:"), "{name}: {line}");
        let both = format!("{}{line}", v1.to_file_text());
        std::fs::write(&file, &both).unwrap();
        let out = keys(url, file_s, &["keys", "rotate", "--batch", "5"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("client data keys rewrapped: {wrapped}\n")),
            "{name}: {}",
            text(&out.stdout)
        );
        let status = text(&keys(url, file_s, &["keys", "status"]).stdout);
        assert!(
            status.contains(&format!(
                "client data keys wrapped by master version 2: {wrapped}\n"
            )),
            "{name}: {status}"
        );
        assert!(!status.contains("master version 1"), "{name}: {status}");

        // Version 1 removed: a full re-encryption under fresh data keys reads every field.
        let only_v2 = Keyring::parse(&both).unwrap().without(1).unwrap();
        std::fs::write(&file, only_v2.to_file_text()).unwrap();
        let out = keys(url, file_s, &["keys", "rotate", "--data-keys"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("client data keys issued: {wrapped}\n")),
            "{name}: {}",
            text(&out.stdout)
        );
        let status = text(&keys(url, file_s, &["keys", "status"]).stdout);
        assert!(
            status.contains("values encrypted under client data key version 2:"),
            "{name}: {status}"
        );
        assert!(
            !status.contains("client data key version 1"),
            "{name}: {status}"
        );

        // Without the key that wraps the data keys, the command fails and says which key.
        std::fs::write(&file, v1.to_file_text()).unwrap();
        let out = keys(url, file_s, &["keys", "rotate", "--data-keys"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            text(&out.stderr).contains("master key version 2 is not in the keyring"),
            "{name}: {}",
            text(&out.stderr)
        );
        drop(db);
    }
}

fn count(status: &str, label: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in {status}"))
}

#[test]
fn a_bad_key_file_or_variable_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let file = dir.path().join("keys");
    let good = Keyring::single(casework_service::keys::new_key()).to_file_text();
    std::fs::write(&file, format!("{good}2:not-base64!\n")).unwrap();
    let out = casework_env(
        &[
            "--data-dir",
            data,
            "--key-file",
            file.to_str().unwrap(),
            "keys",
            "status",
        ],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 3: the key is not valid base64"), "{err}");
    let out = casework_env(
        &["--data-dir", data, "keys", "status"],
        None,
        &[("CASEWORK_MASTER_KEYS", "1:AAAA")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("CASEWORK_MASTER_KEYS: entry 1: the key must be 32 bytes"),
        "{err}"
    );
    let missing = dir.path().join("nowhere");
    let out = casework_env(
        &[
            "--data-dir",
            data,
            "--key-file",
            missing.to_str().unwrap(),
            "keys",
            "status",
        ],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read the key file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_configured_keys_a_private_key_file_is_made_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = casework_env(
        &["--data-dir", data.to_str().unwrap(), "keys", "status"],
        None,
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = data.join("master.key");
    let saved = Keyring::parse(&std::fs::read_to_string(&file).unwrap()).expect("a key file");
    assert!(
        text(&out.stderr).contains("generated one in the data directory"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !text(&out.stderr).contains(&saved.newest().1.to_base64()),
        "the key was logged"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The next start uses it rather than making another.
    let out = casework_env(
        &["--data-dir", data.to_str().unwrap(), "keys", "status"],
        None,
        &[],
    );
    assert!(out.status.success());
    assert_eq!(
        Keyring::parse(&std::fs::read_to_string(&file).unwrap()).unwrap(),
        saved
    );
}
