//! The webhook receiver: an HTTP server on loopback that checks each delivery's signature,
//! records its event, and answers 200 (or, on purpose, 500 to a share of first deliveries so
//! the nodes' retries are exercised).

use crate::BoxError;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The largest body taken.
const MAX_BODY: usize = 4 << 20;
/// How many examples of each kind of problem are kept for the report.
const EXAMPLES: usize = 5;

/// One event as delivered (its first accepted delivery).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EventRecord {
    /// `account`.
    pub(crate) account: String,
    /// `type`.
    pub(crate) kind: String,
    /// A message's WeChat id (`data.id`).
    pub(crate) msg_id: Option<String>,
    /// A load message's number (`load <n> <micros>`).
    pub(crate) load: Option<u64>,
}

/// Everything received so far.
#[derive(Debug, Default)]
pub(crate) struct Received {
    /// POSTs of any kind.
    pub(crate) posts: u64,
    /// Deliveries whose signature was missing or wrong (answered 401).
    pub(crate) bad_signatures: u64,
    /// Examples of the bad signatures.
    pub(crate) bad_examples: Vec<String>,
    /// Deliveries that were not an event (answered 400).
    pub(crate) malformed: u64,
    /// Deliveries whose `Webwx-Event-Id` is not the body's `id`, or an id delivered again
    /// with other content.
    pub(crate) inconsistent: Vec<String>,
    /// First deliveries answered 500 on purpose.
    pub(crate) refused: u64,
    /// Deliveries answered 200.
    pub(crate) accepted: u64,
    /// Accepted deliveries of an event id accepted before (at least once: allowed, counted).
    pub(crate) repeats: u64,
    /// The events by id.
    pub(crate) events: BTreeMap<u64, EventRecord>,
    /// Event ids delivered more than once (accepted), with their count.
    pub(crate) repeated_ids: BTreeMap<u64, u32>,
    /// Load messages: queued in the simulator → first accepted delivery, in ms.
    pub(crate) latencies_ms: Vec<u64>,
    /// Largest difference between a signature's `t` and the receiver's clock, in s.
    pub(crate) max_skew_s: u64,
    /// When the last POST came.
    pub(crate) last_post: Option<Instant>,
    /// Event ids seen (refused or accepted): a first delivery is one not in here.
    seen: HashSet<u64>,
}

impl Received {
    /// The load numbers received, each with the events that carried it.
    pub(crate) fn load_numbers(&self) -> BTreeMap<u64, Vec<u64>> {
        let mut out: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (id, e) in &self.events {
            if let Some(n) = e.load {
                out.entry(n).or_default().push(*id);
            }
        }
        out
    }
}

