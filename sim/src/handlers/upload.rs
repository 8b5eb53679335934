//! The upload endpoints: `webwxuploadmedia` on the file host (and its CORS preflight), and
//! `webwxcheckupload` on the API host (`/work/notes/upload.md`).

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]
// A handler's `Err` is the answer it sends (a refusal), built once per request.
#![allow(clippy::result_large_err)]

use super::session::{Req, json_call, plain_fault, respond, text};
use super::{cookies, host};
use crate::ids::mix;
use crate::official::{self, Kind, note};
use crate::state::{Inner, Shared};
use crate::upload::{self, Assembly, Chunk, Facts, Form, Grant, Step};
use crate::wire::{self, Answer};
use http::HeaderValue;
use serde_json::Value;
use std::sync::Arc;
use tokio::time::Instant;

/// A JSON string literal.
fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

/// An upload answer in the real server's key order: `MediaId` empty (and `StartPos` and the
/// thumbnail's size 0) unless the file is complete.
fn upload_answer(ret: i64, message: &str, done: Option<&crate::media::Media>) -> Answer {
    let base = format!(
        "{{\"BaseResponse\":{{\"Ret\":{ret},\"ErrMsg\":{}}}",
        quoted(message)
    );
    let body = match done {
        None => format!(
            "{base},\"MediaId\":\"\",\"StartPos\":0,\"CDNThumbImgHeight\":0,\"CDNThumbImgWidth\":0}}"
        ),
        Some(m) => {
            let (w, h) = if m.kind == crate::media::MediaKind::Image {
                (m.width, m.height)
            } else {
                (0, 0)
            };
            format!(
                "{base},\"MediaId\":{},\"StartPos\":{},\"CDNThumbImgHeight\":{h},\"CDNThumbImgWidth\":{w},\"EncryFileName\":{}}}",
                quoted(&m.media_id),
                m.size(),
                quoted(&m.encry_file_name)
            )
        }
    };
    wire::json_text(body)
}

/// A refused chunk: `Ret` non-zero with the reason.
fn refusal(code: i64, message: &str) -> Answer {
    upload_answer(code, message, None)
}

