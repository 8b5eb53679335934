//! The webhook receiver: a small axum server that checks each delivery's signature, hands the
//! event to a [`Collector`] with its arrival time and answers 200.

use crate::BoxError;
use crate::collect::{Collector, unix_micros};
use crate::node::WEBHOOK_SECRET;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::sync::Arc;
use tokio::task::JoinHandle;

async fn receive(
    State(collector): State<Arc<Collector>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let arrival = unix_micros();
    let signature = headers
        .get("webwx-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let t = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse::<i64>().ok());
    let good = t.is_some_and(|t| {
        webwx_server::webhook_signature(WEBHOOK_SECRET.as_bytes(), t, &body) == signature
    });
    if !good {
        collector.bad_signature();
    }
    if let Ok(event) = serde_json::from_slice(&body) {
        collector.event(&event, arrival);
    }
    StatusCode::OK
}

/// Starts the receiver on a free loopback port; its URL and its task.
pub(crate) async fn start(collector: Arc<Collector>) -> Result<(String, JoinHandle<()>), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(collector);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("the webhook receiver stopped: {e}");
        }
    });
    Ok((url, task))
}
