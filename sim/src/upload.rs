//! Uploads (`/work/notes/upload.md`): webwxuploadmedia's multipart form as WebUploader 0.1.5 and
//! webwxApp.js build it, checked field by field (rules `upload`); the assembly of a file's
//! chunks, bounded in memory (the bytes of an upload over the scenario's cap are not kept, only
//! their MD5); the media an upload makes; webwxcheckupload's body (rule `checkupload`) and the
//! AESKey and Signature it hands out.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::ids::hex;
use crate::media::{Blob, Media, MediaKind, UploadInfo, extension};
use crate::official::{self, note, shown};
use bytes::Bytes;
use http_body_util::BodyExt;
use md5::{Digest, Md5};
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

/// WebUploader's `chunkSize`.
pub(crate) const CHUNK: u64 = 524_288;

/// Files over this size go through webwxcheckupload first (`e.size > 1024 * 25 * 1024`).
pub(crate) const CHECK_OVER: u64 = 26_214_400;

/// The official client refuses an mp4 of this size or more (`e.size >= 1024 * 20 * 1024`).
const VIDEO_LIMIT: u64 = 20 * 1024 * 1024;

/// The most assemblies (in progress or finished) kept per account; the oldest goes first.
const MAX_ASSEMBLIES: usize = 8;

/// The most parts a form may have.
const MAX_PARTS: usize = 64;

/// The longest side of the thumbnail whose size the answer's `CDNThumbImg*` give.
const THUMB_SIDE: u32 = 120;

/// The form fields in WebUploader's order, `chunks` and `chunk` only for a file of several chunks.
const FIELDS: &str = "id,name,type,lastModifiedDate,size,[chunks,chunk],mediatype,uploadmediarequest,webwx_data_ticket,pass_ticket,filename";

/// uploadmediarequest's keys in the official order (`angular.extend({UploadType: 2}, ...)`).
const REQUEST_KEYS: [(&str, bool); 12] = [
    ("UploadType", false),
    ("BaseRequest", false),
    ("ClientMediaId", false),
    ("TotalLen", false),
    ("StartPos", false),
    ("DataLen", false),
    ("MediaType", false),
    ("FromUserName", false),
    ("ToUserName", false),
    ("FileMd5", false),
    ("AESKey", true),
    ("Signature", true),
];

/// `accountFactory.getBaseRequest()`'s keys.
const BASE_KEYS: [&str; 4] = ["Uin", "Sid", "Skey", "DeviceID"];

/// webwxcheckupload's body keys (`angular.extend(u, c.getBaseRequest())`: BaseRequest last).
const CHECK_KEYS: [(&str, bool); 7] = [
    ("FromUserName", false),
    ("ToUserName", false),
    ("FileSize", false),
    ("FileMd5", false),
    ("FileName", false),
    ("FileType", false),
    ("BaseRequest", false),
];

/// One part of a multipart form.
#[derive(Debug)]
pub(crate) struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

/// A multipart form, its parts in the order sent.
#[derive(Debug)]
pub(crate) struct Form {
    parts: Vec<Part>,
}

impl Form {
    /// Parses a `multipart/form-data` body (`content_type` gives the boundary).
    pub(crate) async fn parse(content_type: &str, body: Bytes) -> Result<Form, String> {
        let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
        let stream = http_body_util::Full::new(body).into_data_stream();
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
            if parts.len() == MAX_PARTS {
                return Err(format!("more than {MAX_PARTS} parts"));
            }
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            let content_type = field
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let data = field.bytes().await.map_err(|e| e.to_string())?;
            parts.push(Part {
                name,
                file_name,
                content_type,
                data,
            });
        }
        Ok(Form { parts })
    }

    /// The text of the first field (not a file) named `name`.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|p| p.file_name.is_none() && p.name == name)
            .and_then(|p| std::str::from_utf8(&p.data).ok())
    }

    /// The file part (the first part with a filename).
    fn file(&self) -> Option<&Part> {
        self.parts.iter().find(|p| p.file_name.is_some())
    }

    fn names(&self) -> Vec<String> {
        self.parts.iter().map(|p| p.name.clone()).collect()
    }
}

