//! The API against the simulator, on SQLite: logins, sends, events (SSE and webhook), tokens,
//! and bad input (clear errors, nothing stored).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ADMIN, Api, node, simulator, sqlite, sse};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The rows of a table, read straight from the database file.
async fn count(database: &str, table: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database).await.unwrap();
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_stores_nothing() {
    let sim = simulator().await;
    let dir = tempdir();
    let db = sqlite(dir.path());
    let server = node(&sim, &db, &["--max-upload-bytes", "1000"]).await;
    let admin = Api::new(&server, Some(ADMIN));
    admin.online_account("a1").await;
    admin.online_account("idle").await;
    let out = admin.post("/v1/accounts/idle/logout", json!({})).await;
    assert_eq!(out.status, 200, "{out:?}");
    admin.wait_state("idle", "logged_out").await;
    let actions = count(&db, "actions").await;
    let accounts = count(&db, "accounts").await;

    // Tokens.
    let none = admin.with_token(None);
    assert_eq!(none.get("/v1/accounts").await.status, 401);
    let wrong = admin.with_token(Some("wxs_wrong"));
    let answer = wrong.get("/v1/accounts").await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error"]["code"], "unauthorized");
    let basic = admin.with_token(None);
    let answer = basic
        .request("GET", "/v1/accounts", None, bytes::Bytes::new())
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        none.get("/v1/health").await.status,
        200,
        "health needs no token"
    );

    // A token scoped to a1 sees a1 only, and cannot make accounts or tokens.
    let made = admin
        .post("/v1/tokens", json!({ "accounts": ["a1"] }))
        .await;
    assert_eq!(made.status, 201, "{made:?}");
    let scoped = admin.with_token(made.body["secret"].as_str());
    let seen = scoped.get("/v1/accounts").await;
    let ids: Vec<&str> = seen.body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a1"]);
    assert_eq!(scoped.get("/v1/accounts/idle").await.status, 404);
    assert_eq!(scoped.post("/v1/accounts", json!({})).await.status, 403);
    assert_eq!(scoped.get("/v1/tokens").await.status, 403);
    let sent = scoped
        .post(
            "/v1/accounts/idle/messages",
            json!({ "to": "filehelper", "text": "x" }),
        )
        .await;
    assert_eq!(sent.status, 404, "another account's send looks unknown");

    // Unknown accounts.
    for path in [
        "/v1/accounts/nobody",
        "/v1/accounts/nobody/contacts",
        "/v1/accounts/nobody/actions/act_x",
        "/v1/accounts/nobody/qr.png",
    ] {
        let answer = admin.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.body["error"]["code"], "not_found", "{path}");
    }
    let answer = admin
        .post(
            "/v1/accounts/nobody/messages",
            json!({ "to": "filehelper", "text": "x" }),
        )
        .await;
    assert_eq!(answer.status, 404);

    // Malformed and wrong JSON.
    let answer = admin
        .request(
            "POST",
            "/v1/accounts/a1/messages",
            Some("application/json"),
            "{\"to\": ",
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"]["code"], "bad_json");
    let answer = admin
        .post(
            "/v1/accounts/a1/messages",
            json!({ "to": "filehelper", "text": "x", "extra": 1 }),
        )
        .await;
    assert_eq!(answer.status, 400, "unknown fields are refused");
    let answer = admin
        .request("POST", "/v1/accounts/a1/messages", Some("text/plain"), "{}")
        .await;
    assert_eq!(answer.status, 415);
    let answer = admin
        .post(
            "/v1/accounts/a1/messages",
            json!({ "to": "filehelper", "text": "" }),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"]["code"], "bad_request");
    let answer = admin
        .post(
            "/v1/accounts/a1/operations",
            json!({ "op": "launch_rockets" }),
        )
        .await;
    assert_eq!(answer.status, 400);
    let answer = admin
        .post(
            "/v1/accounts/a1/operations",
            json!({ "op": "add_members", "group": "@@g", "members": [] }),
        )
        .await;
    assert_eq!(answer.status, 400);
    let answer = admin
        .post("/v1/accounts", json!({ "id": "no spaces" }))
        .await;
    assert_eq!(answer.status, 400);
    let answer = admin.post("/v1/accounts", json!({ "id": "a1" })).await;
    assert_eq!(answer.status, 409, "the id is taken");

    // A huge JSON body.
    let huge = json!({ "to": "filehelper", "text": "x".repeat(2 * 1024 * 1024) });
    // The node answers 413 as soon as the body passes its limit, and may close the
    // connection before the client has sent the rest: either is a refusal.
    let answer = admin
        .try_request(
            "POST",
            "/v1/accounts/a1/messages",
            Some("application/json"),
            huge.to_string(),
        )
        .await;
    if let Ok(answer) = answer {
        assert_eq!(answer.status, 413, "{answer:?}");
    }
    // That connection is closed: go on with new ones.
    let admin = admin.fresh();

    // Uploads: too large, no file, not multipart.
    let big = multipart("filehelper", "big.bin", &[7u8; 1001]);
    // Within the route's slack (64 KiB over the limit) the node reads the whole upload, so the
    // client gets the answer.
    let answer = admin
        .request("POST", "/v1/accounts/a1/files", Some(&big.0), big.1)
        .await;
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "too_large");
    let answer = admin
        .request(
            "POST",
            "/v1/accounts/a1/files",
            Some("application/json"),
            "{}",
        )
        .await;
    assert_eq!(answer.status, 400);

    // An account that is not online cannot send.
    let answer = admin
        .post(
            "/v1/accounts/idle/messages",
            json!({ "to": "filehelper", "text": "x" }),
        )
        .await;
    assert_eq!(answer.status, 409, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "not_online");

    // Nothing of that was stored.
    assert_eq!(count(&db, "actions").await, actions);
    assert_eq!(count(&db, "accounts").await, accounts);
    let uin: u64 = admin.get("/v1/accounts/a1").await.body["uin"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(sim.sent(uin).unwrap_or_default().is_empty());
    // No answer carried a secret.
    for a in admin.get("/v1/accounts").await.body["accounts"]
        .as_array()
        .unwrap()
    {
        let text = a.to_string();
        assert!(
            !text.contains("skey") && !text.contains("pass_ticket"),
            "{text}"
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_events_and_webhooks() {
    let sim = simulator().await;
    let dir = tempdir();
    let db = sqlite(dir.path());
    let hook = Receiver::start().await;
    let server = node(&sim, &db, &["--webhook-url", &hook.url]).await;
    let api = Api::new(&server, Some(ADMIN));
    let account = api.online_account("a1").await;
    let uin: u64 = account["uin"].as_str().unwrap().parse().unwrap();

    // A text: done within the wait, recorded once by the server, with its LocalID.
    let sent = api
        .post(
            "/v1/accounts/a1/messages",
            json!({ "to": "filehelper", "text": "hello" }),
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(sent.body["status"], "done");
    let local_id = sent.body["local_id"].as_str().unwrap().to_string();
    assert_eq!(local_id.len(), 17);
    let recorded = sim.sent(uin).unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].content, "hello");
    assert_eq!(recorded[0].local_id, local_id);
    let action = api
        .get(&format!(
            "/v1/accounts/a1/actions/{}",
            sent.body["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(action.body["msg_id"], sent.body["msg_id"]);

    // A file, uploaded in the request.
    let form = multipart("filehelper", "notes.txt", b"some notes");
    let file = api
        .request("POST", "/v1/accounts/a1/files", Some(&form.0), form.1)
        .await;
    assert_eq!(file.status, 200, "{file:?}");
    assert_eq!(file.body["status"], "done", "{file:?}");
    assert_eq!(sim.uploads(uin).unwrap().len(), 1);

    // A message to the account: an event on the stream and at the webhook.
    let msg_id = sim.inject_text(uin, None, "to the bot").unwrap();
    let events = sse(&api, "/v1/events?after=0", None, |seen| {
        seen.iter().any(|e| e["data"]["id"] == msg_id.as_str())
    })
    .await;
    let message = events
        .iter()
        .find(|e| e["type"] == "message" && e["data"]["id"] == msg_id.as_str())
        .expect("the message on the stream");
    assert_eq!(message["data"]["text"], "to the bot");
    assert_eq!(message["account"], "a1");
    // Ids increase; resuming after one gives what follows it.
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let middle = ids[ids.len() / 2];
    let rest = sse(&api, "/v1/accounts/a1/events", Some(middle), |seen| {
        !seen.is_empty()
    })
    .await;
    assert_eq!(rest[0]["id"].as_i64().unwrap(), ids[ids.len() / 2 + 1]);

    // The webhook got every event, signed.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let got = hook.ids();
        if ids.iter().all(|id| got.contains(id)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "webhook missed events: {got:?} of {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(hook.bad_signatures(), 0);

    // Contacts from the saved store; no avatar URL (it would carry the skey).
    let contacts = api
        .get("/v1/accounts/a1/contacts?kind=friend&limit=3")
        .await;
    assert_eq!(contacts.status, 200);
    assert_eq!(contacts.body["contacts"].as_array().unwrap().len(), 3);
    assert!(!contacts.raw.windows(4).any(|w| w == b"skey"));
    let groups = api.get("/v1/accounts/a1/contacts?kind=group").await;
    let group = groups.body["contacts"][0]["user_name"]
        .as_str()
        .unwrap()
        .to_string();
    let one = api.get(&format!("/v1/accounts/a1/contacts/{group}")).await;
    assert!(
        one.body["members"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{one:?}"
    );

    // An operation.
    let friend = contacts.body["contacts"][0]["user_name"].as_str().unwrap();
    let op = api
        .post(
            "/v1/accounts/a1/operations",
            json!({ "op": "remark", "user_name": friend, "remark": "from the api" }),
        )
        .await;
    assert_eq!(op.status, 200, "{op:?}");
    assert_eq!(op.body["status"], "done", "{op:?}");

    // Logout: the account is logged out, the stream says so, sends are refused.
    let out = api.post("/v1/accounts/a1/logout", json!({})).await;
    assert_eq!(out.status, 200, "{out:?}");
    api.wait_state("a1", "logged_out").await;
    let refused = api
        .post(
            "/v1/accounts/a1/messages",
            json!({ "to": "filehelper", "text": "late" }),
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.body["error"]["code"], "not_online");
    assert!(
        sim.sessions().iter().all(|s| s.deviations.is_empty()),
        "{:?}",
        sim.sessions()
    );
    let metrics = api.get("/metrics").await;
    let text = String::from_utf8_lossy(&metrics.raw);
    assert!(text.contains("webwx_messages_sent_total 2"), "{text}");
    assert!(
        text.contains("webwx_accounts{state=\"logged_out\"} 1"),
        "{text}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_crashed_is_taken_over_without_a_scan() {
    let sim = simulator().await;
    let dir = tempdir();
    let db = sqlite(dir.path());
    let first = node(&sim, &db, &["--node-id", "first", "--lease-seconds", "2"]).await;
    let api = Api::new(&first, Some(ADMIN));
    let before = api.online_account("a1").await;
    first.kill();
    let second = node(&sim, &db, &["--node-id", "second", "--lease-seconds", "2"]).await;
    let api = Api::new(&second, Some(ADMIN));
    let started = tokio::time::Instant::now();
    loop {
        let a = api.get("/v1/accounts/a1").await.body;
        if a["node"] == "second" && a["state"] == "online" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "not taken over: {a}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The same WeChat session, resumed: no second login at the simulator.
    let after = api.get("/v1/accounts/a1").await.body;
    assert_eq!(after["uin"], before["uin"]);
    assert_eq!(sim.sessions().len(), 1);
    let sent = api
        .post(
            "/v1/accounts/a1/messages",
            json!({ "to": "filehelper", "text": "still here" }),
        )
        .await;
    assert_eq!(sent.body["status"], "done", "{sent:?}");
    second.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_stops_gracefully_hands_its_accounts_over_at_once() {
    let sim = simulator().await;
    let dir = tempdir();
    let db = sqlite(dir.path());
    // Leases of a minute: a takeover within seconds means the lease was given up, not run out.
    let first = node(&sim, &db, &["--node-id", "first", "--lease-seconds", "60"]).await;
    let second = node(&sim, &db, &["--node-id", "second", "--lease-seconds", "60"]).await;
    let api = Api::new(&first, Some(ADMIN));
    api.online_account("a1").await;
    assert_eq!(api.get("/v1/accounts/a1").await.body["node"], "first");
    first.shutdown().await.unwrap();
    let api = Api::new(&second, Some(ADMIN));
    let started = tokio::time::Instant::now();
    loop {
        let a = api.get("/v1/accounts/a1").await.body;
        if a["node"] == "second" && a["state"] == "online" {
            break;
        }
        // The second node looks for accounts to take over every second.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "not handed over: {a}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sim.sessions().len(), 1, "resumed, not logged in again");
    second.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_comes_through_the_holder_from_any_node() {
    let sim = simulator().await;
    let dir = tempdir();
    let db = sqlite(dir.path());
    // Two nodes on one database (SQLite allows it on one machine; PostgreSQL is the usual case).
    let holder = node(&sim, &db, &["--node-id", "holder"]).await;
    let api = Api::new(&holder, Some(ADMIN));
    let account = api.online_account("a1").await;
    let other = node(&sim, &db, &["--node-id", "other"]).await;
    let via_other = Api::new(&other, Some(ADMIN));
    let uin: u64 = account["uin"].as_str().unwrap().parse().unwrap();
    let image = sim.inject_media(uin, webwx_sim::MediaKind::Image).unwrap();
    let path = format!("/v1/accounts/a1/messages/{}/media", image.msg_id);
    // The event is there once the holder wrote it.
    let mut got = api.get(&path).await;
    for _ in 0..100 {
        if got.status != 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        got = api.get(&path).await;
    }
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(got.raw.as_ref(), image.bytes.as_slice());
    let thumbnail = api.get(&format!("{path}?variant=thumbnail")).await;
    assert_eq!(thumbnail.status, 200);
    assert_eq!(Some(thumbnail.raw.to_vec()), image.thumbnail);
    // Through the node that does not hold the account: forwarded to the holder.
    let forwarded = via_other.get(&path).await;
    assert_eq!(forwarded.status, 200, "{forwarded:?}");
    assert_eq!(forwarded.raw.as_ref(), image.bytes.as_slice());
    // A message without media, an unknown message, a bad variant.
    let text = sim.inject_text(uin, None, "no media").unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let none = api
        .get(&format!("/v1/accounts/a1/messages/{text}/media"))
        .await;
    assert_eq!(none.status, 404, "{none:?}");
    assert_eq!(
        api.get("/v1/accounts/a1/messages/123/media").await.status,
        404
    );
    assert_eq!(api.get(&format!("{path}?variant=huge")).await.status, 400);
    other.shutdown().await.unwrap();
    holder.shutdown().await.unwrap();
}

#[test]
fn the_openapi_file_is_the_one_the_code_makes() {
    let made = webwx_server::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &made).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == made,
        "server/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p webwx-server --test api`"
    );
    let doc: Value = serde_json::from_str(&made).unwrap();
    assert!(doc["paths"]["/v1/accounts/{id}/messages"]["post"].is_object());
}

/// A multipart form with `to` and a `file`: (content type, body).
fn multipart(to: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----webwxtestboundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n{to}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn tempdir() -> TempDir {
    let path = std::env::temp_dir().join(format!(
        "webwx-serve-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&path).unwrap();
    TempDir(path)
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A webhook receiver that checks signatures.
struct Receiver {
    url: String,
    seen: Arc<Mutex<(Vec<i64>, usize)>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let seen: Arc<Mutex<(Vec<i64>, usize)>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let state = Arc::clone(&seen);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let state = Arc::clone(&state);
                    async move {
                        let signature = headers["webwx-signature"].to_str().unwrap().to_string();
                        let t: i64 = signature
                            .split(',')
                            .next()
                            .and_then(|p| p.strip_prefix("t="))
                            .unwrap()
                            .parse()
                            .unwrap();
                        let good =
                            webwx_server::webhook_signature(b"hook-key", t, &body) == signature;
                        let event: Value = serde_json::from_slice(&body).unwrap();
                        let id = headers["webwx-event-id"]
                            .to_str()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap();
                        assert_eq!(event["id"].as_i64(), Some(id));
                        let mut s = state.lock().unwrap();
                        s.0.push(id);
                        if !good {
                            s.1 += 1;
                        }
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, seen }
    }

    fn ids(&self) -> Vec<i64> {
        self.seen.lock().unwrap().0.clone()
    }

    fn bad_signatures(&self) -> usize {
        self.seen.lock().unwrap().1
    }
}
