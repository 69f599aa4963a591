//! The OpenAPI 3 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::Modify;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`cw_...`) from `casework token create` or the account page.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::session::SESSION_COOKIE,
                "The browser session; state-changing calls also need the X-CSRF-Token header.",
            ))),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Casework API",
        description = "Case management for social work. Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`; lists are paged with `cursor` and `limit`.",
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(crate::api::ErrorEnvelope))
)]
pub struct ApiDoc;

/// The document as served, rendered once.
pub fn render(doc: OpenApi) -> String {
    doc.to_pretty_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "OpenAPI document failed to serialize");
        "{}".to_string()
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json"))
)]
pub async fn document(State(state): State<AppState>) -> Response {
    let body = state
        .openapi
        .get()
        .cloned()
        .unwrap_or_else(|| "{}".to_string());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