/// A string field as a client may send it (a string or a number).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A number field, sent as a number or as a string of digits.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// One chunk of an upload, as the server reads it.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// uploadmediarequest's `ClientMediaId` (as text): what ties the chunks of a file together.
    pub(crate) client_media_id: String,
    /// The form's `id`.
    pub(crate) id: String,
    /// The file's name (`name`, else the file part's filename).
    pub(crate) name: String,
    /// `TotalLen`.
    pub(crate) total: u64,
    /// How many chunks the file has, and which this one is.
    pub(crate) chunks: u64,
    pub(crate) index: u64,
    /// `FileMd5`, lowercase.
    pub(crate) md5: String,
    /// `mediatype`.
    pub(crate) media_type: String,
    /// `FromUserName`, `ToUserName`.
    pub(crate) from: String,
    pub(crate) to: String,
    /// `BaseRequest.DeviceID`.
    pub(crate) device_id: String,
    /// `AESKey`, `Signature` (after a webwxcheckupload).
    pub(crate) aes_key: Option<String>,
    pub(crate) signature: Option<String>,
    /// The chunk's bytes.
    pub(crate) data: Bytes,
}

impl Chunk {
    /// Reads a chunk from `form` and its parsed `uploadmediarequest`; `Err` is the refusal's
    /// message (the server cannot place the bytes).
    pub(crate) fn of(form: &Form, request: &Value) -> Result<Chunk, String> {
        let client_media_id = text(&request["ClientMediaId"]);
        if client_media_id.is_empty() {
            return Err("uploadmediarequest without ClientMediaId".into());
        }
        let total =
            number(&request["TotalLen"]).ok_or("uploadmediarequest without a TotalLen number")?;
        let md5 = text(&request["FileMd5"]).to_ascii_lowercase();
        if md5.is_empty() {
            return Err("uploadmediarequest without FileMd5".into());
        }
        let file = form.file().ok_or("no file part (name=\"filename\")")?;
        if total == 0 {
            return Err("empty file: the size is 0".into());
        }
        let official = total.div_ceil(CHUNK);
        let field = |name: &str| form.text(name).map(|v| v.trim().parse::<u64>());
        let (chunks, index, whole) = match (field("chunks"), field("chunk")) {
            (Some(Ok(chunks)), Some(Ok(index))) => {
                if chunks != official {
                    return Err(format!(
                        "chunks {chunks} is not ceil(size / 524288) = {official}"
                    ));
                }
                if index >= chunks {
                    return Err(format!("chunk {index} of {chunks}"));
                }
                (chunks, index, false)
            }
            (None, None) if official == 1 || file.data.len() as u64 == total => (1, 0, true),
            (None, None) => {
                return Err(format!(
                    "no chunks and chunk for a file of {official} chunks of 524288 bytes"
                ));
            }
            _ => return Err("chunks and chunk must both be numbers".into()),
        };
        let (start, end) = if whole {
            (0, total)
        } else {
            (index * CHUNK, total.min((index + 1) * CHUNK))
        };
        let len = file.data.len() as u64;
        if len != end - start {
            return Err(format!(
                "chunk {index} has {len} bytes, not {} (bytes {start}..{end} of {total})",
                end - start
            ));
        }
        let name = form
            .text("name")
            .map(str::to_string)
            .or_else(|| file.file_name.clone())
            .unwrap_or_default();
        let optional = |key: &str| request.get(key).map(text);
        Ok(Chunk {
            client_media_id,
            id: form.text("id").unwrap_or_default().to_string(),
            name,
            total,
            chunks,
            index,
            md5,
            media_type: form.text("mediatype").unwrap_or_default().to_string(),
            from: text(&request["FromUserName"]),
            to: text(&request["ToUserName"]),
            device_id: text(&request["BaseRequest"]["DeviceID"]),
            aes_key: optional("AESKey"),
            signature: optional("Signature"),
            data: file.data.clone(),
        })
    }
}

/// What the session knows that the form's fields must match.
pub(crate) struct Facts<'a> {
    /// The account's `UserName`.
    pub(crate) user_name: &'a str,
    /// The session's `webwx_data_ticket` cookie.
    pub(crate) data_ticket: &'a str,
    /// The issued pass_ticket (%-encoded, as the login XML gave it).
    pub(crate) pass_ticket: &'a str,
    /// The request's `webwx_data_ticket` cookie, if it sent one.
    pub(crate) cookie_ticket: Option<&'a str>,
    /// Whether webwxinit came (BaseRequest.Uin is a number after it).
    pub(crate) inited: bool,
}