/// The running receiver.
pub(crate) struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub(crate) url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    secret: Vec<u8>,
    fail_percent: u64,
    received: Mutex<Received>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Received> {
        self.received.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Receiver {
    /// Listens on loopback; `secret` is the HMAC key, `fail_percent` the share of first
    /// deliveries answered 500.
    pub(crate) async fn start(secret: &str, fail_percent: u64) -> Result<Receiver, BoxError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let shared = Arc::new(Shared {
            secret: secret.as_bytes().to_vec(),
            fail_percent,
            received: Mutex::new(Received::default()),
        });
        let for_task = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = Arc::clone(&for_task);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(handle(&shared, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Receiver { url, shared, task })
    }

    /// Reads what was received.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Received) -> R) -> R {
        f(&self.shared.lock())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(status: http::StatusCode, text: &str) -> http::Response<Full<Bytes>> {
    let mut response = http::Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response
}

async fn handle(shared: &Shared, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return answer(http::StatusCode::BAD_REQUEST, &format!("body: {e}")),
    };
    let (status, text) = record(shared, &parts, &body);
    answer(status, text)
}

/// Hex of `bytes`, lowercase.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `Webwx-Signature: t=<unix s>,v1=<hex>` against the body; the signature's `t`.
fn verify(secret: &[u8], headers: &http::HeaderMap, body: &[u8]) -> Result<u64, String> {
    let header = headers
        .get("webwx-signature")
        .ok_or("no Webwx-Signature header")?
        .to_str()
        .map_err(|_| "Webwx-Signature is not text")?;
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.to_string()),
            Some(("v1", v)) => signatures.push(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| format!("no t= in {header:?}"))?;
    let seconds = t
        .parse::<u64>()
        .map_err(|_| format!("t={t:?} is not a number"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|e| format!("HMAC key: {e}"))?;
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = hex(&mac.finalize().into_bytes());
    if signatures.contains(&expected) {
        Ok(seconds)
    } else {
        Err(format!(
            "{header:?} is not HMAC-SHA256(secret, \"{t}.\" + body)"
        ))
    }
}

/// A load message's number and queue time (micros) in `text` (`load <n> <micros>`).
fn load_text(text: &str) -> Option<(u64, u64)> {
    let mut words = text.split_whitespace();
    if words.next()? != "load" {
        return None;
    }
    let n = words.next()?.parse().ok()?;
    let micros = words.next()?.parse().ok()?;
    words.next().is_none().then_some((n, micros))
}

/// The first load text anywhere in `v` (the message's `content` first, whatever its shape).
fn find_load(v: &Value) -> Option<(u64, u64)> {
    match v {
        Value::String(s) => load_text(s),
        Value::Array(list) => list.iter().find_map(find_load),
        Value::Object(map) => map
            .get("content")
            .and_then(find_load)
            .or_else(|| map.values().find_map(find_load)),
        _ => None,
    }
}

/// A JSON id (number or string) as a string.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A seeded mix of an event id: which first deliveries are refused.
fn mix(id: u64) -> u64 {
    let mut z = id.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

fn record(
    shared: &Shared,
    parts: &http::request::Parts,
    body: &[u8],
) -> (http::StatusCode, &'static str) {
    let verified = verify(&shared.secret, &parts.headers, body);
    let event: Option<Value> = serde_json::from_slice(body).ok();
    let now = now_micros();
    let mut r = shared.lock();
    r.posts += 1;
    r.last_post = Some(Instant::now());
    if parts.method != http::Method::POST {
        r.malformed += 1;
        return (http::StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let t = match verified {
        Ok(t) => t,
        Err(why) => {
            r.bad_signatures += 1;
            if r.bad_examples.len() < EXAMPLES {
                r.bad_examples.push(why);
            }
            return (http::StatusCode::UNAUTHORIZED, "bad signature");
        }
    };
    r.max_skew_s = r.max_skew_s.max((now / 1_000_000).abs_diff(t));
    let Some(event) = event else {
        r.malformed += 1;
        return (http::StatusCode::BAD_REQUEST, "not JSON");
    };
    let Some(id) = event.get("id").and_then(Value::as_u64) else {
        r.malformed += 1;
        return (http::StatusCode::BAD_REQUEST, "no numeric id");
    };
    let header_id = parts
        .headers
        .get("webwx-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if header_id.as_deref() != Some(id.to_string().as_str()) && r.inconsistent.len() < EXAMPLES * 4
    {
        r.inconsistent
            .push(format!("body id {id}, Webwx-Event-Id {header_id:?}"));
    }
    if r.seen.insert(id) && mix(id) % 100 < shared.fail_percent {
        r.refused += 1;
        return (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "refused on purpose",
        );
    }
    let kind = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let data = event.get("data").cloned().unwrap_or(Value::Null);
    let is_message = kind == "message";
    let load = if is_message { find_load(&data) } else { None };
    let record = EventRecord {
        account: event
            .get("account")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        kind,
        msg_id: if is_message {
            id_text(data.get("id"))
        } else {
            None
        },
        load: load.map(|(n, _)| n),
    };
    r.accepted += 1;
    match r.events.get(&id) {
        Some(before) => {
            if *before != record && r.inconsistent.len() < EXAMPLES * 4 {
                let line = format!("event {id} delivered as {before:?} and as {record:?}");
                r.inconsistent.push(line);
            }
            r.repeats += 1;
            *r.repeated_ids.entry(id).or_insert(1) += 1;
        }
        None => {
            if let Some((_, queued)) = load {
                r.latencies_ms.push(now.saturating_sub(queued) / 1000);
            }
            r.events.insert(id, record);
        }
    }
    (http::StatusCode::OK, "ok")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_texts_are_found_in_any_shape() {
        assert_eq!(load_text("load 12 345"), Some((12, 345)));
        assert_eq!(load_text("load 12"), None);
        let data = serde_json::json!({"id": "1", "content": {"Text": "load 3 99"}});
        assert_eq!(find_load(&data), Some((3, 99)));
        let data = serde_json::json!({"id": "1", "content": {"type": "text", "text": "load 4 9"}});
        assert_eq!(find_load(&data), Some((4, 9)));
    }

    #[test]
    fn signatures_are_checked() {
        let secret = b"s3cret";
        let body = br#"{"id":1}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(b"100.");
        mac.update(body);
        let good = hex(&mac.finalize().into_bytes());
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "webwx-signature",
            format!("t=100,v1={good}").parse().unwrap(),
        );
        assert_eq!(verify(secret, &headers, body), Ok(100));
        assert!(verify(b"other", &headers, body).is_err());
        assert!(verify(secret, &headers, br#"{"id":2}"#).is_err());
    }
}
