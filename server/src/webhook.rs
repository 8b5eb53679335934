//! Webhook delivery: every event is POSTed to the configured URL, signed, retried with backoff
//! and jitter until the receiver answers 2xx. At least once: an event whose delivery was cut
//! (a node died mid-request) is sent again, with the same id; receivers de-duplicate by the
//! `Webwx-Event-Id` header (or the body's `id`).
//!
//! Any node delivers any account's events: a node claims a batch for 30 s; a claim that ran out
//! is taken by another node.
//!
//! Signature: `Webwx-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

use crate::clock::{hex, now_ms, random_hex, random_u64};
use crate::node::Node;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use webwx_hyper::Transport;

/// How long a node holds a claimed batch: two receiver timeouts (a batch is at most two rounds
/// of parallel deliveries). Events a dead node had claimed wait this long for another node; a
/// node started again under the same name takes its own claims back at once.
const CLAIM_MS: i64 = 20_000;

/// Events claimed at once.
const BATCH: i64 = 64;

/// Deliveries in flight at once per node.
const PARALLEL: usize = 32;

/// How long the receiver may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The longest wait between two tries of one event.
const MAX_BACKOFF_MS: i64 = 5 * 60_000;

/// The signature header of `body` at `t` (Unix seconds) under `secret`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC takes a key of any length.
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Delivers until the node shuts down.
pub(crate) async fn run(node: Arc<Node>) {
    let Some(url) = node.options.webhook_url.clone() else {
        return;
    };
    let secret = node
        .options
        .webhook_secret
        .as_ref()
        .map(|s| s.expose().to_string())
        .unwrap_or_default();
    let transport = Transport::new().with_max_body(64 * 1024);
    let mut shutdown = node.shutdown.subscribe();
    match node.db.drop_claims_of(&format!("{}:", node.id)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            events = n,
            "webhook: took back the claims of this node's last run"
        ),
        Err(e) => tracing::warn!(error = %e, "webhook: cannot take back old claims"),
    }
    let mut rounds: u64 = 0;
    loop {
        rounds += 1;
        let claim = format!("{}:{rounds}:{}", node.id, random_hex(4).unwrap_or_default());
        let now = now_ms();
        let events = match node
            .db
            .claim_deliveries(&claim, now + CLAIM_MS, now, BATCH)
            .await
        {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(error = %e, "webhook: cannot claim events");
                Vec::new()
            }
        };
        if events.is_empty() {
            tokio::select! {
                () = node.new_events.notified() => {
                    // Let the events of the batches written about now come in one claim.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        let mut delivered = Vec::new();
        let mut jobs = futures_util::stream::iter(events.into_iter().map(|event| {
            let transport = transport.clone();
            let url = url.clone();
            let secret = secret.clone();
            async move {
                let ok = post(&transport, &url, secret.as_bytes(), &event).await;
                (event, ok)
            }
        }))
        .buffer_unordered(PARALLEL);
        use futures_util::StreamExt;
        while let Some((event, ok)) = jobs.next().await {
            if ok {
                node.metrics.webhook_delivered.inc();
                delivered.push(event.id);
            } else {
                node.metrics.webhook_failed.inc();
                let next = now_ms() + backoff_ms(event.attempts);
                if let Err(e) = node.db.delivery_failed(event.id, next).await {
                    tracing::warn!(error = %e, "webhook: cannot record a failure");
                }
            }
        }
        if let Err(e) = node.db.delivered(&delivered, now_ms()).await {
            tracing::warn!(error = %e, "webhook: cannot record deliveries (they will be sent again)");
        }
    }
}

/// The wait before the next try after `attempts` failures: 1 s doubling, at most 5 minutes,
/// with up to half of it again as jitter.
fn backoff_ms(attempts: i64) -> i64 {
    let base = 1000i64
        .saturating_mul(1i64 << attempts.clamp(0, 20))
        .min(MAX_BACKOFF_MS);
    let jitter = random_u64().unwrap_or(0) % (u64::try_from(base / 2).unwrap_or(1) + 1);
    base + i64::try_from(jitter).unwrap_or(0)
}

async fn post(
    transport: &Transport,
    url: &str,
    secret: &[u8],
    event: &crate::db::EventRow,
) -> bool {
    let body = event.to_json();
    let t = now_ms() / 1000;
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("webwx-event-id", event.id.to_string())
        .header("webwx-event-type", event.kind.as_str())
        .header("webwx-signature", signature(secret, t, body.as_bytes()))
        .header(http::header::USER_AGENT, "webwx-serve")
        .body(Bytes::from(body));
    let Ok(request) = request else {
        tracing::warn!("webhook: the URL is not a valid URI");
        return false;
    };
    match transport.execute(request, TIMEOUT).await {
        Ok(answer) if answer.status().is_success() => true,
        Ok(answer) => {
            tracing::debug!(status = %answer.status(), event = event.id, "webhook refused an event");
            false
        }
        Err(e) => {
            tracing::debug!(error = %e, event = event.id, "webhook unreachable");
            false
        }
    }
}
