//! Signing in through the form, and the session it gives.

use crate::harness::{on_each_backend, TestServer};
use casework_service::domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_gives_a_session_and_a_wrong_password_gets_401() {
    on_each_backend(async |server: &TestServer| {
        let name = server.name();
        let agency = server.agency("Riverside Test Agency").await;
        let maya = server
            .user_with(agency, Role::Caseworker, "Maya Okafor", None)
            .await;

        // Without a session the API refuses, in the documented error shape.
        let anonymous = server.client();
        let res = anonymous
            .get(server.url("/api/v1/me"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{name}: /api/v1/me without a session");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(
            body["error"]["code"].is_string(),
            "{name}: error envelope: {body}"
        );

        // A wrong password: 401, and no session cookie that works.
        let wrong = server.client();
        let res = server
            .submit_sign_in(&wrong, &maya.email, "not the right password")
            .await;
        assert_eq!(res.status(), 401, "{name}: wrong password");
        let res = wrong.get(server.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(res.status(), 401, "{name}: session after a wrong password");

        // The right password: a session that knows who we are.
        let client = server.sign_in(&maya).await;
        let me: serde_json::Value = client
            .get(server.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], maya.email.as_str(), "{name}: {me}");
        assert_eq!(me["display_name"], "Maya Okafor", "{name}: {me}");
        assert_eq!(me["role"], "caseworker", "{name}: {me}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_authenticates_and_a_made_up_one_does_not() {
    on_each_backend(async |server: &TestServer| {
        let name = server.name();
        let agency = server.agency("Token Agency").await;
        let auditor = server.user(agency, Role::Auditor).await;
        let token = server.token(&auditor).await;
        let http = server.client();

        let res = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}: valid token");
        let me: serde_json::Value = res.json().await.unwrap();
        assert_eq!(me["email"], auditor.email.as_str(), "{name}: {me}");

        let res = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(format!("{token}x"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{name}: altered token");
    })
    .await;
}
