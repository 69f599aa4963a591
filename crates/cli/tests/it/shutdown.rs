//! Graceful shutdown of the real server: SIGTERM while a request is in flight lets that request
//! finish and its write land, refuses new connections, and exits 0.
//!
//! No sleeps decide the outcome. The request asks `Expect: 100-continue`, so the server's
//! "100 Continue" proves the handler is running and waiting for the body before the signal is
//! sent; a refused connection proves the server has stopped accepting before the body is sent.

use crate::cli::{casework_env, text};
use crate::harness::{backend_name, backends, TestDb};
use crate::serve::{exited, serve, sigterm};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const KEYS: &str = "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// An admin made with the CLI, and a bearer token for them.
fn admin_token(url: &str) -> String {
    let keys = [("CASEWORK_MASTER_KEYS", KEYS)];
    let out = casework_env(
        &[
            "--database-url",
            url,
            "user",
            "add",
            "--agency",
            "Shutdown Agency",
            "--email",
            "ada@shutdown.example",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a long enough passphrase\n"),
        &keys,
    );
    assert!(out.status.success(), "user add: {}", text(&out.stderr));
    let out = casework_env(
        &[
            "--database-url",
            url,
            "token",
            "create",
            "--user",
            "ada@shutdown.example",
        ],
        None,
        &keys,
    );
    assert!(out.status.success(), "token create: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// Connect attempts until one is refused: the listener is closed.
fn wait_until_refused(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match TcpStream::connect(addr) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return,
            // The listener closed while this attempt was half made: try again, the next one
            // meets the closed port.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("connecting to {addr}: {e}"),
            Ok(probe) => drop(probe),
        }
        assert!(
            Instant::now() < deadline,
            "{addr} still accepted connections 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_and_write_then_refuses_new_connections() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let name = backend_name(backend);
        let db = rt.block_on(TestDb::fresh(backend));
        let token = admin_token(&db.url);
        // Entries stay staged until something moves them: here, only the shutdown.
        let served = serve(&db.url, &["--audit-chain-interval-ms", "60000"]);
        let addr = served
            .base
            .strip_prefix("http://")
            .expect("an http address")
            .to_string();

        // A refused read just before the signal (an admin does not read the audit log): its
        // entry is written by the audit writer (on SQLite, staged), not by a use case.
        let refused = rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{}/api/v1/audit", served.base))
                .bearer_auth(&token)
                .send()
                .await
                .expect("ask for clients")
                .status()
        });
        assert_eq!(refused.as_u16(), 403, "{name}: an admin reads no audit log");

        let body = r#"{"name": "Finished In Flight"}"#;
        let (head, tail) = body.split_at(12);
        let mut stream = TcpStream::connect(&addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "POST /api/v1/teams HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            body.len()
        )
        .expect("send the head");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut line = String::new();
        reader.read_line(&mut line).expect("read 100 Continue");
        assert!(
            line.starts_with("HTTP/1.1 100"),
            "{name}: the handler should ask for the body: {line:?}"
        );
        reader.read_line(&mut line).expect("blank line after 100");
        // Half the body now, so the request is mid-body when the signal comes.
        stream.write_all(head.as_bytes()).expect("first half");
        stream.flush().expect("flush");

        sigterm(&served);
        wait_until_refused(&addr);

        stream.write_all(tail.as_bytes()).expect("second half");
        stream.flush().expect("flush");
        let mut answer = String::new();
        reader.read_to_string(&mut answer).expect("the answer");
        assert!(
            answer.starts_with("HTTP/1.1 201"),
            "{name}: the request in flight should finish: {answer}"
        );
        assert!(answer.contains("Finished In Flight"), "{name}: {answer}");

        let status = exited(served);
        assert!(status.success(), "{name}: exit after SIGTERM was {status}");
        assert!(
            TcpStream::connect(&addr).is_err(),
            "{name}: nothing listens after exit"
        );

        // The write is in the database, with its audit entry: nothing half-written.
        rt.block_on(async {
            let store = casework_store::Store::connect(&db.url, 1)
                .await
                .expect("open the database");
            let mut owner = store.owner_conn().await.expect("owner");
            let teams: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM teams WHERE name = 'Finished In Flight'")
                    .fetch_one(&mut owner)
                    .await
                    .expect("count teams");
            assert_eq!(teams, 1, "{name}: the team was written");
            let audited: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_entries WHERE action = 'team.create' AND record_id =
                   (SELECT id FROM teams WHERE name = 'Finished In Flight')",
            )
            .fetch_one(&mut owner)
            .await
            .expect("count audit entries");
            assert_eq!(audited, 1, "{name}: and its audit entry");
            let denied: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE outcome = 'denied'")
                    .fetch_one(&mut owner)
                    .await
                    .expect("count denials");
            assert_eq!(denied, 1, "{name}: the refused read is in the chain");
            if let Some(staging) =
                casework_store::audit_sqlite::staging_file_of(&store).expect("staging file")
            {
                let url = format!("sqlite://{}", staging.display());
                let mut staging = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                    .await
                    .expect("open staging");
                let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_staged")
                    .fetch_one(&mut staging)
                    .await
                    .expect("count staged");
                assert_eq!(left, 0, "{name}: nothing left staged after shutdown");
            }
            store.close().await;
        });
        drop(db);
    }
}