/// The `mediatype` the official client picks for `name` (by WebUploader's `ext`, any case):
/// `pic` for bmp, png, jpeg, jpg; `video` for mp4; `doc` for everything else, gif included.
pub(crate) fn official_media_type(name: &str) -> &'static str {
    match extension(name).to_ascii_lowercase().as_str() {
        "bmp" | "png" | "jpeg" | "jpg" => "pic",
        "mp4" => "video",
        _ => "doc",
    }
}

/// The kind of media an upload makes: by its `mediatype`, a `doc` .gif a sticker.
pub(crate) fn kind_of(media_type: &str, name: &str) -> MediaKind {
    match media_type {
        "pic" => MediaKind::Image,
        "video" => MediaKind::Video,
        _ if extension(name).eq_ignore_ascii_case("gif") => MediaKind::Sticker,
        _ => MediaKind::File,
    }
}

/// `EncryFileName`: the name through encodeURIComponent, `.` as `%2E`.
pub(crate) fn encry_file_name(name: &str) -> String {
    official::encode_uri_component(name).replace('.', "%2E")
}

/// Whether `v` is JavaScript's `Date` text: `Www Mmm DD YYYY HH:MM:SS GMT+HHMM (zone name)`.
fn is_js_date(v: &str) -> bool {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some((head, zone)) = v.split_once(" (") else {
        return false;
    };
    if !zone.ends_with(')') || zone.len() < 2 {
        return false;
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let t: Vec<&str> = head.split(' ').collect();
    let [day, month, date, year, time, gmt] = t.as_slice() else {
        return false;
    };
    let hms: Vec<&str> = time.split(':').collect();
    DAYS.contains(day)
        && MONTHS.contains(month)
        && digits(date, 2)
        && digits(year, 4)
        && hms.len() == 3
        && hms.iter().all(|p| digits(p, 2))
        && gmt
            .strip_prefix("GMT")
            .and_then(|o| o.strip_prefix('+').or_else(|| o.strip_prefix('-')))
            .is_some_and(|o| digits(o, 4))
}

/// Whether `v` looks like a MIME type (`type/subtype`, no spaces).
fn is_mime(v: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    v.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// Whether `v` is 32 lowercase hex digits.
fn is_md5(v: &str) -> bool {
    v.len() == 32
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `upload`: the form of one chunk against WebUploader's and webwxApp.js's (upload.md §1, §2).
/// `request_text` is the uploadmediarequest as sent, `request` parsed.
pub(crate) fn check_form(
    form: &Form,
    chunk: &Chunk,
    request_text: &str,
    request: &Value,
    facts: &Facts<'_>,
    out: &mut Vec<String>,
) {
    let names = form.names();
    let several = form.text("chunks").is_some();
    let mut official: Vec<&str> = vec!["id", "name", "type", "lastModifiedDate", "size"];
    if several {
        official.extend(["chunks", "chunk"]);
    }
    official.extend([
        "mediatype",
        "uploadmediarequest",
        "webwx_data_ticket",
        "pass_ticket",
        "filename",
    ]);
    if names != official {
        note(
            out,
            format!(
                "upload: webwxuploadmedia fields {} (official: {FIELDS})",
                official::shown_keys(&names)
            ),
        );
    }
    if let Some(file) = form.file() {
        if file.name != "filename" {
            note(
                out,
                format!(
                    "upload: the file part named `{}` (official: filename)",
                    shown(&file.name)
                ),
            );
        }
        if form
            .text("name")
            .is_some_and(|n| Some(n) != file.file_name.as_deref())
        {
            note(
                out,
                "upload: the file part's filename is not the name field (official: the full file name on every chunk)"
                    .into(),
            );
        }
        let ct = file.content_type.as_deref().unwrap_or("none");
        let ty = form.text("type").unwrap_or_default();
        if chunk.chunks == 1 && !ct.eq_ignore_ascii_case(ty) {
            note(
                out,
                format!(
                    "upload: a one-chunk file part with Content-Type `{}` (official: the type field)",
                    shown(ct)
                ),
            );
        }
        if chunk.chunks > 1 && !ct.eq_ignore_ascii_case("application/octet-stream") {
            note(
                out,
                format!(
                    "upload: a chunk's file part with Content-Type `{}` (official: application/octet-stream, a Blob.slice)",
                    shown(ct)
                ),
            );
        }
    }
    if !form.text("id").is_some_and(|id| {
        id.strip_prefix("WU_FILE_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }) {
        note(
            out,
            "upload: id not WU_FILE_<n> (official: WebUploader's file id, a page-wide counter)"
                .into(),
        );
    }
    if let Some(ty) = form.text("type").filter(|t| !is_mime(t)) {
        note(
            out,
            format!(
                "upload: type `{}` is not a MIME type (official: the file's type)",
                shown(ty)
            ),
        );
    }
    if form
        .text("lastModifiedDate")
        .is_some_and(|d| !is_js_date(d))
    {
        note(
            out,
            "upload: lastModifiedDate not JavaScript's Date text (official: Www Mmm DD YYYY HH:MM:SS GMT+HHMM (zone name))"
                .into(),
        );
    }
    if form
        .text("size")
        .is_some_and(|s| s != chunk.total.to_string())
    {
        note(
            out,
            "upload: size not TotalLen in decimal (official: the file's size, on every chunk)"
                .into(),
        );
    }
    if several && chunk.total <= CHUNK {
        note(
            out,
            "upload: chunks and chunk on a one-chunk file (official: only for more than one chunk)"
                .into(),
        );
    }
    if !several && chunk.total > CHUNK {
        note(
            out,
            "upload: a file of more than 524288 bytes in one request (official: chunks of 524288 bytes)"
                .into(),
        );
    }
    let want = official_media_type(&chunk.name);
    if chunk.media_type != want {
        let ext = extension(&chunk.name);
        let of = if ext.is_empty() {
            "a name without extension".to_string()
        } else {
            format!("a .{}", shown(ext))
        };
        note(
            out,
            format!(
                "upload: mediatype `{}` for {of} (official: {want})",
                shown(&chunk.media_type)
            ),
        );
    }
    if chunk.media_type == "video" && chunk.total >= VIDEO_LIMIT {
        note(
            out,
            "upload: a video of 20 MiB or more (official: an mp4 of 20 MiB or more is refused before upload)"
                .into(),
        );
    }
    check_request(chunk, request_text, request, facts, out);
    if form
        .text("webwx_data_ticket")
        .is_none_or(|t| t != facts.data_ticket)
    {
        note(
            out,
            "upload: webwx_data_ticket not the cookie's value (official: the webwx_data_ticket cookie)"
                .into(),
        );
    }
    if facts.cookie_ticket.is_none_or(|t| t != facts.data_ticket) {
        note(
            out,
            "upload: webwxuploadmedia without the webwx_data_ticket cookie (official: sent with credentials)"
                .into(),
        );
    }
    let decoded = percent_encoding::percent_decode_str(facts.pass_ticket).decode_utf8_lossy();
    match form.text("pass_ticket") {
        // `decodeURIComponent(undefined)` after a page reload.
        Some(p) if p == decoded || p == "undefined" => {}
        Some(p) if p == facts.pass_ticket => note(
            out,
            "upload: pass_ticket still %-encoded (official: decodeURIComponent of the issued one)"
                .into(),
        ),
        Some(_) => note(
            out,
            "upload: pass_ticket neither the issued one decoded nor undefined (official: decodeURIComponent of the issued one)"
                .into(),
        ),
        None => {}
    }
}

/// `upload`, `uin`, `device-id`: the uploadmediarequest JSON (upload.md §2).
fn check_request(
    chunk: &Chunk,
    request_text: &str,
    request: &Value,
    facts: &Facts<'_>,
    out: &mut Vec<String>,
) {
    if !official::is_compact(request_text) {
        note(
            out,
            "upload: uploadmediarequest not compact JSON (official: JSON.stringify, no spaces)"
                .into(),
        );
    }
    if let Some((keys, base)) = official::key_order(request_text.as_bytes(), "BaseRequest") {
        if !official::keys_match(&keys, &REQUEST_KEYS) {
            note(
                out,
                format!(
                    "upload: uploadmediarequest keys {} (official: {})",
                    official::shown_keys(&keys),
                    official::official_keys(&REQUEST_KEYS)
                ),
            );
        }
        if let Some(base) = base.filter(|b| b != &BASE_KEYS) {
            note(
                out,
                format!(
                    "upload: uploadmediarequest BaseRequest keys {} (official: {})",
                    official::shown_keys(&base),
                    BASE_KEYS.join(",")
                ),
            );
        }
    }
    let base = &request["BaseRequest"];
    if base["Uin"].is_string() && facts.inited {
        note(
            out,
            "uin: BaseRequest.Uin a string after webwxinit (official: the number of User.Uin)"
                .into(),
        );
    }
    if !official::is_device_id(&chunk.device_id) {
        note(
            out,
            "device-id: a DeviceID that is not e + 15 digits".into(),
        );
    }
    let wrong = |key: &str, official: i64| {
        (request[key].as_i64() != Some(official)).then(|| {
            format!(
                "upload: uploadmediarequest {key} `{}` (official: {official})",
                shown(&request[key].to_string())
            )
        })
    };
    for found in [wrong("UploadType", 2), wrong("MediaType", 4)]
        .into_iter()
        .flatten()
    {
        note(out, found);
    }
    if request["StartPos"].as_u64() != Some(0) || request["DataLen"].as_u64() != Some(chunk.total) {
        note(
            out,
            "upload: uploadmediarequest StartPos and DataLen not 0 and TotalLen (official: the same on every chunk)"
                .into(),
        );
    }
    if request["TotalLen"].as_u64().is_none() {
        note(
            out,
            "upload: uploadmediarequest TotalLen not a number (official: File.size)".into(),
        );
    }
    let ms = &request["ClientMediaId"];
    if !(ms.is_u64() && ms.to_string().len() == 13) {
        note(
            out,
            "upload: uploadmediarequest ClientMediaId not a 13-digit number of ms (official: +new Date, the same on every chunk)"
                .into(),
        );
    }
    if chunk.from != facts.user_name {
        note(
            out,
            "upload: uploadmediarequest FromUserName not the account's UserName (official: User.UserName)"
                .into(),
        );
    }
    if !is_md5(&text(&request["FileMd5"])) {
        note(
            out,
            "upload: uploadmediarequest FileMd5 not 32 lowercase hex digits (official: the file's MD5, SparkMD5's hex)"
                .into(),
        );
    }
    let granted = chunk.aes_key.is_some() || chunk.signature.is_some();
    if chunk.total > CHECK_OVER && !granted {
        note(
            out,
            "upload: a file over 26214400 bytes without AESKey and Signature (official: webwxcheckupload first, its AESKey and Signature in uploadmediarequest)"
                .into(),
        );
    }
    if chunk.total <= CHECK_OVER && granted {
        note(
            out,
            "upload: uploadmediarequest with AESKey or Signature for a file of at most 26214400 bytes (official: only after webwxcheckupload, over 26214400 bytes)"
                .into(),
        );
    }
}

/// `checkupload`: webwxcheckupload's body (upload.md §4). `user_name` is the account's.
pub(crate) fn check_upload_body(raw: &[u8], body: &Value, user_name: &str, out: &mut Vec<String>) {
    if let Some((keys, _)) = official::key_order(raw, "")
        && !official::keys_match(&keys, &CHECK_KEYS)
    {
        note(
            out,
            format!(
                "checkupload: body keys {} (official: {})",
                official::shown_keys(&keys),
                official::official_keys(&CHECK_KEYS)
            ),
        );
    }
    if body["FileType"].as_i64() != Some(7) {
        note(
            out,
            format!(
                "checkupload: FileType `{}` (official: 7)",
                shown(&body["FileType"].to_string())
            ),
        );
    }
    match body["FileSize"].as_u64() {
        None => note(
            out,
            "checkupload: FileSize not a number (official: File.size)".into(),
        ),
        Some(size) if size <= CHECK_OVER => note(
            out,
            "checkupload: a file of at most 26214400 bytes (official: only files over 26214400 bytes)"
                .into(),
        ),
        Some(_) => {}
    }
    if !is_md5(&text(&body["FileMd5"])) {
        note(
            out,
            "checkupload: FileMd5 not 32 lowercase hex digits (official: the file's MD5, SparkMD5's hex)"
                .into(),
        );
    }
    if text(&body["FromUserName"]) != user_name {
        note(
            out,
            "checkupload: FromUserName not the account's UserName (official: User.UserName)".into(),
        );
    }
}

/// What webwxcheckupload handed out for a file (by its MD5).
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// The `FileSize` it was asked for.
    pub(crate) size: u64,
    pub(crate) aes_key: String,
    pub(crate) signature: String,
}

impl Grant {
    /// A new grant for a file of `size` bytes, made from `seed`.
    pub(crate) fn new(size: u64, seed: u64) -> Grant {
        Grant {
            size,
            aes_key: hex(seed, 1, 32),
            signature: hex(seed, 2, 96),
        }
    }
}

/// What taking a chunk came to.
#[derive(Debug)]
pub(crate) enum Step {
    /// More chunks to come.
    More,
    /// The last chunk: the file's MD5 matched `FileMd5`; its bytes (when kept) and image size.
    Complete {
        bytes: Option<Bytes>,
        dims: Option<(u32, u32)>,
    },
    /// The last chunk again, of an upload already complete: its MediaId.
    Again(String),
}

/// One file's upload in progress (or finished: then only its MediaId).
#[derive(Debug)]
pub(crate) struct Assembly {
    /// When it started, among the simulator's assemblies.
    pub(crate) seq: u64,
    id: String,
    total: u64,
    md5: String,
    device_id: String,
    /// The MD5 of the chunks before `last`.
    hasher: Md5,
    /// The bytes before `last`, when the file is not over the cap.
    kept: Option<Vec<u8>>,
    /// The last chunk taken, not yet hashed (a retry replaces it).
    last: Option<(u64, Bytes)>,
    /// The image size read from the first chunk.
    dims: Option<(u32, u32)>,
    /// The MediaId, once complete.
    pub(crate) done: Option<String>,
}

impl Assembly {
    /// A new assembly for the file of `chunk` (its first), keeping its bytes when its size is
    /// at most `cap`.
    pub(crate) fn new(seq: u64, chunk: &Chunk, cap: u64) -> Assembly {
        Assembly {
            seq,
            id: chunk.id.clone(),
            total: chunk.total,
            md5: chunk.md5.clone(),
            device_id: chunk.device_id.clone(),
            hasher: Md5::new(),
            kept: (chunk.total <= cap)
                .then(|| Vec::with_capacity(usize::try_from(chunk.total).unwrap_or(0))),
            last: None,
            dims: None,
            done: None,
        }
    }

    /// Whether `chunk` is of this file (`Err`: the refusal's message); notes an `id` or
    /// DeviceID that changed between its chunks.
    pub(crate) fn same_file(&self, chunk: &Chunk, out: &mut Vec<String>) -> Result<(), String> {
        if chunk.total != self.total || chunk.md5 != self.md5 {
            return Err(format!(
                "ClientMediaId {} is the upload of another file (TotalLen or FileMd5 changed)",
                shown(&chunk.client_media_id)
            ));
        }
        if chunk.id != self.id {
            note(
                out,
                "upload: id not the same on every chunk of a file (official: the same)".into(),
            );
        }
        if chunk.device_id != self.device_id {
            note(
                out,
                "device-id: uploadmediarequest DeviceID not the same on every chunk of a file (official: built once per file)"
                    .into(),
            );
        }
        Ok(())
    }

    /// Hashes (and keeps) the last chunk taken; returns it.
    fn commit(&mut self) -> Option<(u64, Bytes)> {
        let (index, data) = self.last.take()?;
        self.hasher.update(&data);
        if let Some(kept) = self.kept.as_mut() {
            kept.extend_from_slice(&data);
        }
        Some((index, data))
    }

    /// Takes chunk `index` of `chunks`: the next one, or the last one again (a retry replaces
    /// it). `Err` is the refusal's message: a chunk skipped, an earlier one, the file's MD5
    /// not `FileMd5`.
    pub(crate) fn take(&mut self, index: u64, chunks: u64, data: Bytes) -> Result<Step, String> {
        if let Some(id) = &self.done {
            return if index + 1 == chunks {
                Ok(Step::Again(id.clone()))
            } else {
                Err(format!("chunk {index} of an upload already complete"))
            };
        }
        match self.last.as_ref().map(|(i, _)| *i) {
            Some(last) if last == index => self.last = Some((index, data)),
            Some(last) if index == last + 1 => {
                self.commit();
                self.last = Some((index, data));
            }
            None if index == 0 => self.last = Some((0, data)),
            last => {
                let expected = last.map_or(0, |l| l + 1);
                let again = last.map_or(String::new(), |l| format!(" or chunk {l} again"));
                return Err(format!(
                    "chunk {index} out of order (expected chunk {expected}{again})"
                ));
            }
        }
        if index == 0 {
            self.dims = self.last.as_ref().and_then(|(_, d)| dimensions(d));
        }
        if index + 1 < chunks {
            return Ok(Step::More);
        }
        let (hasher, kept_len) = (self.hasher.clone(), self.kept.as_ref().map_or(0, Vec::len));
        let taken = self.commit();
        let md5 = format!("{:x}", self.hasher.clone().finalize());
        if md5 != self.md5 {
            // The file is not what FileMd5 says: the last chunk may be sent again.
            self.hasher = hasher;
            if let Some(kept) = self.kept.as_mut() {
                kept.truncate(kept_len);
            }
            self.last = taken;
            return Err(format!(
                "the file's MD5 is {md5}, not FileMd5 {}",
                shown(&self.md5)
            ));
        }
        Ok(Step::Complete {
            bytes: self.kept.take().map(Bytes::from),
            dims: self.dims,
        })
    }
}

/// Makes room for a new assembly of `uin` among `assemblies` (at most 8 per account: the
/// oldest goes).
pub(crate) fn make_room(
    assemblies: &mut std::collections::HashMap<(u64, String), Assembly>,
    uin: u64,
) {
    loop {
        let mine: Vec<(&(u64, String), u64)> = assemblies
            .iter()
            .filter(|((u, _), _)| *u == uin)
            .map(|(k, a)| (k, a.seq))
            .collect();
        if mine.len() < MAX_ASSEMBLIES {
            return;
        }
        let Some(oldest) = mine
            .iter()
            .min_by_key(|(_, seq)| *seq)
            .map(|(k, _)| (*k).clone())
        else {
            return;
        };
        assemblies.remove(&oldest);
    }
}

/// The media a finished upload makes (`bytes` `None` when over the cap).
pub(crate) fn media(
    chunk: &Chunk,
    media_id: String,
    bytes: Option<Bytes>,
    dims: Option<(u32, u32)>,
    sender: &str,
    order: u64,
) -> Media {
    let kind = kind_of(&chunk.media_type, &chunk.name);
    let kept = bytes.is_some();
    let full = Blob::Whole(bytes.unwrap_or_default());
    let (width, height) = match (kind, dims) {
        (MediaKind::Image, Some((w, h))) => thumbnail(w, h),
        (MediaKind::Sticker, Some(d)) => d,
        _ => (0, 0),
    };
    let thumb = match kind {
        // The server's thumbnail of an uploaded image: the image itself.
        MediaKind::Image if kept => Some(full.clone()),
        MediaKind::Video => Some(Blob::Whole(crate::media::jpeg(160, 90, 7).into())),
        _ => None,
    };
    Media {
        kind,
        full,
        thumb,
        width,
        height,
        voice_ms: 0,
        play_length: 0,
        file_name: chunk.name.clone(),
        encry_file_name: encry_file_name(&chunk.name),
        media_id,
        md5: if kind == MediaKind::Sticker {
            chunk.md5.clone()
        } else {
            String::new()
        },
        sender: sender.to_string(),
        upload: Some(UploadInfo {
            md5: chunk.md5.clone(),
            size: chunk.total,
            kept,
            media_type: chunk.media_type.clone(),
            to: chunk.to.clone(),
            signature: chunk.signature.clone(),
            order,
        }),
        digest: OnceLock::new(),
    }
}

/// A `MediaId` for an upload, made from `seed`: `@crypt_`, 8 hex digits, `_`, 160 hex digits.
pub(crate) fn media_id(seed: u64) -> String {
    format!("@crypt_{}_{}", hex(seed, 17, 8), hex(seed, 18, 160))
}

/// The size of the thumbnail of a `w`×`h` image: the longer side at most 120 pixels.
fn thumbnail(w: u32, h: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= THUMB_SIDE || long == 0 {
        return (w, h);
    }
    let scale = |v: u32| (u64::from(v) * u64::from(THUMB_SIDE) / u64::from(long)).max(1) as u32;
    (scale(w), scale(h))
}

/// The width and height of a JPEG, PNG, GIF or BMP from its first bytes.
pub(crate) fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let u16be = |i: usize| Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let u16le = |i: usize| Some(u32::from(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let u32be = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let i32le = |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((u32be(16)?, u32be(20)?));
    }
    if b.starts_with(b"GIF8") {
        return Some((u16le(6)?, u16le(8)?));
    }
    if b.starts_with(b"BM") {
        return Some((i32le(18)?.unsigned_abs(), i32le(22)?.unsigned_abs()));
    }
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        let len = u16be(i + 2)? as usize;
        let sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            return Some((u16be(i + 7)?, u16be(i + 5)?));
        }
        i += 2 + len;
    }
}

/// An upload the simulator assembled from webwxuploadmedia's chunks, as a test sees it.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UploadedMedia {
    /// The `MediaId` the last chunk's answer gave (what a send names).
    pub media_id: String,
    /// What it was stored as: by `mediatype`, `pic` an image, `video` a video, `doc` a file
    /// (a `doc` named `.gif` a sticker).
    pub kind: MediaKind,
    /// The file's name (the form's `name`).
    pub file_name: String,
    /// The form's `mediatype` (`pic`, `video`, `doc`).
    pub media_type: String,
    /// `TotalLen`: the file's size in bytes.
    pub size: u64,
    /// The MD5 of the assembled bytes, 32 lowercase hex digits (equal to its `FileMd5`).
    pub md5: String,
    /// The uploadmediarequest's `ToUserName`.
    pub to: String,
    /// Whether the upload carried webwxcheckupload's `AESKey` and `Signature`.
    pub checked: bool,
    /// The bytes, `None` when the file was over [`Scenario::upload_keep_bytes`](crate::Scenario::upload_keep_bytes).
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
}

impl std::fmt::Debug for UploadedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedMedia")
            .field("media_id", &self.media_id)
            .field("kind", &self.kind)
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .field("md5", &self.md5)
            .field("to", &self.to)
            .field("checked", &self.checked)
            .field("bytes", &self.bytes.as_ref().map(Vec::len))
            .finish()
    }
}

