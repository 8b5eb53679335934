//! The admin API, under `/__sim/` (a path no real endpoint uses): inject messages and media,
//! read the stored media, change contacts and the profile, read what clients sent, read the
//! state, end a session as if from the phone. The same operations are methods of [`Simulator`](crate::Simulator).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::changes::Entry;
use crate::load::{self, LoadSpec};
use crate::media::{MediaKind, Spec, StoredMedia};
use crate::scenario::ContactChange;
use crate::state::{SentMessage, Shared};
use crate::upload::UploadedMedia;
use crate::wire::{self, Answer};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// What the simulator knows about one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The account's uin.
    pub uin: u64,
    /// The account's user name.
    pub user_name: String,
    /// The account's nick name.
    pub nick_name: String,
    /// Whether the session is live.
    pub live: bool,
    /// Whether `webwxinit` was called.
    pub inited: bool,
    /// Messages queued for the account (delivered or not).
    pub messages: usize,
    /// Contact and profile changes queued for the account (delivered or not).
    pub changes: usize,
    /// Messages the client sent.
    pub sent: usize,
    /// Chats the client marked read.
    pub read_marks: usize,
    /// The account's friends' user names.
    pub friends: Vec<String>,
    /// The account's groups' user names.
    pub groups: Vec<String>,
    /// Ways the client departed from the official client that the real server tolerates, each
    /// `"<rule>: <what was seen>"` (see the crate docs), at most 128.
    pub deviations: Vec<String>,
    /// The `type` of each webwxlogout of the session, in order.
    pub logouts: Vec<u8>,
    /// How many webwxstatreport requests the session made.
    pub stat_reports: usize,
}

pub(crate) fn sessions(shared: &Shared) -> Vec<SessionInfo> {
    let mut inner = shared.lock();
    let now = tokio::time::Instant::now();
    let mut out: Vec<SessionInfo> = inner
        .sessions
        .iter_mut()
        .map(|(uin, s)| {
            // A report owed past its grace time is a deviation by now.
            s.wire.settle(now, &mut s.deviations);
            (uin, &*s)
        })
        .map(|(uin, s)| SessionInfo {
            uin: *uin,
            user_name: s.account.user_name.clone(),
            nick_name: s.account.nick_name.clone(),
            live: s.ended.is_none(),
            inited: s.inited,
            messages: s
                .log
                .iter()
                .filter(|e| matches!(e, Entry::Message(_)))
                .count(),
            changes: s
                .log
                .iter()
                .filter(|e| !matches!(e, Entry::Message(_)))
                .count(),
            sent: s.sent.len(),
            read_marks: s.read_marks.len(),
            friends: s.account.friends.clone(),
            groups: s.account.groups.keys().cloned().collect(),
            deviations: s.deviations.clone(),
            logouts: s.wire.logouts.clone(),
            stat_reports: s.wire.stat_reports,
        })
        .collect();
    out.sort_by_key(|s| s.uin);
    out
}

pub(crate) fn sent(shared: &Shared, uin: u64) -> Option<Vec<SentMessage>> {
    shared.lock().sessions.get(&uin).map(|s| s.sent.clone())
}

/// Queues a message for `uin`: from `from` (default: the first friend) of `msg_type` (default 1)
/// with `content`. Returns its MsgId.
pub(crate) fn inject(
    shared: &Shared,
    uin: u64,
    from: Option<&str>,
    msg_type: i64,
    content: &str,
) -> Option<String> {
    let mut inner = shared.lock();
    inner.sessions.get(&uin)?;
    inner
        .inject(uin, from, msg_type, content)
        .then(|| inner.next_msg_id.to_string())
}

/// Applies `change` to `uin`'s account and queues it for the next sync. Returns the user name it
/// changed.
pub(crate) fn change(shared: &Shared, uin: u64, change: &ContactChange) -> Option<String> {
    shared.lock().change(uin, change)
}

/// Ends `uin`'s session with `code` (1100: logged out on the phone, 1101: elsewhere).
pub(crate) fn end(shared: &Shared, uin: u64, code: i64) -> bool {
    let mut inner = shared.lock();
    match inner.sessions.get_mut(&uin) {
        Some(s) => {
            s.ended = Some(code);
            s.notify.notify_waiters();
            true
        }
        None => false,
    }
}

