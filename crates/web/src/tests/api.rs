//! The JSON API: authentication, error shapes, versions, paging.

use super::*;

fn json_request(method: &str, uri: &str, auth: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn authed(method: &str, uri: &str, auth: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}

fn assert_error(answer: &Answer, status: StatusCode, code: &str) -> serde_json::Value {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty() && !m.starts_with("error-")),
        "{body}"
    );
    body
}

#[tokio::test]
async fn me_needs_a_valid_bearer_token() {
    let f = fixture().await;
    let answer = send(&f.router, get("/api/v1/me", None)).await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
    let answer = send(
        &f.router,
        authed("GET", "/api/v1/me", "Bearer cw_not-a-real-token"),
    )
    .await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthenticated");
    let token = bearer(&f.app, "worker@example.org").await;
    let answer = send(&f.router, authed("GET", "/api/v1/me", &token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let me = answer.json();
    assert_eq!(me["email"], "worker@example.org");
    assert_eq!(me["role"], "caseworker");
    assert!(me.get("csrf_token").is_none());
}

#[tokio::test]
async fn errors_come_in_the_callers_language() {
    let f = fixture().await;
    let req = Request::get("/api/v1/me")
        .header(header::ACCEPT_LANGUAGE, "es")
        .body(Body::empty())
        .expect("request");
    let body = assert_error(
        &send(&f.router, req).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    assert_eq!(body["error"]["message"], "Inicia sesión, por favor.");
}

#[tokio::test]
async fn bad_bodies_get_clear_errors_naming_the_field() {
    let f = fixture().await;
    let admin = bearer(&f.app, "admin@example.org").await;
    let send_body = |body: &'static str| json_request("POST", "/api/v1/teams", &admin, body);

    let malformed = send(&f.router, send_body(r#"{"name": "Outreach""#)).await;
    let body = assert_error(&malformed, StatusCode::BAD_REQUEST, "malformed_json");
    assert!(body["error"]["detail"].as_str().is_some());

    let unknown = send(
        &f.router,
        send_body(r#"{"name": "Outreach", "colour": "blue"}"#),
    )
    .await;
    let body = assert_error(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "unknown_field");
    assert_eq!(body["error"]["field"], "colour");

    let wrong = send(&f.router, send_body(r#"{"name": 42}"#)).await;
    let body = assert_error(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "wrong_type");
    assert_eq!(body["error"]["field"], "name");

    let missing = send(&f.router, send_body(r#"{}"#)).await;
    let body = assert_error(&missing, StatusCode::UNPROCESSABLE_ENTITY, "required");
    assert_eq!(body["error"]["field"], "name");

    let empty = send(&f.router, send_body(r#"{"name": "  "}"#)).await;
    let body = assert_error(&empty, StatusCode::UNPROCESSABLE_ENTITY, "required");
    assert_eq!(body["error"]["field"], "name");

    let not_json = Request::post("/api/v1/teams")
        .header(header::AUTHORIZATION, &admin)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("name=Outreach"))
        .expect("request");
    assert_error(
        &send(&f.router, not_json).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    // Nothing was written by any of these.
    let teams = send(&f.router, authed("GET", "/api/v1/teams", &admin)).await;
    assert_eq!(teams.json()["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_in_our_shape() {
    let f = fixture_with(WebConfig {
        max_body_bytes: 1024,
        ..WebConfig::default()
    })
    .await;
    let admin = bearer(&f.app, "admin@example.org").await;
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(4096));
    // With a Content-Length, refused before reading.
    let mut req = json_request("POST", "/api/v1/teams", &admin, &big);
    req.headers_mut()
        .insert(header::CONTENT_LENGTH, big.len().into());
    assert_error(
        &send(&f.router, req).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    // Without one, as in a chunked upload, refused while reading.
    let answer = send(
        &f.router,
        json_request("POST", "/api/v1/teams", &admin, &big),
    )
    .await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn updates_need_the_version_read() {
    let f = fixture().await;
    let admin = bearer(&f.app, "admin@example.org").await;
    let created = send(
        &f.router,
        json_request(
            "POST",
            "/api/v1/users",
            &admin,
            &format!(r#"{{"email": "new@example.org", "display_name": "New", "role": "caseworker", "password": "{PASSWORD}"}}"#),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let user = created.json();
    assert!(user.get("password").is_none());
    let etag = created.headers[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(etag, format!("\"{}\"", user["version"]));
    let uri = format!("/api/v1/users/{}", user["id"]);
    let access = r#"{"role": "supervisor", "team_id": null, "active": true}"#;

    let answer = send(&f.router, json_request("PATCH", &uri, &admin, access)).await;
    assert_error(
        &answer,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    );

    let mut req = json_request("PATCH", &uri, &admin, access);
    req.headers_mut()
        .insert(header::IF_MATCH, etag.parse().expect("header"));
    let answer = send(&f.router, req).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["role"], "supervisor");
    assert_ne!(
        answer.headers[header::ETAG].to_str().ok(),
        Some(etag.as_str())
    );

    let mut req = json_request("PATCH", &uri, &admin, access);
    req.headers_mut()
        .insert(header::IF_MATCH, etag.parse().expect("header"));
    assert_error(
        &send(&f.router, req).await,
        StatusCode::PRECONDITION_FAILED,
        "stale",
    );

    let duplicate = send(
        &f.router,
        json_request(
            "POST",
            "/api/v1/users",
            &admin,
            &format!(r#"{{"email": "new@example.org", "display_name": "Again", "role": "caseworker", "password": "{PASSWORD}"}}"#),
        ),
    )
    .await;
    let body = assert_error(&duplicate, StatusCode::CONFLICT, "duplicate");
    assert_eq!(body["error"]["field"], "email");
}

#[tokio::test]
async fn only_admins_manage_users() {
    let f = fixture().await;
    let worker = bearer(&f.app, "worker@example.org").await;
    assert_error(
        &send(&f.router, authed("GET", "/api/v1/users", &worker)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let admin = bearer(&f.app, "admin@example.org").await;
    let answer = send(&f.router, authed("GET", "/api/v1/users?limit=2", &admin)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let page = answer.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    let cursor = page["next_cursor"].as_str().expect("more").to_string();
    let answer = send(
        &f.router,
        authed(
            "GET",
            &format!("/api/v1/users?limit=2&cursor={cursor}"),
            &admin,
        ),
    )
    .await;
    let page = answer.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page["next_cursor"].is_null());
    let answer = send(&f.router, authed("GET", "/api/v1/users?cursor=abc", &admin)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "cursor_format");
    let answer = send(&f.router, authed("GET", "/api/v1/users?limit=many", &admin)).await;
    let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "wrong_type");
    assert_eq!(body["error"]["field"], "limit");
}

/// Every item of a list, following `next_cursor` `limit` at a time; and how many pages it took.
async fn walk(
    router: &Router,
    path: &str,
    auth: &str,
    limit: usize,
) -> (Vec<serde_json::Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut uri = format!("{path}?limit={limit}");
    loop {
        let answer = send(router, authed("GET", &uri, auth)).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
        let page = answer.json();
        let got = page["items"].as_array().expect("items").clone();
        assert!(got.len() <= limit, "{uri}: {page}");
        pages += 1;
        items.extend(got);
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("{path}?limit={limit}&cursor={cursor}"),
            None => return (items, pages),
        }
    }
}

fn names(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_string())
        .collect()
}

async fn created(router: &Router, path: &str, auth: &str, body: &str) -> serde_json::Value {
    let answer = send(router, json_request("POST", path, auth, body)).await;
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "{path}: {}",
        answer.body
    );
    answer.json()
}

#[tokio::test]
async fn teams_and_programs_are_paged_by_name_with_cursors() {
    each_backend(|f| async move {
        let admin = bearer(&f.app, "admin@example.org").await;
        // Created out of name order, so paging by id would give another order. One case and
        // ASCII only, so both databases' collations agree on the order.
        let wanted = ["Delta", "Alpha", "Echo", "Charlie", "Bravo"];
        for name in wanted {
            let body = format!(r#"{{"name": "{name}"}}"#);
            created(&f.router, "/api/v1/teams", &admin, &body).await;
            let body = format!(r#"{{"name": "{name} program", "plan_approval_required": true}}"#);
            let program = created(&f.router, "/api/v1/programs", &admin, &body).await;
            assert_eq!(program["plan_approval_required"], true);
            assert_eq!(program["closure_approval_required"], false);
        }
        // The pickers' whole lists are in the same order.
        let actor = f
            .app
            .actor_for_email("admin@example.org")
            .await
            .expect("actor");
        let all_teams: Vec<String> = f
            .app
            .teams(&actor)
            .await
            .expect("teams")
            .into_iter()
            .map(|t| t.name)
            .collect();
        let all_programs: Vec<String> = f
            .app
            .programs(&actor)
            .await
            .expect("programs")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(all_teams, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);
        assert_eq!(all_programs[0], "Alpha program");
        for limit in [1, 2, 5] {
            let (teams, pages) = walk(&f.router, "/api/v1/teams", &admin, limit).await;
            assert_eq!(names(&teams), all_teams, "limit {limit}");
            assert_eq!(pages, 5usize.div_ceil(limit).max(1), "limit {limit}");
            let (programs, _) = walk(&f.router, "/api/v1/programs", &admin, limit).await;
            assert_eq!(names(&programs), all_programs, "limit {limit}");
        }
        for path in ["/api/v1/teams", "/api/v1/programs"] {
            for cursor in ["abc", "-3", "1.5"] {
                let answer = send(
                    &f.router,
                    authed("GET", &format!("{path}?cursor={cursor}"), &admin),
                )
                .await;
                let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "cursor_format");
                assert_eq!(body["error"]["field"], "cursor", "{path}?cursor={cursor}");
            }
            // A well-formed cursor naming no team or program of this agency is refused too.
            let answer = send(
                &f.router,
                authed("GET", &format!("{path}?cursor=999999"), &admin),
            )
            .await;
            let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "cursor_format");
            assert_eq!(body["error"]["field"], "cursor");
            let answer = send(
                &f.router,
                authed("GET", &format!("{path}?limit=lots"), &admin),
            )
            .await;
            let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "wrong_type");
            assert_eq!(body["error"]["field"], "limit");
        }
    })
    .await;
}

#[tokio::test]
async fn tokens_are_paged_newest_first_with_cursors() {
    each_backend(|f| async move {
        let first = bearer(&f.app, "worker@example.org").await;
        let mut ids = Vec::new();
        for n in 0..6 {
            let body = format!(r#"{{"name": "script {n}"}}"#);
            let token = created(&f.router, "/api/v1/tokens", &first, &body).await;
            ids.push(token["id"].as_i64().expect("id"));
        }
        let (tokens, pages) = walk(&f.router, "/api/v1/tokens", &first, 2).await;
        let listed: Vec<i64> = tokens
            .iter()
            .map(|t| t["id"].as_i64().expect("id"))
            .collect();
        // The six made here and the one `bearer` made, newest first, each once.
        assert_eq!(listed.len(), 7, "{tokens:?}");
        assert_eq!(pages, 4);
        assert_eq!(
            listed[..6],
            ids.iter().rev().copied().collect::<Vec<_>>()[..]
        );
        assert!(listed.windows(2).all(|w| w[0] > w[1]), "{listed:?}");
        // Someone else's list does not include them.
        let admin = bearer(&f.app, "admin@example.org").await;
        let (theirs, _) = walk(&f.router, "/api/v1/tokens", &admin, 2).await;
        assert_eq!(theirs.len(), 1);
        let answer = send(&f.router, authed("GET", "/api/v1/tokens?cursor=x1", &first)).await;
        let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "cursor_format");
        assert_eq!(body["error"]["field"], "cursor");
    })
    .await;
}

#[tokio::test]
async fn users_are_walked_with_cursors_each_once() {
    each_backend(|f| async move {
        let admin = bearer(&f.app, "admin@example.org").await;
        let (users, pages) = walk(&f.router, "/api/v1/users", &admin, 1).await;
        let emails: Vec<&str> = users
            .iter()
            .map(|u| u["email"].as_str().expect("email"))
            .collect();
        assert_eq!(
            emails,
            [
                "admin@example.org",
                "worker@example.org",
                "auditor@example.org"
            ]
        );
        assert_eq!(pages, 3);
        let answer = send(
            &f.router,
            authed("GET", "/api/v1/users?cursor=%20-1", &admin),
        )
        .await;
        let body = assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "cursor_format");
        assert_eq!(body["error"]["field"], "cursor");
    })
    .await;
}

#[tokio::test]
async fn tokens_are_created_listed_and_revoked() {
    let f = fixture().await;
    let first = bearer(&f.app, "worker@example.org").await;
    let created = send(
        &f.router,
        json_request("POST", "/api/v1/tokens", &first, r#"{"name": "sync"}"#),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let created = created.json();
    let second = format!("Bearer {}", created["token"].as_str().expect("token"));
    let list = send(&f.router, authed("GET", "/api/v1/tokens", &second))
        .await
        .json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert!(list["items"]
        .as_array()
        .is_some_and(|items| items.iter().all(|item| item.get("token").is_none())));
    let uri = format!("/api/v1/tokens/{}", created["id"]);
    assert_eq!(
        send(&f.router, authed("DELETE", &uri, &first)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &send(&f.router, authed("GET", "/api/v1/me", &second)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    assert_error(
        &send(&f.router, authed("DELETE", &uri, &first)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn the_session_cookie_works_but_writes_need_the_csrf_header() {
    let f = fixture().await;
    let admin = sign_in(&f.router, "admin@example.org").await;
    let me = send(&f.router, get("/api/v1/me", Some(&admin.cookie)))
        .await
        .json();
    assert_eq!(me["csrf_token"], admin.csrf.as_str());
    let write = |csrf: Option<&str>| {
        let mut req = Request::post("/api/v1/teams")
            .header(header::COOKIE, &admin.cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = csrf {
            req = req.header("x-csrf-token", token);
        }
        req.body(Body::from(r#"{"name": "Outreach"}"#))
            .expect("request")
    };
    assert_error(
        &send(&f.router, write(None)).await,
        StatusCode::FORBIDDEN,
        "csrf_failed",
    );
    assert_eq!(
        send(&f.router, write(Some(&admin.csrf))).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let f = fixture().await;
    assert_error(
        &send(&f.router, get("/api/v1/nothing", None)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let answer = send(&f.router, authed("PUT", "/api/v1/me", "Bearer cw_x")).await;
    assert_error(
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}
