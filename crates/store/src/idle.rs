//! Idle connections kept for reuse, shared by a store's clones: SQLite's request-thread readers
//! (`fetch`) and the sqlx side of its reading connections (`read_shelf`).

use std::sync::Mutex;

/// As many idle connections as are kept; more are opened when more requests read at once, and
/// closed when they come back to a full shelf.
const KEPT_IDLE: usize = 16;

pub(crate) struct Idle<T> {
    items: Mutex<Vec<T>>,
}

impl<T> Default for Idle<T> {
    fn default() -> Self {
        Idle {
            items: Mutex::new(Vec::new()),
        }
    }
}

impl<T> Idle<T> {
    fn items(&self) -> std::sync::MutexGuard<'_, Vec<T>> {
        // A panic elsewhere leaves the list itself whole.
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently given back, if any.
    pub(crate) fn take(&self) -> Option<T> {
        self.items().pop()
    }

    /// Keep `item` for reuse, or drop it (closing the connection) when the shelf is full.
    pub(crate) fn give_back(&self, item: T) {
        let mut items = self.items();
        if items.len() < KEPT_IDLE {
            items.push(item);
        }
    }

    /// Everything kept, leaving the shelf empty.
    pub(crate) fn drain(&self) -> Vec<T> {
        std::mem::take(&mut *self.items())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items().len()
    }
}