/// The CORS headers a cross-origin XHR with credentials needs to read the answer.
fn with_cors(mut answer: Answer, req: &Req<'_>) -> Answer {
    let h = answer.headers_mut();
    match req.headers.get(http::header::ORIGIN) {
        Some(origin) => {
            h.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            h.insert(
                http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(http::header::VARY, HeaderValue::from_static("Origin"));
        }
        None => {
            h.insert(
                http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
    }
    answer
}

/// `OPTIONS /webwxuploadmedia?f=json`: the browser's CORS preflight, answered 200 with the
/// methods and the headers it asks for, and the empty upload answer as its body.
pub(crate) fn preflight(req: &Req<'_>) -> Answer {
    let mut answer = with_cors(upload_answer(0, "", None), req);
    let h = answer.headers_mut();
    h.insert(
        http::header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    let asked = req
        .headers
        .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("Content-Type"));
    h.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
    h.insert(
        http::header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    answer
}

/// The session an uploadmediarequest's `BaseRequest` names, on the family's file host: its
/// uin, or the code the real server answers (1101: unknown uin or sid, the wrong host; 1100: a
/// stale skey; the code of an ended session). Cookies are not required (older clients sent
/// none).
fn auth(inner: &mut Inner, req: &Req<'_>, base: &Value) -> Result<u64, i64> {
    let uin = match &base["Uin"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let uin = uin.ok_or(1101)?;
    let session = inner.sessions.get_mut(&uin).ok_or(1101)?;
    if let Some(code) = session.ended {
        return Err(code);
    }
    if base["Sid"].as_str() != Some(session.sid.as_str()) {
        return Err(1101);
    }
    if base["Skey"].as_str() != Some(session.skey.as_str()) {
        return Err(1100);
    }
    if let Some((_, _, file, _)) = session.family.hosts()
        && host(req.headers) != file
    {
        return Err(1101);
    }
    Ok(uin)
}

/// `POST https://file.<host>/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json`: one chunk of a
/// file (a multipart form). Intermediate chunks are answered with an empty `MediaId`, the last
/// with the file's `MediaId` once its MD5 is `FileMd5`.
pub(crate) async fn upload_media(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let content_type = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let answer = match Form::parse(content_type, bytes::Bytes::copy_from_slice(req.body)).await {
        Ok(form) => take(shared, req, forced, &form),
        Err(e) => refusal(1, &format!("not a multipart form: {e}")),
    };
    with_cors(answer, req)
}

/// A parsed upload form: checked, assembled, answered.
fn take(shared: &Shared, req: &Req<'_>, forced: Option<i64>, form: &Form) -> Answer {
    let Some(request_text) = form.text("uploadmediarequest") else {
        return refusal(1, "no uploadmediarequest");
    };
    let Ok(request) = serde_json::from_str::<Value>(request_text) else {
        return refusal(1, "uploadmediarequest is not JSON");
    };
    let mut inner = shared.lock();
    let uin = match auth(&mut inner, req, &request["BaseRequest"]) {
        Ok(uin) => uin,
        Err(code) => return refusal(code, ""),
    };
    let jar = cookies(req.headers);
    let Some(session) = inner.sessions.get_mut(&uin) else {
        return refusal(1101, "");
    };
    let out = &mut session.deviations;
    session.wire.settle(Instant::now(), out);
    if let Some(p) = official::official_params("webwxuploadmedia") {
        official::params("webwxuploadmedia", req.uri, p, out);
    }
    // Names out of order are noted by `params` already.
    if req
        .uri
        .query()
        .is_some_and(|q| q.split('=').next() == Some("f") && !q.contains('&'))
        && req.uri.query() != Some("f=json")
    {
        note(
            out,
            "params: webwxuploadmedia without f=json (official: f=json)".into(),
        );
    }
    official::headers(
        Kind::Upload,
        req.method,
        req.headers,
        &session.wire.page,
        out,
    );
    let chunk = Chunk::of(form, &request);
    if let Ok(chunk) = &chunk {
        let facts = Facts {
            user_name: &session.account.user_name,
            data_ticket: &session.data_ticket,
            pass_ticket: &session.pass_ticket,
            cookie_ticket: jar.get("webwx_data_ticket").map(String::as_str),
            inited: session.inited,
        };
        upload::check_form(form, chunk, request_text, &request, &facts, out);
    } else if request["TotalLen"].as_u64() == Some(0) {
        note(
            out,
            "upload: an empty file (official: refused before upload, 不允许发送空文件)".into(),
        );
    }
    if let Some(code) = forced {
        return refusal(code, "");
    }
    let chunk = match chunk {
        Ok(c) => c,
        Err(why) => return refusal(1, &why),
    };
    let sender = session.account.user_name.clone();
    let mut found = Vec::new();
    // AESKey and Signature: what webwxcheckupload handed out for this file.
    if let Some(grant) = inner.media.get(&uin).and_then(|s| s.grants.get(&chunk.md5)) {
        if chunk.signature.is_some() && chunk.signature.as_deref() != Some(&grant.signature) {
            return refusal(
                1,
                "Signature is not the one webwxcheckupload gave for this FileMd5",
            );
        }
        if chunk.aes_key.is_some() && chunk.aes_key.as_deref() != Some(&grant.aes_key) {
            return refusal(
                1,
                "AESKey is not the one webwxcheckupload gave for this FileMd5",
            );
        }
    } else if chunk.signature.is_some() || chunk.aes_key.is_some() {
        return refusal(
            1,
            "AESKey and Signature without a webwxcheckupload for this FileMd5",
        );
    }
    let key = (uin, chunk.client_media_id.clone());
    if !inner.assemblies.contains_key(&key) {
        if chunk.index != 0 {
            return refusal(
                1,
                &format!(
                    "chunk {} of an upload that did not start (no chunk 0 for this ClientMediaId)",
                    chunk.index
                ),
            );
        }
        upload::make_room(&mut inner.assemblies, uin);
        inner.assembly_seq += 1;
        let assembly = Assembly::new(
            inner.assembly_seq,
            &chunk,
            shared.scenario.upload_keep_bytes,
        );
        inner.assemblies.insert(key.clone(), assembly);
    }
    let Some(assembly) = inner.assemblies.get_mut(&key) else {
        return refusal(1, "no upload");
    };
    if let Err(why) = assembly.same_file(&chunk, &mut found) {
        return refusal(1, &why);
    }
    let step = assembly.take(chunk.index, chunk.chunks, chunk.data.clone());
    if let Some(session) = inner.sessions.get_mut(&uin) {
        for d in found {
            note(&mut session.deviations, d);
        }
    }
    let (bytes, dims) = match step {
        Err(why) => return refusal(1, &why),
        Ok(Step::More) => return upload_answer(0, "", None),
        Ok(Step::Again(id)) => {
            let media = inner.media.get(&uin).and_then(|s| s.uploads.get(&id));
            return upload_answer(0, "", media.map(|m| &**m));
        }
        Ok(Step::Complete { bytes, dims }) => (bytes, dims),
    };
    let store = inner.media.entry(uin).or_default();
    store.uploaded += 1;
    let seed = mix(
        shared.scenario.seed ^ uin,
        0x5550_4C4F_4144_0000 + store.uploaded,
    );
    let media_id = upload::media_id(seed);
    let media = Arc::new(upload::media(
        &chunk,
        media_id.clone(),
        bytes,
        dims,
        &sender,
        store.uploaded,
    ));
    store.uploads.insert(media_id.clone(), Arc::clone(&media));
    if let Some(a) = inner.assemblies.get_mut(&key) {
        a.done = Some(media_id);
    }
    upload_answer(0, "", Some(&media))
}

/// `POST /webwxcheckupload?lang=..&pass_ticket=..` (API host): for a file over 25 MiB, the
/// `AESKey` and `Signature` its upload and send carry, and its `MediaId` when the account
/// already uploaded the same file (same `FileMd5` and size).
pub(crate) fn check_upload(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let uin = call.uin;
        let size = match &call.body["FileSize"] {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        let md5 = text(&call.body["FileMd5"]).to_ascii_lowercase();
        let name = text(&call.body["FileName"]);
        let mut found = Vec::new();
        let body = std::mem::take(&mut call.body);
        let session = call.session()?;
        upload::check_upload_body(req.body, &body, &session.account.user_name, &mut found);
        for d in found {
            note(&mut session.deviations, d);
        }
        let Some(size) = size.filter(|_| !md5.is_empty()) else {
            return Err(wire::ret(1, "FileSize and FileMd5 required"));
        };
        let store = call.inner.media.entry(uin).or_default();
        let existing = store
            .uploads
            .values()
            .filter(|m| {
                m.upload
                    .as_ref()
                    .is_some_and(|u| u.md5 == md5 && u.size == size)
            })
            .max_by_key(|m| m.media_id.clone())
            .map(|m| m.media_id.clone())
            .unwrap_or_default();
        let seed = mix(
            shared.scenario.seed ^ uin,
            0x4752_414E_5400_0000 + store.grants.len() as u64,
        );
        let grant = store
            .grants
            .entry(md5)
            .and_modify(|g| {
                if g.size != size {
                    *g = Grant::new(size, seed);
                }
            })
            .or_insert_with(|| Grant::new(size, seed))
            .clone();
        Ok(wire::json_text(format!(
            "{{\"BaseResponse\":{{\"Ret\":0,\"ErrMsg\":\"\"}},\"MediaId\":{},\"AESKey\":{},\"Signature\":{},\"EncryFileName\":{}}}",
            quoted(&existing),
            quoted(&grant.aes_key),
            quoted(&grant.signature),
            quoted(&upload::encry_file_name(&name))
        )))
    })
}
