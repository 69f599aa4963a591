//! A column among ids the application itself produced (a page's cases, a search's clients),
//! never among input.
//!
//! PostgreSQL gets the ids as one array parameter, `column = ANY($n::bigint[])`, so the
//! statement keeps one text: it is prepared once per connection and runs its generic plan, an
//! index scan over the array. With the ids written into the text, every call was parsed and
//! planned afresh (BENCHMARKS.md, session 17). A set-returning function in its place
//! (`IN (SELECT … FROM json_array_elements_text($n))`) is not that: its generic plan hashes the
//! ids and scans the whole table. SQLite keeps `column IN (…)` with the ids in the text: it
//! prepares a statement in microseconds, and walks a literal list through the column's index.

use crate::fetch::Statement;
use crate::Backend;

/// Numbers as PostgreSQL reads a `bigint[]` parameter bound as text: `{1,2,3}` (sqlx's `Any`
/// driver binds no arrays).
pub(crate) fn bigint_array(values: &[i64]) -> String {
    array_text(&crate::client::id_list(values))
}

fn array_text(list: &str) -> String {
    format!("{{{list}}}")
}

pub(crate) struct IdSet {
    backend: Backend,
    /// The parameter's number on PostgreSQL.
    param: usize,
    /// The ids written out: `1,2,3`.
    list: String,
}

impl IdSet {
    /// The set `ids` as parameter `$param` of the statement (on PostgreSQL).
    pub(crate) fn new(backend: Backend, param: usize, ids: &[i64]) -> IdSet {
        IdSet {
            backend,
            param,
            list: crate::client::id_list(ids),
        }
    }

    /// The condition that `column` is one of the ids.
    pub(crate) fn holds(&self, column: &str) -> String {
        match self.backend {
            Backend::Postgres => format!("{column} = ANY(${}::bigint[])", self.param),
            Backend::Sqlite => format!("{column} IN ({})", self.list),
        }
    }

    fn array_literal(&self) -> String {
        array_text(&self.list)
    }

    /// Bind the set's parameter on PostgreSQL, its array literal; on SQLite, whose
    /// text varies with the ids, keep the statement out of the connection's cache.
    pub(crate) fn bind<'q>(&self, q: Statement<'q>) -> Statement<'q> {
        match self.backend {
            Backend::Postgres => q.bind(self.array_literal()),
            Backend::Sqlite => q.persistent(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_gets_one_text_for_any_ids_and_sqlite_the_ids_themselves() {
        let a = IdSet::new(Backend::Postgres, 3, &[1, 2]);
        let b = IdSet::new(Backend::Postgres, 3, &[7, 8, 9]);
        assert_eq!(a.holds("c.id"), b.holds("c.id"));
        assert_eq!(a.holds("c.id"), "c.id = ANY($3::bigint[])");
        assert_eq!(a.array_literal(), "{1,2}");
        let s = IdSet::new(Backend::Sqlite, 3, &[7, 8, 9]);
        assert_eq!(s.holds("c.id"), "c.id IN (7,8,9)");
    }

    #[test]
    fn an_array_parameter_is_written_as_postgres_reads_it() {
        assert_eq!(bigint_array(&[3, -4, 5]), "{3,-4,5}");
        assert_eq!(bigint_array(&[]), "{}");
    }
}