impl UploadedMedia {
    /// The upload `media` made, as a test sees it (`None` when it is not an upload).
    pub(crate) fn of(media: &Media) -> Option<UploadedMedia> {
        let u = media.upload.as_ref()?;
        Some(UploadedMedia {
            media_id: media.media_id.clone(),
            kind: media.kind,
            file_name: media.file_name.clone(),
            media_type: u.media_type.clone(),
            size: u.size,
            md5: u.md5.clone(),
            to: u.to.clone(),
            checked: u.signature.is_some(),
            bytes: u.kept.then(|| media.full.all().to_vec()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_dates() {
        assert!(is_js_date(
            "Mon Apr 09 2018 17:40:22 GMT+0800 (中国标准时间)"
        ));
        assert!(is_js_date("Tue Nov 25 2025 04:00:00 GMT-0500 (CST)"));
        assert!(!is_js_date("2018/4/9 下午5:40:22"));
        assert!(!is_js_date("Mon Apr 9 2018 17:40:22 GMT+0800 (CST)"));
        assert!(!is_js_date("Mon Apr 09 2018 17:40:22 GMT+0800"));
    }

    #[test]
    fn media_types_and_names() {
        assert_eq!(official_media_type("a.JPG"), "pic");
        assert_eq!(official_media_type("a.b.Mp4"), "video");
        assert_eq!(official_media_type("a.gif"), "doc");
        assert_eq!(official_media_type("noext"), "doc");
        assert_eq!(kind_of("doc", "x.GIF"), MediaKind::Sticker);
        assert_eq!(kind_of("doc", "x.jpg"), MediaKind::File);
        assert_eq!(encry_file_name("Data.jpg"), "Data%2Ejpg");
        assert_eq!(
            encry_file_name("报告 1.pdf"),
            "%E6%8A%A5%E5%91%8A%201%2Epdf"
        );
    }

    #[test]
    fn image_sizes() {
        let jpeg = crate::media::jpeg(400, 300, 1);
        assert_eq!(dimensions(&jpeg), Some((400, 300)));
        assert_eq!(thumbnail(400, 300), (120, 90));
        assert_eq!(thumbnail(60, 40), (60, 40));
        let gif = crate::media::gif(48, 1);
        assert_eq!(dimensions(&gif), Some((48, 48)));
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        assert_eq!(dimensions(&png), Some((640, 480)));
        assert_eq!(dimensions(b"hello"), None);
    }
}
