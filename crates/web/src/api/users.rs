//! Users of the agency, for admins. Updates carry the version read (`If-Match`).

use super::expected_version;
use super::{Caller, ErrorEnvelope, Json, PageQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_service::admin::{UserForm, UserView};
use casework_service::auth::Secret;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[schema(example = "caseworker")]
    pub role: String,
    pub team_id: Option<i64>,
    pub locale: String,
    pub active: bool,
    /// Send back as `If-Match: "<version>"` to update.
    pub version: i64,
}

impl From<UserView> for User {
    fn from(u: UserView) -> User {
        User {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            team_id: u.team_id,
            locale: u.locale,
            active: u.active,
            version: u.version,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

/// A password in a request body: never printed.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, format = Password)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    /// caseworker, supervisor, intake_worker, admin or auditor.
    pub role: String,
    #[serde(default)]
    pub team_id: Option<i64>,
    /// At least 12 characters, not all alike.
    pub password: Password,
    /// Interface language; `en` when absent.
    #[serde(default)]
    pub locale: Option<String>,
}

/// The user's access: all three fields are set as given.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAccess {
    pub role: String,
    /// No team when null or absent.
    #[serde(default)]
    pub team_id: Option<i64>,
    pub active: bool,
}

fn with_etag(status: StatusCode, user: User) -> Response {
    super::with_etag(status, user.version, user)
}

/// The agency's users, by id.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "list_users",
    tag = "admin",
    params(PageQuery),
    responses(
        (status = 200, body = UserList),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
    )
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<UserList>, ApiError> {
    let page = state
        .app
        .users(caller.actor(), q.cursor()?, q.limit()?)
        .await?;
    Ok(Json(UserList {
        items: page.items.into_iter().map(User::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a user to the caller's agency.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "create_user",
    tag = "admin",
    request_body = NewUser,
    responses(
        (status = 201, body = User, headers(("ETag" = String, description = "The user's version"))),
        (status = 409, description = "The email is taken", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUser>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let form = UserForm {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        team_id: body.team_id,
        password: Secret::new(body.password.0),
        locale: body.locale.unwrap_or_else(|| "en".to_string()),
    };
    let user = state
        .app
        .create_user(Some(actor), actor.agency_id, &form)
        .await?;
    Ok(with_etag(StatusCode::CREATED, user.into()))
}

/// Change a user's role, team and active flag.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    operation_id = "update_user",
    tag = "admin",
    params(
        ("id" = i64, Path, description = "The user"),
        ("If-Match" = String, Header, description = "The version read, e.g. \"3\""),
    ),
    request_body = UserAccess,
    responses(
        (status = 200, body = User, headers(("ETag" = String, description = "The new version"))),
        (status = 404, body = ErrorEnvelope),
        (status = 412, description = "The user changed since that version", body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    )
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<UserAccess>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let user = state
        .app
        .update_user(
            caller.actor(),
            id,
            version,
            &body.role,
            body.team_id,
            body.active,
        )
        .await?;
    Ok(with_etag(StatusCode::OK, user.into()))
}
