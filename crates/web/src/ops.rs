//! What the operator's tooling calls: liveness, readiness, metrics, and the request log.

use crate::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::time::Duration;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ready().await {
        Ok(status) if status.current() => (StatusCode::OK, "ready").into_response(),
        Ok(status) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("migrations pending: {:?}", status.pending),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response, Duration, &Span);

/// The request log: method and route template, status and latency. Never the URI: paths hold
/// record ids and query strings can hold client names.
pub fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse> {
    fn make_span(req: &Request<Body>) -> Span {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str())
            .unwrap_or("unmatched");
        tracing::info_span!("request", method = %req.method(), route)
    }
    fn on_response(res: &Response, latency: Duration, _: &Span) {
        tracing::info!(
            status = res.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1000.0,
            "answered"
        );
    }
    TraceLayer::new_for_http()
        .make_span_with(make_span as MakeSpan)
        .on_request(())
        .on_response(on_response as OnResponse)
}
