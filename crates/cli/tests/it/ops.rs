//! The operator endpoints: liveness, readiness, metrics.

use crate::harness::{on_each_backend, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_answer() {
    on_each_backend(async |server: &TestServer| {
        let http = server.client();
        let name = server.name();

        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200, "{name}: /healthz");

        // Migrations ran at start, so the server must say it is ready.
        let ready = http.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200, "{name}: /readyz");

        let metrics = http.get(server.url("/metrics")).send().await.unwrap();
        assert_eq!(metrics.status(), 200, "{name}: /metrics");
        let content_type = metrics
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("text/plain"),
            "{name}: Prometheus text format, got {content_type:?}"
        );
        let body = metrics.text().await.unwrap();
        // The requests above were counted: the counter exists and names the health route.
        assert!(
            body.contains("# TYPE casework_http_requests_total counter"),
            "{name}: request counter missing:\n{body}"
        );
        assert!(
            body.contains("route=\"/healthz\""),
            "{name}: /healthz not counted:\n{body}"
        );
    })
    .await;
}
