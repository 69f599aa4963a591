//! Operator endpoints, security headers, the request log's neighbours, and OpenAPI coverage.

use super::*;

const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        crate::headers::CONTENT_SECURITY_POLICY,
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
];

#[tokio::test]
async fn health_and_readiness() {
    let f = fixture().await;
    let health = send(&f.router, get("/healthz", None)).await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = send(&f.router, get("/readyz", None)).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let f = fixture().await;
    f.app.store().close().await;
    let ready = send(&f.router, get("/readyz", None)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_count_by_route_template_not_raw_path() {
    let f = fixture().await;
    let token = bearer(&f.app, "worker@example.org").await;
    let req = Request::delete("/api/v1/tokens/987654")
        .header(header::AUTHORIZATION, &token)
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&f.router, req).await.status, StatusCode::NOT_FOUND);
    send(&f.router, get("/healthz", None)).await;
    let metrics = send(&f.router, get("/metrics", None)).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.body;
    assert!(text.contains(
        "casework_http_requests_total{method=\"DELETE\",route=\"/api/v1/tokens/{id}\",status=\"4xx\"} 1"
    ), "{text}");
    assert!(text.contains("casework_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 1"));
    assert!(!text.contains("987654"));
    assert!(text.contains("process_resident_memory_bytes "));
}

#[tokio::test]
async fn security_headers_are_on_every_kind_of_answer() {
    let f = fixture().await;
    let answers = [
        send(&f.router, get("/sign-in", None)).await,
        send(&f.router, get("/healthz", None)).await,
        send(&f.router, get("/no/such/page", None)).await,
        send(&f.router, get("/api/v1/me", None)).await,
        send(&f.router, get("/assets/casework.css", None)).await,
    ];
    for answer in &answers {
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(
                answer.headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name} on a {} answer",
                answer.status
            );
        }
        assert!(answer.headers.get("strict-transport-security").is_none());
    }
    let secure = fixture_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    })
    .await;
    let answer = send(&secure.router, get("/healthz", None)).await;
    assert!(answer.headers.get("strict-transport-security").is_some());
}

/// Every `$ref` in the document names a schema the document holds, so a client generated from it
/// knows every type (a nested type left out of the components would break that).
#[tokio::test]
async fn every_schema_the_document_refers_to_is_in_it() {
    fn refs<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v.as_str()) {
                        ("$ref", Some(r)) => out.push(r),
                        _ => refs(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let f = fixture().await;
    let doc = send(&f.router, get("/api/v1/openapi.json", None))
        .await
        .json();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(
        found.contains(&"#/components/schemas/AuditSubject"),
        "{found:?}"
    );
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the schemas: {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} is not in the document"
        );
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let f = fixture().await;
    let doc = send(&f.router, get("/api/v1/openapi.json", None)).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for method in item.as_object().expect("path item").keys() {
            let uri = path.replace("{id}", "1");
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .body(Body::empty())
                .expect("request");
            let answer = send(&f.router, req).await;
            // Unauthenticated: a routed operation answers 401 (or 200 for the document itself),
            // never "no such route" or "wrong method".
            assert!(
                answer.status == StatusCode::UNAUTHORIZED || answer.status == StatusCode::OK,
                "{method} {path} answered {}",
                answer.status
            );
            operations += 1;
        }
    }
    assert!(operations >= 11, "only {operations} operations documented");
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().into_iter().flat_map(|ops| ops.values()))
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    assert_eq!(ids.len(), operations, "every operation has an operationId");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operationIds are unique");
}

#[test]
fn api_routes_are_only_registered_with_their_documentation() {
    // `routes!` registers a handler and its #[utoipa::path] together; `.route(` would add an
    // undocumented one. With this, every routed API operation is in the document.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("src/api").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("readable");
        for banned in [
            concat!(".route", "("),
            concat!(".route_service", "("),
            concat!(".nest", "("),
        ] {
            assert!(
                !text.contains(banned),
                "{} registers an API route without documentation ({banned})",
                entry.path().display()
            );
        }
        checked += 1;
    }
    assert!(checked > 5);
}

#[test]
fn the_document_lists_the_foundation_routes() {
    let (_, doc) = crate::api::routes().split_for_parts();
    let paths: Vec<&String> = doc.paths.paths.keys().collect();
    for expected in [
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/teams",
        "/api/v1/programs",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/openapi.json",
    ] {
        assert!(
            paths.iter().any(|p| *p == expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[tokio::test]
async fn serve_answers_on_a_socket_and_stops_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(
        listener,
        f.app.clone(),
        WebConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    let _ = stop.send(());
    let served = tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("stops in time")
        .expect("joins");
    assert!(served.is_ok());
}
