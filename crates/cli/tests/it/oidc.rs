//! Signing in through the agency's OpenID Connect provider against the real server: a client
//! that keeps cookies and follows redirects goes to the in-test provider and back, as a
//! browser does.

use crate::harness::{on_each_backend, TestServer, START_MS};
use casework_service::auth::Secret;
use casework_service::domain::Role;
use casework_service::identity_provider::ProviderForm;
use casework_service::oidc_testing::{TestProvider, CLIENT_ID, CLIENT_SECRET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_signs_in_through_the_agencys_provider_and_a_bad_token_is_refused() {
    on_each_backend(async |server: &TestServer| {
        let name = server.name();
        let idp = TestProvider::start(START_MS).await;
        let agency = server.agency("Riverside Test Agency").await;
        let admin = server.user(agency, Role::Admin).await;
        let maya = server
            .user_with(agency, Role::Caseworker, "Maya Okafor", None)
            .await;
        let admin_actor = server.app.actor_for_email(&admin.email).await.unwrap();
        let form = ProviderForm {
            display_name: "Riverside login".into(),
            issuer: idp.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new(CLIENT_SECRET),
            user_claim: String::new(),
            enabled: true,
        };
        server
            .app
            .save_identity_provider(&admin_actor, 0, &form)
            .await
            .unwrap();
        idp.set(|b| b.email = Some(maya.email.clone()));

        let client = server.client();
        let page = client
            .get(server.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = format!("/sign-in/oidc/{agency}");
        assert!(page.contains(&link), "{name}: provider button");

        // Out to the provider and back, every redirect followed: a session on the caseload.
        let res = client.get(server.url(&link)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{name}");
        assert_eq!(res.url().path(), "/caseload", "{name}");
        let me: serde_json::Value = client
            .get(server.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], maya.email.as_str(), "{name}: {me}");
        assert_eq!(idp.last_client_auth(), Some("basic"), "{name}");

        // A token for another client: refused on its page, and no session.
        idp.set(|b| b.audience = Some("another-client".into()));
        let other = server.client();
        let res = other.get(server.url(&link)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{name}");
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("The sign-in could not be verified"));
        let res = other.get(server.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(res.status(), 401, "{name}: no session after a refusal");
    })
    .await;
}