/// Queues a media message of `spec` for `uin` from `from` (default: the first friend) and
/// stores its media. Returns what was stored.
pub(crate) fn inject_media(
    shared: &Shared,
    uin: u64,
    from: Option<&str>,
    spec: &Spec,
) -> Option<StoredMedia> {
    let (id, media) = shared
        .lock()
        .inject_media(shared.scenario.seed, uin, from, spec)?;
    Some(media.stored(&id))
}

/// The stored media of message `msg_id` of `uin`'s account.
pub(crate) fn media(shared: &Shared, uin: u64, msg_id: &str) -> Option<StoredMedia> {
    let media = shared.lock().media_of(uin, msg_id)?;
    Some(media.stored(msg_id))
}

/// The upload of `uin`'s account whose MediaId is `media_id`.
pub(crate) fn upload(shared: &Shared, uin: u64, media_id: &str) -> Option<UploadedMedia> {
    let media = shared
        .lock()
        .media
        .get(&uin)?
        .uploads
        .get(media_id)
        .cloned()?;
    UploadedMedia::of(&media)
}

/// Every finished upload of `uin`'s account, in the order they finished (`None` for an
/// unknown uin).
pub(crate) fn uploads(shared: &Shared, uin: u64) -> Option<Vec<UploadedMedia>> {
    let mut list: Vec<_> = {
        let inner = shared.lock();
        inner.sessions.get(&uin)?;
        inner
            .media
            .get(&uin)
            .map(|s| s.uploads.values().cloned().collect())
            .unwrap_or_default()
    };
    list.sort_by_key(|m| m.upload.as_ref().map_or(0, |u| u.order));
    Some(list.iter().filter_map(|m| UploadedMedia::of(m)).collect())
}

/// An upload as the admin API shows it: [`UploadedMedia`] without its bytes, and whether they
/// were kept.
fn upload_json(u: &UploadedMedia) -> Value {
    let mut v = json!(u);
    v["kept"] = json!(u.bytes.is_some());
    v
}

/// `GET /__sim/sessions/<uin>/media/<msgid>[?thumbnail]`: the stored bytes, whole.
fn media_bytes(shared: &Shared, uin: &str, msg_id: &str, query: Option<&str>) -> Option<Answer> {
    let media = shared
        .lock()
        .media_of(uin.parse().ok()?, msg_id)
        .filter(|m| m.servable())?;
    let thumbnail =
        query.is_some_and(|q| q.split('&').any(|p| p == "thumbnail" || p == "thumbnail=1"));
    let (blob, content_type) = if thumbnail {
        (media.thumb.as_ref()?, "image/jpeg")
    } else {
        (&media.full, media.kind.content_type())
    };
    Some(wire::media(
        content_type,
        blob,
        &http::HeaderMap::new(),
        None,
    ))
}

/// The body of `POST /__sim/sessions/<uin>/media`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MediaRequest {
    kind: MediaKind,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    size: Option<usize>,
    #[serde(default)]
    file_name: Option<String>,
}

/// The longest hold of `/__sim/hold/<ms>`.
const MAX_HOLD_MS: u64 = 600_000;

/// `GET /__sim/hold/<ms>`: answers `{}` after `ms` milliseconds (at most 10 minutes), counted in
/// the long-poll gauge meanwhile: a long poll that needs no session, for measuring what an
/// HTTP client pays per held request (the scale benchmark's baseline).
pub(crate) async fn hold(shared: &Shared, ms: &str) -> Answer {
    let Ok(ms) = ms.parse::<u64>() else {
        return wire::html(http::StatusCode::BAD_REQUEST, "hold/<milliseconds>");
    };
    let _held = shared.load.long_poll();
    tokio::time::sleep(std::time::Duration::from_millis(ms.min(MAX_HOLD_MS))).await;
    wire::json(&json!({}))
}

