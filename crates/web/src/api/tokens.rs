//! The caller's own API tokens. A new token is in the creation answer and nowhere else, ever.

use super::{timestamp, Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TokenList {
    pub items: Vec<Token>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "nightly export".
    pub name: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// The bearer token. Shown this once; store it now.
    pub token: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The caller's tokens, revoked ones included, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "list_tokens",
    tag = "account",
    params(PageQuery),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorEnvelope))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<TokenList>, ApiError> {
    let page = state
        .app
        .tokens(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(TokenList {
        items: page
            .items
            .into_iter()
            .map(|t| Token {
                id: t.id,
                name: t.name,
                created_at: timestamp(t.created_at),
                last_used_at: t.last_used_at.map(timestamp),
                revoked_at: t.revoked_at.map(timestamp),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A new token for the caller's own account.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    operation_id = "create_token",
    tag = "account",
    request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorEnvelope))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (row, secret) = state.app.create_token(caller.actor(), &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: row.id,
            name: row.name,
            created_at: timestamp(row.created_at),
            token: secret.expose().to_string(),
        }),
    ))
}

/// Revoke one of the caller's tokens; it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "revoke_token",
    tag = "account",
    params(("id" = i64, Path, description = "The token")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorEnvelope))
)]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_token(caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
