//! Sign-in security over the API: the caller's password, authenticator (TOTP) and sessions;
//! an admin's unlock and authenticator reset; the agency's rule of which roles must use a
//! second factor (`If-Match` like every update).

use super::{expected_version, timestamp, with_etag, Caller, ErrorEnvelope, Json};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use casework_service::auth::Secret;
use casework_service::security::SecuritySettings;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(totp_status, start_totp, disable_totp))
        .routes(routes!(confirm_totp))
        .routes(routes!(sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(unlock_user))
        .routes(routes!(reset_totp))
        .routes(routes!(read_settings, update_settings))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters, not a common password, and hard to guess.
    pub new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(<redacted>)")
    }
}

/// Change the caller's password. Every other session of the caller ends (with a bearer token:
/// every session).
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    operation_id = "change_password",
    tag = "account",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "`password_wrong` (field `current_password`), `password_too_short`, `password_common`, `password_too_weak` (with `hints`)", body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope),
    )
)]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .change_password(
            caller.actor(),
            caller.session_id.as_deref(),
            &Secret::new(body.current_password),
            &Secret::new(body.new_password),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    /// An authenticator is set up and confirmed: sign-in asks for a code.
    pub enabled: bool,
    /// Set-up started (`POST /api/v1/me/totp`) and waiting for its first code.
    pub pending: bool,
    pub recovery_codes_left: i64,
    /// The agency requires a second factor of the caller's role.
    pub required: bool,
}

/// Whether the caller signs in with a second factor.
#[utoipa::path(
    get,
    path = "/api/v1/me/totp",
    operation_id = "totp_status",
    tag = "account",
    responses((status = 200, body = TotpStatus), (status = 401, body = ErrorEnvelope))
)]
async fn totp_status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TotpStatus>, ApiError> {
    let s = state.app.totp_status(caller.actor()).await?;
    Ok(Json(TotpStatus {
        enabled: s.enabled,
        pending: s.pending,
        recovery_codes_left: s.recovery_codes_left,
        required: s.required,
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    /// The shared secret, base32 (RFC 4648, no padding). Treat it like a password.
    pub secret: String,
    /// The `otpauth://totp/...` URI an authenticator app reads (SHA-1, 6 digits, 30 s).
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetup(<redacted>)")
    }
}

/// Start setting up an authenticator: the secret to add to the app. Until confirmed with
/// `POST /api/v1/me/totp/confirm`, sign-in is unchanged; calling again returns the same secret.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp",
    operation_id = "start_totp",
    tag = "account",
    responses(
        (status = 200, body = TotpSetup),
        (status = 409, description = "Already set up", body = ErrorEnvelope),
    )
)]
async fn start_totp(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TotpSetup>, ApiError> {
    let e = state.app.start_totp(caller.actor()).await?;
    Ok(Json(TotpSetup {
        secret: e.secret.to_base32(),
        otpauth_uri: e.uri,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// Six digits from the authenticator app (or, to turn it off, a recovery code).
    #[schema(example = "123456")]
    pub code: String,
}

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(<redacted>)")
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes. Shown this once; they are stored only as hashes.
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodes(<redacted>)")
    }
}

/// Confirm the authenticator with its first code; sign-in asks for a code from now on.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp/confirm",
    operation_id = "confirm_totp",
    tag = "account",
    request_body = TotpCode,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 404, description = "No set-up started", body = ErrorEnvelope),
        (status = 422, description = "`code_wrong` or `code_format` (field `code`)", body = ErrorEnvelope),
    )
)]
async fn confirm_totp(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = state
        .app
        .confirm_totp(caller.actor(), &Secret::new(body.code))
        .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.0,
    }))
}