/// Routes `/__sim/...`.
pub(crate) fn handle(
    shared: &Arc<Shared>,
    method: &http::Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Answer {
    let parts: Vec<&str> = path.trim_start_matches("/__sim/").split('/').collect();
    let not_found = || wire::html(http::StatusCode::NOT_FOUND, "no such admin call");
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["state"]) => {
            let requests = shared.lock().requests;
            wire::json(&json!({"requests": requests, "sessions": sessions(shared)}))
        }
        ("GET", ["sessions", uin, "sent"]) => {
            match uin.parse().ok().and_then(|u| sent(shared, u)) {
                Some(sent) => wire::json(&json!(sent)),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "messages"]) => {
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let content = req["content"]
                .as_str()
                .or(req["text"].as_str())
                .unwrap_or_default();
            let msg_type = req["type"].as_i64().unwrap_or(1);
            match uin
                .parse()
                .ok()
                .and_then(|u| inject(shared, u, req["from"].as_str(), msg_type, content))
            {
                Some(id) => wire::json(&json!({"MsgId": id})),
                None => not_found(),
            }
        }
        ("GET", ["sessions", uin, "uploads"]) => {
            match uin.parse().ok().and_then(|u| uploads(shared, u)) {
                Some(list) => wire::json(&Value::from(
                    list.iter().map(upload_json).collect::<Vec<_>>(),
                )),
                None => not_found(),
            }
        }
        ("GET", ["sessions", uin, "uploads", media_id]) => {
            let media_id = percent_encoding::percent_decode_str(media_id).decode_utf8_lossy();
            match uin.parse().ok().and_then(|u| upload(shared, u, &media_id)) {
                Some(UploadedMedia {
                    bytes: Some(bytes),
                    kind,
                    ..
                }) => wire::media(
                    kind.content_type(),
                    &crate::media::Blob::Whole(bytes.into()),
                    &http::HeaderMap::new(),
                    None,
                ),
                _ => not_found(),
            }
        }
        ("GET", ["sessions", uin, "media", msg_id]) => {
            media_bytes(shared, uin, msg_id, query).unwrap_or_else(not_found)
        }
        ("POST", ["sessions", uin, "media"]) => {
            let req: MediaRequest = match serde_json::from_slice(body) {
                Ok(r) => r,
                Err(e) => return wire::html(http::StatusCode::BAD_REQUEST, &e.to_string()),
            };
            let spec = Spec {
                kind: req.kind,
                size: req.size,
                file_name: req.file_name,
            };
            match uin
                .parse()
                .ok()
                .and_then(|u| inject_media(shared, u, req.from.as_deref(), &spec))
            {
                Some(m) => wire::json(&json!({
                    "MsgId": m.msg_id,
                    "kind": m.kind,
                    "size": m.bytes.len(),
                    "thumbnail_size": m.thumbnail.as_ref().map(Vec::len),
                    "file_name": m.file_name,
                    "media_id": m.media_id,
                })),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "changes"]) => {
            let change: ContactChange = match serde_json::from_slice(body) {
                Ok(c) => c,
                Err(e) => return wire::html(http::StatusCode::BAD_REQUEST, &e.to_string()),
            };
            match uin
                .parse()
                .ok()
                .and_then(|u| self::change(shared, u, &change))
            {
                Some(name) => wire::json(&json!({"changed": name})),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "end"]) => {
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let code = req["code"].as_i64().unwrap_or(1100);
            match uin.parse().ok().map(|u| end(shared, u, code)) {
                Some(true) => wire::json(&json!({"ended": true})),
                _ => not_found(),
            }
        }
        ("GET", ["sessions", uin, "account"]) => {
            match uin.parse().ok().and_then(|u| shared.lock().account_info(u)) {
                Some(info) => wire::json(&json!(info)),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "friend_requests"]) => {
            match uin
                .parse()
                .ok()
                .and_then(|u| shared.lock().friend_request(u))
            {
                Some(r) => wire::json(&json!(r)),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "recall"]) => {
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let msg_id = match &req["msg_id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return wire::html(http::StatusCode::BAD_REQUEST, "{\"msg_id\": ..}"),
            };
            match uin
                .parse()
                .ok()
                .and_then(|u| shared.lock().recall(u, &msg_id))
            {
                Some(id) => wire::json(&json!({"MsgId": id})),
                None => not_found(),
            }
        }
        ("POST", ["sessions", uin, "articles"]) => {
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let count = req["count"].as_u64().map_or(2, |c| c as usize);
            match uin
                .parse()
                .ok()
                .and_then(|u| shared.lock().article(shared.scenario.seed, u, count))
            {
                Some(id) => wire::json(&json!({"MsgId": id})),
                None => not_found(),
            }
        }
        ("GET", ["load"]) => wire::json(&json!(shared.load.status())),
        ("POST", ["load"]) => match serde_json::from_slice::<LoadSpec>(body) {
            Ok(spec) => match load::start(shared, &tokio::runtime::Handle::current(), spec) {
                Ok(()) => wire::json(&json!(shared.load.status())),
                Err(e) => wire::html(http::StatusCode::CONFLICT, &e.to_string()),
            },
            Err(e) => wire::html(http::StatusCode::BAD_REQUEST, &e.to_string()),
        },
        _ => not_found(),
    }
}
