//! One SSE stream (`GET /v1/events` from the next new event), read as it comes over plain
//! hyper (the transport's `execute` buffers whole answers), each event handed to a [`Collector`]
//! with its arrival time.

use crate::BoxError;
use crate::collect::{Collector, unix_micros};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Opens the stream of the node at `base_url` (`http://ADDR`) and waits for its answer's head,
/// so that it follows every event written from then on; then reads it in a task of its own
/// (abort it to close the stream).
pub(crate) async fn open(
    base_url: &str,
    token: &str,
    collector: Arc<Collector>,
) -> Result<JoinHandle<()>, BoxError> {
    let addr = base_url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {base_url}"))?
        .to_string();
    let stream = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect(&addr),
    )
    .await??;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = http::Request::get(format!("{base_url}/v1/events"))
        .header(http::header::HOST, &addr)
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::ACCEPT, "text/event-stream")
        .body(Empty::<Bytes>::new())?;
    let response =
        tokio::time::timeout(Duration::from_secs(30), sender.send_request(request)).await??;
    if response.status() != http::StatusCode::OK {
        return Err(format!("GET /v1/events answered {}", response.status()).into());
    }
    let mut body = response.into_body();
    Ok(tokio::spawn(async move {
        let mut buffer = String::new();
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                eprintln!("the SSE stream broke");
                return;
            };
            let arrival = unix_micros();
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buffer.push_str(&String::from_utf8_lossy(&data));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect::<Vec<_>>()
                    .join("\n");
                if data.is_empty() {
                    continue;
                }
                if let Ok(event) = serde_json::from_str(&data) {
                    collector.event(&event, arrival);
                }
            }
        }
        eprintln!("the SSE stream ended");
    }))
}
