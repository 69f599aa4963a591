//! The audit log for auditors: the page, its filters and paging, the CSV download, the API, and
//! refusals for everyone else (which are themselves on the log).

use super::*;
use casework_domain::client::ClientForm;
use casework_service::client::DuplicateDecision;

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"open\")";

fn with_bearer(uri: &str, auth: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, auth)
        .body(Body::empty())
        .expect("request")
}

async fn user_id(app: &Casework, email: &str) -> i64 {
    app.actor_for_email(email).await.expect("actor").user_id
}

/// The `seq` of every item of an API page.
fn seqs(page: &serde_json::Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["seq"].as_i64().expect("seq"))
        .collect()
}

/// A supervisor registers two clients and merges them with a reason that looks like a
/// spreadsheet formula: an entry (`client.merge`) whose reason a CSV must defuse.
async fn merge_with_formula_reason(f: &Fixture) {
    let agency = f
        .app
        .ensure_agency("Riverside Family Services")
        .await
        .expect("agency");
    f.app
        .create_user(
            None,
            agency.id,
            &casework_service::admin::UserForm {
                email: "supervisor@example.org".into(),
                display_name: "Test supervisor".into(),
                role: "supervisor".into(),
                team_id: None,
                password: Secret::new(PASSWORD),
                locale: "en".into(),
            },
        )
        .await
        .expect("supervisor");
    let sup = f
        .app
        .actor_for_email("supervisor@example.org")
        .await
        .expect("actor");
    let mut ids = Vec::new();
    for name in ["Ana Perez", "Ana Pérez"] {
        let form = ClientForm {
            legal_name: name.into(),
            birth_date: Some("1990-04-01".into()),
            ..ClientForm::default()
        };
        let client = f
            .app
            .register_client(&sup, &form, &DuplicateDecision::default())
            .await
            .expect("registered");
        ids.push(client.id);
    }
    f.app
        .merge_clients(&sup, ids[0], ids[1], FORMULA)
        .await
        .expect("merged");
    f.app.flush_audit().await;
}

