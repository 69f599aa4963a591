//! Failed sign-ins behind a reverse proxy are counted against the client's address that a
//! trusted proxy names, and a forged `X-Forwarded-For` from anyone else changes nothing.

use super::*;
use crate::session::PRE_SESSION_COOKIE;
use crate::TrustedProxies;
use axum::extract::connect_info::MockConnectInfo;
use sqlx::Row;
use std::net::SocketAddr;

async fn fail_sign_in(router: &Router, forwarded_for: &str) {
    let page = send(router, get("/sign-in", None)).await;
    let pre = page.cookie(PRE_SESSION_COOKIE).expect("pre-session cookie");
    let body = encode(&[
        ("csrf", &page.form_csrf()),
        ("email", "admin@example.org"),
        ("password", "not the password"),
    ]);
    let mut req = form("/sign-in", Some(&pre), &body);
    req.headers_mut().insert(
        "x-forwarded-for",
        forwarded_for.parse().expect("header value"),
    );
    let answer = send(router, req).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

async fn address_keys(f: &Fixture) -> Vec<String> {
    let mut conn = f.app.store().owner_conn().await.expect("owner");
    sqlx::query(
        "SELECT throttle_key FROM login_failures WHERE throttle_key LIKE 'address:%' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("keys")
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect()
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_anyone_else_is_not_believed() {
    let behind_proxy = fixture_with(WebConfig {
        trusted_proxies: TrustedProxies::parse("127.0.0.1").expect("list"),
        ..WebConfig::default()
    })
    .await;
    let router = behind_proxy
        .router
        .clone()
        .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    fail_sign_in(&router, "198.51.100.1, 203.0.113.9").await;
    assert_eq!(address_keys(&behind_proxy).await, ["address:203.0.113.9"]);

    let direct = fixture().await;
    let router = direct
        .router
        .clone()
        .layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
    fail_sign_in(&router, "203.0.113.9").await;
    assert_eq!(address_keys(&direct).await, ["address:192.0.2.7"]);
}
