//! HTTP for Casework: server-rendered pages, the JSON API under `/api/v1/` with its OpenAPI
//! document, and the operator endpoints (`/healthz`, `/readyz`, `/metrics`). Every handler calls
//! the service layer; nothing here touches the store.
//!
//! Adding routes: a page module exposes `pub fn routes() -> Router<AppState>` and is listed in
//! [`pages::routes`]; an API module exposes `pub fn routes() -> OpenApiRouter<AppState>` built with
//! `utoipa_axum::routes!` and is listed in [`api::routes`]. Strings go into both catalogues under
//! `locales/`.

pub use client_address::TrustedProxies;
pub mod api;
mod client_address;
mod csrf;
pub mod error;
mod fallback;
mod headers;
pub mod i18n;
pub mod layout;
mod metrics;
mod openapi;
mod ops;
pub mod pages;
pub mod session;
mod state;
#[cfg(test)]
mod tests;

pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use casework_service::Casework;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

/// Settings of the HTTP layer. Every one is a flag of `casework serve`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` and send HSTS: set when the server sits behind TLS.
    pub secure_cookies: bool,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// A request that takes longer is answered 503.
    pub request_timeout: Duration,
    /// The address people reach Casework at (`https://casework.example.org`), for the
    /// OpenID Connect callback; None builds it from each request's Host header.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for per-address throttling).
    pub trusted_proxies: TrustedProxies,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// The whole application: pages, API, operator endpoints, and the layers every request passes.
pub fn router(app: Casework, config: WebConfig) -> Router {
    let state = AppState::new(app, config);
    let (api_router, document) = api::routes().split_for_parts();
    let _ = state.openapi.set(openapi::render(document));
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(pages::layered(state.clone()))
        .merge(api::layered(api_router))
        .merge(ops::routes())
        .fallback(fallback::not_found)
        .layer(
            // Outermost first: headers go on every answer, even a panic's or a timeout's.
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    headers::security,
                ))
                .layer(CatchPanicLayer::new())
                .layer(ops::trace_layer())
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    metrics::record,
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    state.config.request_timeout,
                ))
                // Every body reader (Json, Form, the CSRF check) stops at the limit and answers 413
                // in the shape of its side (JSON or page). A layer that refused by Content-Length
                // up front would answer before those shapes are applied.
                .layer(DefaultBodyLimit::max(max_body)),
        )
        .with_state(state)
}

/// Serve until `shutdown` resolves, let in-flight requests finish, then flush the audit log.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Casework,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let routes = router(app.clone(), config);
    let served = axum::serve(
        listener,
        routes.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    app.shutdown().await;
    served
}