/// Turn the second factor off, proven with a current code or a recovery code.
#[utoipa::path(
    delete,
    path = "/api/v1/me/totp",
    operation_id = "disable_totp",
    tag = "account",
    request_body = TotpCode,
    responses(
        (status = 204, description = "Turned off"),
        (status = 404, description = "Not set up", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope),
    )
)]
async fn disable_totp(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<TotpCode>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .disable_totp(caller.actor(), &Secret::new(body.code))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Session {
    /// The session's public id (not its token).
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// Coarse, e.g. "Firefox / Linux".
    pub user_agent: Option<String>,
    /// The session making this call.
    pub current: bool,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SessionList {
    pub items: Vec<Session>,
}

/// The caller's live browser sessions, newest first (at most 200).
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    operation_id = "list_sessions",
    tag = "account",
    responses((status = 200, body = SessionList), (status = 401, body = ErrorEnvelope))
)]
async fn sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionList>, ApiError> {
    let list = state
        .app
        .my_sessions(caller.actor(), caller.session_id.as_deref())
        .await?;
    Ok(Json(SessionList {
        items: list
            .into_iter()
            .map(|s| Session {
                id: s.id,
                created_at: timestamp(s.created_at),
                last_seen_at: timestamp(s.last_seen_at),
                user_agent: s.user_agent,
                current: s.current,
            })
            .collect(),
    }))
}

/// End one of the caller's sessions.
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    operation_id = "revoke_session",
    tag = "account",
    params(("id" = String, Path, description = "The session's public id")),
    responses((status = 204, description = "Ended"), (status = 404, body = ErrorEnvelope))
)]
async fn revoke_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_session(caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a user's lockout after failed sign-ins (admins; audited).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/unlock",
    operation_id = "unlock_user",
    tag = "admin",
    params(("id" = i64, Path, description = "The user")),
    responses(
        (status = 204, description = "Unlocked"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
    )
)]
async fn unlock_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.unlock_user(caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a user's authenticator, e.g. after a lost phone (admins; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/totp",
    operation_id = "reset_totp",
    tag = "admin",
    params(("id" = i64, Path, description = "The user")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, description = "No such user, or none set up", body = ErrorEnvelope),
    )
)]
async fn reset_totp(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.reset_totp(caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencySecurity {
    /// Roles that must sign in with a second factor, e.g. `["admin", "supervisor"]`.
    pub mfa_roles: Vec<String>,
}

fn settings_body(s: &SecuritySettings) -> AgencySecurity {
    AgencySecurity {
        mfa_roles: s
            .mfa_roles
            .roles()
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
    }
}

/// The agency's sign-in rules (admins). The `ETag` is "0" until first saved.
#[utoipa::path(
    get,
    path = "/api/v1/agency/security",
    operation_id = "read_agency_security",
    tag = "admin",
    responses(
        (status = 200, body = AgencySecurity, headers(("ETag" = String, description = "The version"))),
        (status = 403, body = ErrorEnvelope),
    )
)]
async fn read_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let s = state.app.security_settings(caller.actor()).await?;
    Ok(with_etag(StatusCode::OK, s.version, settings_body(&s)))
}

/// Change the agency's sign-in rules (admins). People in a newly required role set up an
/// authenticator at their next sign-in.
#[utoipa::path(
    put,
    path = "/api/v1/agency/security",
    operation_id = "update_agency_security",
    tag = "admin",
    params(("If-Match" = String, Header, description = "The version read, e.g. \"0\"")),
    request_body = AgencySecurity,
    responses(
        (status = 200, body = AgencySecurity, headers(("ETag" = String, description = "The new version"))),
        (status = 403, body = ErrorEnvelope),
        (status = 412, description = "Changed since that version", body = ErrorEnvelope),
        (status = 422, description = "`unknown_choice` (field `mfa_roles`)", body = ErrorEnvelope),
        (status = 428, description = "If-Match is missing", body = ErrorEnvelope),
    )
)]
async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<AgencySecurity>,
) -> Result<Response, ApiError> {
    let version = expected_version(&headers)?;
    let s = state
        .app
        .update_security_settings(caller.actor(), version, &body.mfa_roles)
        .await?;
    Ok(with_etag(StatusCode::OK, s.version, settings_body(&s)))
}
