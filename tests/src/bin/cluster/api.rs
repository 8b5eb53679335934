//! HTTP calls: JSON in, JSON out, each within a deadline; and the accounts of `webwx serve`'s
//! API as the test reads them.

use crate::BoxError;
use bytes::Bytes;
use serde_json::Value;
use std::time::Duration;

/// How long one API call may take.
const CALL_LIMIT: Duration = Duration::from_secs(10);

/// A pooled HTTP client (the workspace's hyper transport).
pub(crate) struct Http {
    transport: webwx_hyper::Transport,
}

impl Http {
    /// A client. Call within a tokio runtime.
    pub(crate) fn new() -> Http {
        Http {
            transport: webwx_hyper::Transport::new(),
        }
    }

    /// `method url` with `Authorization: Bearer <token>` and a JSON `body` when given; the
    /// answer's status and body (JSON; a body that is not JSON as a string, an empty one as
    /// null). Fails only when no answer came within [`CALL_LIMIT`].
    pub(crate) async fn call(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(http::StatusCode, Value), BoxError> {
        let mut request = http::Request::builder().method(method).uri(url);
        if let Some(token) = token {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let bytes = match body {
            Some(body) => {
                request = request.header(http::header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(body)?)
            }
            None => Bytes::new(),
        };
        let response = self
            .transport
            .execute(request.body(bytes)?, CALL_LIMIT)
            .await
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status();
        let body = response.into_body();
        let value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        };
        Ok((status, value))
    }
}

/// One account as `GET /v1/accounts` shows it.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    /// Its id.
    pub(crate) id: String,
    /// `new`, `login`, `online`, `offline` or `logged_out`.
    pub(crate) state: String,
    /// The WeChat uin, once logged in.
    pub(crate) uin: Option<u64>,
    /// The node holding it.
    pub(crate) node: Option<String>,
    /// When its row last changed, in whatever form the server gives (compared, never read).
    pub(crate) updated_at: Value,
    /// The whole object, for reports.
    pub(crate) raw: Value,
}

impl Account {
    /// Reads one account object.
    pub(crate) fn from_json(v: &Value) -> Option<Account> {
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        let uin = match v.get("uin") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        Some(Account {
            id: text("id")?,
            state: text("state").unwrap_or_default(),
            uin,
            node: text("node"),
            updated_at: v.get("updated_at").cloned().unwrap_or(Value::Null),
            raw: v.clone(),
        })
    }

    /// Whether it is online.
    pub(crate) fn online(&self) -> bool {
        self.state == "online"
    }
}

/// `GET {base}/v1/accounts`.
pub(crate) async fn accounts(
    http: &Http,
    base: &str,
    token: &str,
) -> Result<Vec<Account>, BoxError> {
    let (status, body) = http
        .call("GET", &format!("{base}/v1/accounts"), Some(token), None)
        .await?;
    if !status.is_success() {
        return Err(format!("GET {base}/v1/accounts: {status}: {body}").into());
    }
    match body.get("accounts") {
        Some(Value::Array(list)) => Ok(list.iter().filter_map(Account::from_json).collect()),
        _ => Err(format!("GET {base}/v1/accounts: no account list: {body}").into()),
    }
}
