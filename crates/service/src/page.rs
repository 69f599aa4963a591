//! Cursor paging: every list is read by an indexed key, never by OFFSET.

use casework_domain::Invalid;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An opaque position in a list: the key of the last row seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub i64);

impl Cursor {
    pub fn parse(raw: Option<&str>) -> Result<Option<Cursor>, Invalid> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .map(|v| Some(Cursor(v)))
                .ok_or_else(|| Invalid::new("cursor", "cursor_format")),
        }
    }
}

/// Page size: asked for, clamped to 1..=max, 25 by default.
pub fn limit(asked: Option<i64>, max: i64) -> i64 {
    asked.unwrap_or(25).clamp(1, max)
}

/// Build a page from `limit + 1` fetched rows: the extra row only says there is more.
pub fn page_of<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> i64) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next_cursor = if more {
        rows.last().map(|r| key(r).to_string())
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}
