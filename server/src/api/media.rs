//! Received media (images, voice, video, files, stickers), streamed from WeChat through the
//! node holding the account. Any node answers: one that does not hold the account forwards the
//! request to the one that does.

use super::AppState;
use super::accounts::visible;
use super::auth::Caller;
use super::error::ApiError;
use crate::clock::now_ms;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::ops::ControlFlow;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use webwx_core::{Media, MediaKind, Variant};

/// Which variant.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct Which {
    /// `full` (default) or `thumbnail` (an image's thumbnail, a video's preview image).
    variant: Option<String>,
}

/// A header saying the request was forwarded once already (no forwarding loops).
const FORWARDED: &str = "webwx-forwarded";

/// The media of a received message (from its `message` event's `data.media`), streamed.
#[utoipa::path(get, path = "/v1/accounts/{id}/messages/{msg_id}/media", tag = "contacts",
    params(("id" = String, Path, description = "The account's id"),
        ("msg_id" = String, Path, description = "The message's id (`data.id` of its event)"), Which),
    responses((status = 200, content_type = "application/octet-stream", description = "The media"),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody),
        (status = 502, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path((id, msg_id)): Path<(String, String)>,
    Query(which): Query<Which>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let variant = match which.variant.as_deref() {
        None | Some("full") => Variant::Full,
        Some("thumbnail") => Variant::Thumbnail,
        Some(_) => return Err(ApiError::bad_request("`variant` is full or thumbnail")),
    };
    let account = visible(&state, &caller, &id).await?;
    let node = &state.node;
    let data = node
        .db
        .message_data(&id, &msg_id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such message"))?;
    let media: Media = serde_json::from_str::<serde_json::Value>(&data)
        .ok()
        .and_then(|v| serde_json::from_value(v.get("media")?.clone()).ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "the message carries no media",
            )
        })?;
    if !media.has(variant) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the message has no such variant",
        ));
    }
    if let Some(handle) = node.handle(&id) {
        return Ok(stream(handle, media, variant));
    }
    // Another node holds it: forward, once.
    let holder = account
        .owner
        .filter(|o| account.lease_until >= now_ms() && *o != node.id)
        .ok_or_else(|| ApiError::not_online(&id))?;
    if headers.contains_key(FORWARDED) {
        return Err(ApiError::not_online(&id));
    }
    let url = node
        .db
        .node_url(&holder)
        .await?
        .ok_or_else(|| ApiError::not_online(&id))?;
    forward(&url, &id, &msg_id, variant, &headers).await
}

fn content_type(media: &Media, variant: Variant) -> &'static str {
    match (media.kind, variant) {
        (_, Variant::Thumbnail) | (MediaKind::Image, _) => "image/jpeg",
        (MediaKind::Voice, _) => "audio/mpeg",
        (MediaKind::Video, _) => "video/mp4",
        (MediaKind::Sticker, _) => "image/gif",
        _ => "application/octet-stream",
    }
}

/// Streams the download: memory stays at the pipe's size. A download that fails midway ends
/// the body with an error (the client sees a broken transfer, never a short file as whole).
fn stream(handle: webwx_hyper::SessionHandle, media: Media, variant: Variant) -> Response {
    let kind = content_type(&media, variant);
    let name = media.file_name.clone();
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    let (done_tx, done) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let result = handle
            .download(&media, variant, &mut writer, |_, _| {
                ControlFlow::Continue(())
            })
            .await;
        let _ = done_tx.send(result.map_err(|e| e.to_string()));
    });
    let body =
        futures_util::stream::unfold((reader, Some(done)), |(mut reader, done)| async move {
            let mut buf = vec![0u8; 32 * 1024];
            match reader.read(&mut buf).await {
                Ok(0) => {
                    // The writer is gone: the download ended; say how.
                    let done = done?;
                    match done.await {
                        Ok(Ok(_)) => None,
                        Ok(Err(e)) => Some((Err(std::io::Error::other(e)), (reader, None))),
                        Err(_) => Some((
                            Err(std::io::Error::other("the download stopped")),
                            (reader, None),
                        )),
                    }
                }
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), (reader, done)))
                }
                Err(e) => Some((Err(e), (reader, None))),
            }
        });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if !name.is_empty() {
        let ascii: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '\\' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    response
}

async fn forward(
    base: &str,
    id: &str,
    msg_id: &str,
    variant: Variant,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let variant = match variant {
        Variant::Thumbnail => "thumbnail",
        _ => "full",
    };
    let uri = format!(
        "{}/v1/accounts/{}/messages/{}/media?variant={variant}",
        base.trim_end_matches('/'),
        utf8_percent(id),
        utf8_percent(msg_id)
    );
    let mut request = http::Request::get(uri).header(FORWARDED, "1");
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .map_err(|_| ApiError::internal("a node's URL is not a valid URI"))?;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let answer = client.request(request).await.map_err(|e| {
        tracing::warn!(error = %e, "cannot reach the node holding the account");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "node_unreachable",
            "the node holding the account does not answer; try again",
        )
    })?;
    let (parts, body) = answer.into_parts();
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = parts.status;
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_DISPOSITION,
        header::CONTENT_LENGTH,
    ] {
        if let Some(v) = parts.headers.get(&name) {
            response.headers_mut().insert(name, v.clone());
        }
    }
    Ok(response)
}

/// A path segment, %-encoded.
fn utf8_percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
