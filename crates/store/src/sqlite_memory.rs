//! SQLite's process-wide memory settings.

use std::sync::Once;

/// SQLite keeps memory statistics by default, and every allocation and free then takes one
/// process-wide mutex. Rows cross from sqlx's connection threads to the request threads and are
/// freed there, so that mutex was contended between every connection and every request thread
/// (`pthread_mutex_lock` and futex wake-ups in the profile). Nothing here reads the statistics.
pub(crate) fn without_statistics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` is only allowed before SQLite initializes or after it shuts
        // down, and answers SQLITE_MISUSE (changing nothing) otherwise; its variadic argument
        // for this option is one int. It must not run while another thread calls SQLite: every
        // SQLite connection of the process is opened by a `Store` (its pool, its checkpointer,
        // the audit writer), and the first SQLite `Store` runs this before opening any, while
        // any other `Store::connect` waits here for it (`Once`).
        let rc = unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
        if rc != rusqlite::ffi::SQLITE_OK {
            tracing::debug!(
                rc,
                "SQLite was already initialized; its memory statistics stay on"
            );
        }
    });
}