#[tokio::test]
async fn an_auditor_browses_the_log_newest_first() {
    let f = fixture().await;
    sign_in(&f.router, "worker@example.org").await;
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    f.app.flush_audit().await;
    let page = send(&f.router, get("/audit", Some(&auditor.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("session.sign_in"), "{}", page.body);
    // Every field has its label; the table is described for screen readers.
    for id in [
        "audit-actor",
        "audit-client",
        "audit-action",
        "audit-outcome",
        "audit-from",
        "audit-to",
    ] {
        assert!(page.body.contains(&format!("<label for=\"{id}\">")), "{id}");
        assert!(page.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page
        .body
        .contains("<caption>Audit entries, newest first</caption>"));
    assert!(page.body.contains("<th scope=\"col\">Action</th>"));
    assert!(page.body.contains("href=\"/audit.csv\""));
    // Newest first: the auditor's sign-in comes before the worker's.
    let worker = user_id(&f.app, "worker@example.org").await;
    let auditor_id = user_id(&f.app, "auditor@example.org").await;
    let at_auditor = page.body.find(&format!("(User {auditor_id})"));
    let at_worker = page.body.find(&format!("(User {worker})"));
    assert!(
        at_auditor.is_some() && at_worker.is_some() && at_auditor < at_worker,
        "{}",
        page.body
    );
    // "Who" is picked from the agency's staff by name, the chosen one kept selected.
    let chosen = send(
        &f.router,
        get(
            &format!("/audit?actor_user_id={worker}"),
            Some(&auditor.cookie),
        ),
    )
    .await;
    assert!(
        chosen
            .body
            .contains(&format!("<option value=\"{worker}\" selected>")),
        "{}",
        chosen.body
    );
    assert!(chosen
        .body
        .contains(&format!("<option value=\"{auditor_id}\">")));
    // In Spanish too.
    let es = encode(&[("csrf", &auditor.csrf), ("lang", "es"), ("back", "/audit")]);
    send(&f.router, form("/language", Some(&auditor.cookie), &es)).await;
    let page = send(&f.router, get("/audit", Some(&auditor.cookie))).await;
    assert!(page.body.contains("Registro de auditoría"), "{}", page.body);
}

#[tokio::test]
async fn a_caseworker_is_refused_and_the_refusal_is_on_the_log() {
    let f = fixture().await;
    let worker = sign_in(&f.router, "worker@example.org").await;
    let page = send(&f.router, get("/audit", Some(&worker.cookie))).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains("session.sign_in"));
    // Even with a filter that would not parse, the answer is the refusal.
    let page = send(&f.router, get("/audit?from=nonsense", Some(&worker.cookie))).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let csv = send(&f.router, get("/audit.csv", Some(&worker.cookie))).await;
    assert_eq!(csv.status, StatusCode::FORBIDDEN);
    assert!(!csv.body.contains("session.sign_in"));
    let token = bearer(&f.app, "worker@example.org").await;
    let api = send(&f.router, with_bearer("/api/v1/audit", &token)).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.body);
    assert_eq!(api.json()["error"]["code"], "forbidden");
    let api = send(&f.router, with_bearer("/api/v1/audit?client_id=x", &token)).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.body);
    // Signed out: to the sign-in page.
    let anonymous = send(&f.router, get("/audit", None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);

    f.app.flush_audit().await;
    let worker_id = user_id(&f.app, "worker@example.org").await;
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    let denials = send(
        &f.router,
        get("/audit?outcome=denied", Some(&auditor.cookie)),
    )
    .await;
    assert_eq!(denials.status, StatusCode::OK, "{}", denials.body);
    assert!(denials.body.contains("audit.browse"), "{}", denials.body);
    assert!(
        denials.body.contains(&format!("(User {worker_id})")),
        "{}",
        denials.body
    );
    assert!(denials
        .body
        .contains("<strong class=\"field-problem\">Denied</strong>"));
    // Only denials: no sign-ins, no "Allowed" cell.
    assert!(
        !denials.body.contains("session.sign_in"),
        "{}",
        denials.body
    );
    assert!(!denials
        .body
        .contains("<td data-label=\"Outcome\">Allowed</td>"));
    assert!(denials.body.contains("<option value=\"denied\" selected>"));

    let token = bearer(&f.app, "auditor@example.org").await;
    let api = send(
        &f.router,
        with_bearer(
            "/api/v1/audit?outcome=denied&action=audit.&limit=100",
            &token,
        ),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let items = api.json()["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 5, "{items:?}");
    for item in items {
        assert_eq!(item["actor_user_id"], worker_id);
        assert_eq!(item["outcome"], "denied");
    }
}

#[tokio::test]
async fn bad_filters_are_shown_next_to_their_field() {
    let f = fixture().await;
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    let page = send(
        &f.router,
        get(
            "/audit?from=2026-13-45&action=session.",
            Some(&auditor.cookie),
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .body
        .contains("<span class=\"field-problem\" id=\"audit-from-problem\">Enter the date as YYYY-MM-DD.</span>"));
    assert!(page.body.contains("value=\"2026-13-45\""));
    assert!(page.body.contains("value=\"session.\""));
    assert!(!page.body.contains("<table"));
    for (query, field, message) in [
        (
            "actor_user_id=abc",
            "audit-actor",
            "Enter a whole number such as 12.",
        ),
        (
            "client_id=-4",
            "audit-client",
            "Enter a whole number such as 12.",
        ),
        (
            "outcome=maybe",
            "audit-outcome",
            "Pick one of the offered choices.",
        ),
        (
            "from=2026-05-02&to=2026-05-01",
            "audit-to",
            "The end date is before the start date.",
        ),
    ] {
        let page = send(
            &f.router,
            get(&format!("/audit?{query}"), Some(&auditor.cookie)),
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            page.body
                .contains(&format!("id=\"{field}-problem\">{message}</span>")),
            "{query}: {}",
            page.body
        );
    }
    let page = send(&f.router, get("/audit?cursor=zz", Some(&auditor.cookie))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("class=\"problem\" role=\"alert\""));
    let csv = send(
        &f.router,
        get("/audit.csv?to=yesterday", Some(&auditor.cookie)),
    )
    .await;
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A valid filter with nothing in it: the empty state.
    let page = send(
        &f.router,
        get("/audit?action=nothing.like.this", Some(&auditor.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No entries match these filters."));
    assert!(page
        .body
        .contains("href=\"/audit.csv?action=nothing.like.this\""));
}

#[tokio::test]
async fn older_entries_keep_the_filters() {
    let f = fixture().await;
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    let token = bearer(&f.app, "auditor@example.org").await;
    // Each browse is an entry of its own.
    for _ in 0..55 {
        let api = send(&f.router, with_bearer("/api/v1/audit?limit=1", &token)).await;
        assert_eq!(api.status, StatusCode::OK);
    }
    f.app.flush_audit().await;
    let first = send(
        &f.router,
        get(
            "/audit?action=audit.&outcome=allowed",
            Some(&auditor.cookie),
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let marker = "href=\"/audit?action=audit.&#38;outcome=allowed&#38;cursor=";
    let start = first
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("an older-entries link: {}", first.body))
        + marker.len();
    let end = first.body[start..].find('"').expect("end") + start;
    let cursor = &first.body[start..end];
    let older = send(
        &f.router,
        get(
            &format!("/audit?action=audit.&outcome=allowed&cursor={cursor}"),
            Some(&auditor.cookie),
        ),
    )
    .await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(older.body.contains("audit.browse"));
    assert!(older.body.contains("Newest entries"));
    assert!(!older.body.contains("rel=\"next\""), "{}", older.body);
}

#[tokio::test]
async fn the_csv_holds_every_matching_entry_with_formulas_defused() {
    let f = fixture().await;
    merge_with_formula_reason(&f).await;
    sign_in(&f.router, "worker@example.org").await;
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    f.app.flush_audit().await;
    let csv = send(&f.router, get("/audit.csv", Some(&auditor.cookie))).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(
        csv.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"text/csv; charset=utf-8"[..])
    );
    assert_eq!(
        csv.headers
            .get(header::CONTENT_DISPOSITION)
            .map(|v| v.as_bytes()),
        Some(&b"attachment; filename=\"audit-log.csv\""[..])
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "seq,at,actor_user_id,action,record_type,record_id,client_id,outcome,reason,hash,subjects"
    );
    // The formula arrives as text: quoted, with the apostrophe in front.
    assert!(
        csv.body
            .contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\","),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains(",=HYPERLINK") && !csv.body.contains(",\"=HYPERLINK"));
    assert!(csv.body.contains(",session.sign_in,"));

    // One row per entry: the same entries as the API gives for the same filter.
    let token = bearer(&f.app, "auditor@example.org").await;
    let api = send(
        &f.router,
        with_bearer("/api/v1/audit?action=client.&limit=500", &token),
    )
    .await;
    let expected = seqs(&api.json());
    assert!(expected.len() >= 3, "{expected:?}");
    let csv = send(
        &f.router,
        get("/audit.csv?action=client.", Some(&auditor.cookie)),
    )
    .await;
    let rows: Vec<i64> = csv
        .body
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .next()
                .and_then(|s| s.parse().ok())
                .expect("seq")
        })
        .collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn api_pages_are_disjoint_and_newest_first() {
    each_backend(|f| async move {
        for _ in 0..3 {
            sign_in(&f.router, "worker@example.org").await;
        }
        f.app.flush_audit().await;
        let token = bearer(&f.app, "auditor@example.org").await;
        let first = send(
            &f.router,
            with_bearer("/api/v1/audit?action=session.&limit=2", &token),
        )
        .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let first = first.json();
        let cursor = first["next_cursor"].as_str().expect("more").to_string();
        let second = send(
            &f.router,
            with_bearer(
                &format!("/api/v1/audit?action=session.&limit=2&cursor={cursor}"),
                &token,
            ),
        )
        .await
        .json();
        let (a, b) = (seqs(&first), seqs(&second));
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 1, "{second}");
        assert!(second["next_cursor"].is_null());
        assert!(a[0] > a[1] && a[1] > b[0], "{a:?} {b:?}");
        let item = &first["items"][0];
        assert_eq!(item["action"], "session.sign_in");
        assert_eq!(item["at"], "2026-09-21T14:13:20Z");
        assert!(item["hash"].as_str().is_some_and(|h| h.len() == 64));

        for (query, field) in [
            ("actor_user_id=abc", "actor_user_id"),
            ("from=2026-02-30", "from"),
            ("outcome=perhaps", "outcome"),
            ("limit=lots", "limit"),
            ("cursor=-3", "cursor"),
        ] {
            let answer = send(
                &f.router,
                with_bearer(&format!("/api/v1/audit?{query}"), &token),
            )
            .await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(answer.json()["error"]["field"], field, "{query}");
        }
    })
    .await;
}

/// A caseload page is one entry; the auditor sees what it showed on the page (under the entry),
/// in the API, and when filtering by one of the clients shown.
#[tokio::test]
async fn a_caseload_page_shows_as_one_entry_with_the_cases_it_listed() {
    let f = fixture().await;
    let mut shown = Vec::new();
    for name in ["Ana Torres", "Luz Mora"] {
        let (client, case) = client_with_case(&f.app, "worker@example.org", name).await;
        shown.push((case, client));
    }
    let browser = sign_in(&f.router, "worker@example.org").await;
    let caseload = send(&f.router, get("/caseload", Some(&browser.cookie))).await;
    assert_eq!(caseload.status, StatusCode::OK);
    let auditor = sign_in(&f.router, "auditor@example.org").await;
    f.app.flush_audit().await;

    let page = send(
        &f.router,
        get("/audit?action=case.list", Some(&auditor.cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body.matches("<code>case.list</code>").count(), 1);
    assert!(page.body.contains("a list of 2 (case)"), "{}", page.body);
    for (case, client) in &shown {
        assert!(
            page.body
                .contains(&format!("<li>case {case}, client {client}</li>")),
            "{}",
            page.body
        );
    }

    let token = bearer(&f.app, "auditor@example.org").await;
    let (case, client) = shown[1];
    let api = send(
        &f.router,
        with_bearer(
            &format!("/api/v1/audit?client_id={client}&action=case.list"),
            &token,
        ),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let items = api.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{}", api.body);
    let subjects = items[0]["subjects"].as_array().cloned().expect("subjects");
    assert!(subjects
        .iter()
        .any(|s| s["record_id"].as_i64() == Some(case) && s["client_id"].as_i64() == Some(client)));
}
