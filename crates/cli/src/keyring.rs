//! Where the master keys come from: `CASEWORK_MASTER_KEYS`, or a key file (`--key-file`), or —
//! when neither is set — `master.key` in the data directory, generated on first use so the demo
//! runs with two commands. Never from the database.

use crate::config::GlobalArgs;
use crate::failure::Failure;
use casework_domain::crypto::{KeyFileError, Keyring};
use std::path::{Path, PathBuf};

/// The environment variable holding keys directly: `1:<base64>,2:<base64>`. Only an environment
/// variable, never a flag: a command line is visible to every user of the machine.
pub const ENV_KEYS: &str = "CASEWORK_MASTER_KEYS";

/// The key file used when none is configured.
pub const DEFAULT_FILE: &str = "master.key";

pub fn load(global: &GlobalArgs) -> Result<Keyring, Failure> {
    let from_env = std::env::var(ENV_KEYS)
        .ok()
        .filter(|v| !v.trim().is_empty());
    match (from_env, &global.key_file) {
        (Some(_), Some(_)) => Err(Failure::usage(format!(
            "both {ENV_KEYS} and --key-file / CASEWORK_KEY_FILE are set; set one"
        ))),
        (Some(text), None) => Keyring::parse(&text).map_err(|e| bad_keys(ENV_KEYS, &e)),
        (None, Some(path)) => read(path),
        (None, None) => {
            let path = global.data_dir.join(DEFAULT_FILE);
            if path.exists() {
                tracing::info!(path = %path.display(), "master keys from the key file in the data directory");
                return read(&path);
            }
            generate(&path)
        }
    }
}

/// The key file a running server may reload: the configured one, or the one in the data
/// directory. None when the keys come from `CASEWORK_MASTER_KEYS` (a process's environment
/// cannot change from outside, so those keys change only with a restart).
pub fn reloadable_file(global: &GlobalArgs) -> Option<PathBuf> {
    let from_env = std::env::var(ENV_KEYS).is_ok_and(|v| !v.trim().is_empty());
    match (&global.key_file, from_env) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => Some(global.data_dir.join(DEFAULT_FILE)),
    }
}

fn bad_keys(source: &str, e: &KeyFileError) -> Failure {
    let text = format!("{source}: {e}");
    // The variable's entries are counted like lines; call them entries there.
    if source == ENV_KEYS {
        Failure::usage(text.replacen(": line ", ": entry ", 1))
    } else {
        Failure::usage(text)
    }
}

/// Read and check a key file; the error names the file and line, never a key.
pub fn read(path: &Path) -> Result<Keyring, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read the key file {}: {e}", path.display())))?;
    warn_if_readable_by_others(path);
    Keyring::parse(&text).map_err(|e| bad_keys(&format!("key file {}", path.display()), &e))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the key file can be read by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

fn generate(path: &Path) -> Result<Keyring, Failure> {
    let keyring = Keyring::single(casework_service::keys::new_key());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::failed(format!(
                "cannot create the data directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    write_private(path, &keyring.to_file_text()).map_err(|e| {
        Failure::failed(format!("cannot write the key file {}: {e}", path.display()))
    })?;
    tracing::warn!(
        path = %path.display(),
        "no master key configured: generated one in the data directory. Fine for a demo; in \
         production keep the key file apart from the data and its backups (--key-file)"
    );
    Ok(keyring)
}

/// Create the file readable and writable by its owner only; never overwrite one.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
