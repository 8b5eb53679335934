//! A client of one node's API (through `webwx-hyper`'s transport, as the server's own tests do):
//! the login storm and the account list.

use crate::BoxError;
use crate::node::ADMIN_TOKEN;
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use webwx_hyper::Transport;

/// The API of one node.
#[derive(Clone)]
pub(crate) struct Api {
    base: String,
    transport: Transport,
}

/// An account as `GET /v1/accounts` lists it (what the benchmark looks at).
#[derive(Debug)]
pub(crate) struct Account {
    /// Its id.
    pub(crate) id: String,
    /// `new`, `login`, `online`, `offline`, `logged_out`.
    pub(crate) state: String,
    /// The node holding it (while its lease is live).
    pub(crate) node: Option<String>,
    /// Why its last session ended.
    pub(crate) last_error: Option<String>,
}

impl Api {
    /// The API at `base` (`http://ADDR`).
    pub(crate) fn new(base: &str) -> Api {
        Api {
            base: base.to_string(),
            transport: Transport::new().with_max_body(512 * 1024 * 1024),
        }
    }

    /// One request with the admin token; the status and the JSON answer (`null` when empty).
    pub(crate) async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<(u16, Value), BoxError> {
        let body = match body {
            Some(v) => Bytes::from(serde_json::to_vec(v)?),
            None => Bytes::new(),
        };
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(http::header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)?;
        let answer = self.transport.execute(request, timeout).await?;
        let status = answer.status().as_u16();
        let value = if answer.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(answer.body()).unwrap_or(Value::Null)
        };
        Ok((status, value))
    }

    /// Every account.
    pub(crate) async fn accounts(&self) -> Result<Vec<Account>, BoxError> {
        let (status, body) = self
            .call(
                http::Method::GET,
                "/v1/accounts",
                None,
                Duration::from_secs(60),
            )
            .await?;
        if status != 200 {
            return Err(format!("GET /v1/accounts answered {status}: {body}").into());
        }
        let list = body
            .get("accounts")
            .and_then(Value::as_array)
            .ok_or("GET /v1/accounts: no accounts list")?;
        let text = |a: &Value, k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(list
            .iter()
            .map(|a| Account {
                id: text(a, "id").unwrap_or_default(),
                state: text(a, "state").unwrap_or_default(),
                node: text(a, "node"),
                last_error: text(a, "last_error"),
            })
            .collect())
    }
}

/// Makes and logs in `ids` through `POST /v1/accounts`, `parallel` at a time; returns how long
/// the requests took (each answers once its QR code is shown; the login goes on in the node).
pub(crate) async fn create_all(
    api: &Api,
    ids: Vec<String>,
    parallel: usize,
) -> Result<Duration, BoxError> {
    let started = Instant::now();
    let ids = Arc::new(ids);
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..parallel.max(1) {
        let (api, ids, next, failures) = (
            api.clone(),
            Arc::clone(&ids),
            Arc::clone(&next),
            Arc::clone(&failures),
        );
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = ids.get(i) else { return };
                let body = serde_json::json!({ "id": id });
                let outcome = api
                    .call(
                        http::Method::POST,
                        "/v1/accounts",
                        Some(&body),
                        Duration::from_secs(120),
                    )
                    .await;
                let failure = match outcome {
                    Ok((201, _)) => continue,
                    Ok((status, body)) => format!("POST /v1/accounts {id}: {status} {body}"),
                    Err(e) => format!("POST /v1/accounts {id}: {e}"),
                };
                failures
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(failure);
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let failures = failures.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(first) = failures.first() {
        return Err(format!("{} logins failed to start; first: {first}", failures.len()).into());
    }
    Ok(started.elapsed())
}

/// Polls `GET /v1/accounts` every `every` until `done` holds for at least `want` accounts,
/// within `limit`; fails at once when an account is `logged_out`. How long it took.
pub(crate) async fn wait_accounts(
    api: &Api,
    want: usize,
    every: Duration,
    limit: Duration,
    what: &str,
    done: impl Fn(&Account) -> bool,
) -> Result<Duration, BoxError> {
    let started = Instant::now();
    let mut said = Instant::now();
    loop {
        let accounts = api.accounts().await?;
        let n = accounts.iter().filter(|a| done(a)).count();
        if n >= want {
            return Ok(started.elapsed());
        }
        if let Some(dead) = accounts.iter().find(|a| a.state == "logged_out") {
            return Err(format!(
                "{what}: account {} is logged out: {}",
                dead.id,
                dead.last_error.as_deref().unwrap_or("(no reason)")
            )
            .into());
        }
        if started.elapsed() > limit {
            return Err(format!("{what}: {n} of {want} within {limit:?}").into());
        }
        if said.elapsed() > Duration::from_secs(10) {
            eprintln!("  {what}: {n} of {want} after {:.0?}", started.elapsed());
            said = Instant::now();
        }
        tokio::time::sleep(every).await;
    }
}
