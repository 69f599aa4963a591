//! `?cursor=&limit=` on every list, and the `{"items", "next_cursor"}` answer.

use crate::error::ApiError;
use casework_domain::Invalid;
use casework_service::{Cursor, ServiceError};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200; 25 when absent.
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

impl PageQuery {
    pub fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
        Cursor::parse(self.cursor.as_deref()).map_err(|e| ApiError::from(ServiceError::Invalid(e)))
    }

    /// The page size asked for; clamping to the allowed range is the service's job.
    pub fn limit(&self) -> Result<Option<i64>, ApiError> {
        match self.limit.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => raw.parse::<i64>().map(Some).map_err(|_| {
                ApiError::from(ServiceError::Invalid(Invalid::new("limit", "wrong_type")))
                    .with_field("limit")
            }),
        }
    }

    /// Page a list the service hands back whole, by id. For lists that are small by nature
    /// (teams, programs, one user's tokens) until the service pages them itself.
    pub fn page_of<T>(
        &self,
        rows: Vec<T>,
        id: impl Fn(&T) -> i64,
    ) -> Result<(Vec<T>, Option<String>), ApiError> {
        let after = self.cursor()?.map_or(i64::MIN, |c| c.0);
        let limit = self.limit()?.unwrap_or(25).clamp(1, 200) as usize;
        let mut rows: Vec<T> = rows.into_iter().filter(|r| id(r) > after).collect();
        rows.sort_by_key(|r| id(r));
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|r| id(r).to_string())
        } else {
            None
        };
        Ok((rows, next))
    }
}
