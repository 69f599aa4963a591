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
}
