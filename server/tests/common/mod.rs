//! What the server's tests share: a simulator, a node on a fresh database, an API client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    unreachable_pub
)]

use bytes::Bytes;
use serde_json::Value;
use std::time::Duration;
use webwx_hyper::Transport;
use webwx_server::{Options, Secret, Server};
use webwx_sim::{Scenario, Simulator};

pub const ADMIN: &str = "wxs_test_admin_token";

/// A simulator whose phone confirms logins fast.
pub async fn simulator() -> Simulator {
    let mut scenario = Scenario::default();
    scenario.phone.scan_after_ms = 50;
    scenario.phone.confirm_after_ms = 50;
    scenario.synccheck_hold_ms = 500;
    scenario.contact_events = Vec::new();
    scenario.messages.count = 0;
    Simulator::start(scenario).await.unwrap()
}

/// A fresh SQLite database URL in a temporary directory (kept for the test's length).
pub fn sqlite(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("serve.db").display())
}

/// A node against `sim` on `database`.
pub async fn node(sim: &Simulator, database: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--database",
        database,
        "--login-origin",
    ];
    let origin = sim.base_url();
    args.push(&origin);
    args.extend(["--allow-host", "127.0.0.1", "--test-timing"]);
    args.extend(extra);
    let mut options = Options::from_args(args).unwrap();
    options.admin_token = Some(Secret::new(ADMIN));
    options.webhook_secret = Some(Secret::new("hook-key"));
    webwx_server::start(options).await.unwrap()
}

/// An API answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub raw: Bytes,
}

/// A client of one node with one token.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: Option<String>,
    transport: Transport,
}

impl Api {
    pub fn new(server: &Server, token: Option<&str>) -> Api {
        Api {
            base: format!("http://{}", server.addr()),
            token: token.map(str::to_string),
            transport: Transport::new().with_max_body(64 * 1024 * 1024),
        }
    }

    /// The same client on new connections (after a request the node answered by closing
    /// its connection).
    pub fn fresh(&self) -> Api {
        Api {
            transport: Transport::new().with_max_body(64 * 1024 * 1024),
            ..self.clone()
        }
    }

    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Answer {
        self.try_request(method, path, content_type, body)
            .await
            .unwrap()
    }

    /// [`request`](Self::request), with the transport's error (a server may answer and close
    /// the connection before it read a body it refuses).
    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Result<Answer, webwx_hyper::TransportError> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let answer = self
            .transport
            .execute(request.body(body.into()).unwrap(), Duration::from_secs(30))
            .await?;
        let raw = answer.body().clone();
        Ok(Answer {
            status: answer.status().as_u16(),
            body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
            raw,
        })
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.request("GET", path, None, Bytes::new()).await
    }

    pub async fn post(&self, path: &str, json: Value) -> Answer {
        self.request("POST", path, Some("application/json"), json.to_string())
            .await
    }

    /// Makes an account and waits until it is online.
    pub async fn online_account(&self, id: &str) -> Value {
        let made = self
            .post("/v1/accounts", serde_json::json!({ "id": id }))
            .await;
        assert_eq!(made.status, 201, "{made:?}");
        self.wait_state(id, "online").await
    }

    /// Waits (at most 20 s) until the account is in `state`.
    pub async fn wait_state(&self, id: &str, state: &str) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            let a = self.get(&format!("/v1/accounts/{id}")).await;
            if a.body["state"] == state {
                return a.body;
            }
            last = a.body;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("account {id} never became {state}: {last}");
    }
}

/// Reads events of the SSE stream at `path` (sending `last_event_id`), as JSON, until `enough`
/// says so.
pub async fn sse(
    api: &Api,
    path: &str,
    last_event_id: Option<i64>,
    enough: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let addr = api.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {}\r\n",
        api.token.as_deref().unwrap_or_default()
    );
    if let Some(id) = last_event_id {
        head.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut lines = BufReader::new(stream).lines();
    let mut events = Vec::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(data) = line.strip_prefix("data: ") {
                events.push(serde_json::from_str::<Value>(data).unwrap());
                if enough(&events) {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("the stream gave too few events");
    events
}
