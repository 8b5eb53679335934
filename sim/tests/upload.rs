//! Uploads (`/work/notes/upload.md`): webwxuploadmedia's chunks as WebUploader and webwxApp.js
//! send them, webwxcheckupload for a file over 25 MiB, and the sends of what was uploaded. A
//! client that does as the official client does records no deviation; retries, faults,
//! skipped chunks, a wrong MD5 and an ItChat-style upload are checked one by one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::browser::*;
use common::*;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use webwx_sim::{Fault, FaultRule, MediaKind, Scenario, SessionInfo, Simulator};

const CHUNK: usize = 524_288;
const UPLOAD: &str = "/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json";
/// Chrome's `File.lastModifiedDate`, as FormData writes it.
const DATE: &str = "Mon Apr 09 2018 17:40:22 GMT+0800 (中国标准时间)";

fn scenario() -> Scenario {
    let mut s = quick();
    s.contact_events.clear();
    s
}

fn info(sim: &Simulator, uin: u64) -> SessionInfo {
    sim.sessions().into_iter().find(|s| s.uin == uin).unwrap()
}

/// A logged-in, initialised session of the official page, its own user name and a friend's.
async fn set_up(sim: &Simulator) -> (Browser, Login, String, String) {
    let b = Browser::new(&sim.base_url());
    let l = b.login().await;
    let init = b.init(&l).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    let friend = info(sim, l.uin).friends[0].clone();
    (b, l, me, friend)
}

fn md5_hex(data: &[u8]) -> String {
    format!("{:x}", Md5::digest(data))
}

/// `len` bytes made from `seed` (fast: one mix per 8 bytes).
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut z = seed;
    while out.len() < len {
        z = z
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.extend_from_slice(&(z ^ (z >> 29)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A "JPEG" of 640×480 (SOI and a SOF0 segment), then `len` bytes in all.
fn jpeg_like(len: usize) -> Vec<u8> {
    let mut data = vec![
        0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00,
        0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
    ];
    data.extend(bytes(len - data.len(), 5));
    data
}

/// One file as the official page uploads it.
struct File {
    name: String,
    ty: String,
    media_type: String,
    data: Vec<u8>,
    md5: String,
    /// WebUploader's id.
    id: String,
    /// `+new Date` when the upload began.
    client_media_id: i64,
    /// `getBaseRequest()`'s DeviceID, made once per file.
    device_id: String,
    to: String,
    /// webwxcheckupload's AESKey and Signature.
    grant: Option<(String, String)>,
}

impl File {
    fn new(
        b: &Browser,
        n: u32,
        name: &str,
        ty: &str,
        media_type: &str,
        data: Vec<u8>,
        to: &str,
    ) -> File {
        File {
            name: name.into(),
            ty: ty.into(),
            media_type: media_type.into(),
            md5: md5_hex(&data),
            data,
            id: format!("WU_FILE_{n}"),
            client_media_id: now_ms() + i64::from(n),
            device_id: b.device_id(),
            to: to.into(),
            grant: None,
        }
    }

    fn chunks(&self) -> usize {
        self.data.len().div_ceil(CHUNK)
    }

    /// `JSON.stringify(angular.extend({UploadType: 2}, base))`: compact, in its key order.
    fn request(&self, l: &Login, me: &str) -> String {
        let s = |v: &str| Value::from(v).to_string();
        let size = self.data.len();
        let grant = self.grant.as_ref().map_or(String::new(), |(aes, sig)| {
            format!(",\"AESKey\":{},\"Signature\":{}", s(aes), s(sig))
        });
        format!(
            "{{\"UploadType\":2,\"BaseRequest\":{{\"Uin\":{},\"Sid\":{},\"Skey\":{},\"DeviceID\":{}}},\"ClientMediaId\":{},\"TotalLen\":{size},\"StartPos\":0,\"DataLen\":{size},\"MediaType\":4,\"FromUserName\":{},\"ToUserName\":{},\"FileMd5\":{}{grant}}}",
            l.uin,
            s(&l.sid),
            s(&l.skey),
            s(&self.device_id),
            self.client_media_id,
            s(me),
            s(&self.to),
            s(&self.md5)
        )
    }

    /// The form of chunk `k`, as WebUploader and `uploadBeforeSend` fill it.
    fn fields(&self, l: &Login, me: &str, k: usize) -> Vec<(&'static str, String)> {
        let mut f = vec![
            ("id", self.id.clone()),
            ("name", self.name.clone()),
            ("type", self.ty.clone()),
            ("lastModifiedDate", DATE.to_string()),
            ("size", self.data.len().to_string()),
        ];
        if self.chunks() > 1 {
            f.push(("chunks", self.chunks().to_string()));
            f.push(("chunk", k.to_string()));
        }
        f.extend([
            ("mediatype", self.media_type.clone()),
            ("uploadmediarequest", self.request(l, me)),
            ("webwx_data_ticket", l.cookies["webwx_data_ticket"].clone()),
            (
                "pass_ticket",
                percent_encoding::percent_decode_str(&l.pass_ticket)
                    .decode_utf8()
                    .unwrap()
                    .into_owned(),
            ),
        ]);
        f
    }

    /// Chunk `k`'s bytes.
    fn part(&self, k: usize) -> &[u8] {
        &self.data[k * CHUNK..self.data.len().min((k + 1) * CHUNK)]
    }

    /// The file part's Content-Type: the file's type, a Blob.slice's for several chunks.
    fn part_type(&self) -> &str {
        if self.chunks() > 1 {
            "application/octet-stream"
        } else {
            &self.ty
        }
    }
}

/// A multipart body as Chrome frames it.
fn multipart(
    boundary: &str,
    fields: &[(&str, String)],
    file: (&str, &str, &str, &[u8]),
) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    let (field, name, ty, data) = file;
    out.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n"
        )
        .into_bytes(),
    );
    out.extend_from_slice(data);
    out.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    out
}

/// Posts chunk `k` of `file` (its bytes replaced by `data` when given) as the page does.
async fn post_chunk(
    b: &Browser,
    l: &Login,
    me: &str,
    file: &File,
    k: usize,
    data: Option<&[u8]>,
) -> Result<Value, String> {
    let boundary = format!("----WebKitFormBoundary{:016}", k + 1_234_567);
    let body = multipart(
        &boundary,
        &file.fields(l, me, k),
        (
            "filename",
            &file.name,
            file.part_type(),
            data.unwrap_or(file.part(k)),
        ),
    );
    let headers = Browser::with_cookies(b.upload_headers(&boundary), l);
    let reply = send(&b.base, "POST", UPLOAD, &headers, body).await?;
    if reply.status != 200 {
        return Err(format!("status {}", reply.status));
    }
    Ok(reply.json())
}

/// Uploads every chunk of `file` in order; returns the last answer.
async fn upload(b: &Browser, l: &Login, me: &str, file: &File) -> Value {
    let mut last = Value::Null;
    for k in 0..file.chunks() {
        last = post_chunk(b, l, me, file, k, None).await.unwrap();
        assert_eq!(last["BaseResponse"]["Ret"], 0, "chunk {k}: {last}");
        if k + 1 < file.chunks() {
            assert_eq!(
                last,
                json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MediaId": "", "StartPos": 0,
                    "CDNThumbImgHeight": 0, "CDNThumbImgWidth": 0})
            );
        }
    }
    last
}

/// A JSON object with its keys in the given order (`serde_json::Value` sorts them).
fn ordered(pairs: &[(&str, Value)]) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// `_postMessage`: `{BaseRequest, Msg: {<own keys>, FromUserName, ToUserName, LocalID,
/// ClientMsgId}, Scene: 0}` to `endpoint?<before>lang=..&pass_ticket=..`.
async fn post_msg(
    b: &Browser,
    l: &Login,
    endpoint: &str,
    before: &str,
    own: Vec<(&str, Value)>,
    me: &str,
    to: &str,
) -> Value {
    let id = b.local_id();
    let mut msg = own;
    msg.extend([
        ("FromUserName", json!(me)),
        ("ToUserName", json!(to)),
        ("LocalID", json!(id)),
        ("ClientMsgId", json!(id)),
    ]);
    let body = format!(
        "{{\"BaseRequest\":{},\"Msg\":{},\"Scene\":0}}",
        b.base_request(l),
        ordered(&msg)
    );
    let path = b.api(l, endpoint, before);
    send(
        &b.base,
        "POST",
        &path,
        &Browser::with_cookies(b.angular_headers(true), l),
        body.into_bytes(),
    )
    .await
    .unwrap()
    .json()
}

/// `postAppMessage`'s Content for an uploaded file.
fn appmsg(name: &str, size: usize, media_id: &str, ext: &str) -> String {
    format!(
        "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>{name}</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>{size}</totallen><attachid>{media_id}</attachid><fileext>{ext}</fileext></appattach><extinfo></extinfo></appmsg>"
    )
}

#[tokio::test]
async fn a_three_chunk_image_is_assembled_sent_and_served() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let file = File::new(
        &b,
        3,
        "photo.jpg",
        "image/jpeg",
        "pic",
        jpeg_like(2 * CHUNK + 12_345),
        &friend,
    );
    assert_eq!(file.chunks(), 3);

    // The browser's preflight before the first chunk.
    let preflight = send(
        &b.base,
        "OPTIONS",
        UPLOAD,
        &[
            ("origin", b.origin.clone()),
            ("access-control-request-method", "POST".into()),
            ("access-control-request-headers", "content-type".into()),
        ],
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(preflight.status, 200);
    let h = |n: &str| preflight.headers[n].to_str().unwrap().to_string();
    assert_eq!(h("access-control-allow-origin"), b.origin);
    assert_eq!(h("access-control-allow-credentials"), "true");
    assert!(h("access-control-allow-methods").contains("POST"));
    assert_eq!(h("access-control-allow-headers"), "content-type");
    assert_eq!(preflight.json()["MediaId"], "");

    let done = upload(&b, &l, &me, &file).await;
    let media_id = done["MediaId"].as_str().unwrap().to_string();
    assert!(media_id.starts_with("@crypt_"), "{done}");
    assert_eq!(done["StartPos"], file.data.len());
    assert_eq!(
        (&done["CDNThumbImgWidth"], &done["CDNThumbImgHeight"]),
        (&json!(120), &json!(90))
    );
    assert_eq!(done["EncryFileName"], "photo%2Ejpg");

    let up = sim.upload(l.uin, &media_id).unwrap();
    assert_eq!(
        (up.kind, up.size, up.md5.as_str()),
        (MediaKind::Image, file.data.len() as u64, file.md5.as_str())
    );
    assert_eq!(up.bytes.as_deref(), Some(&file.data[..]));
    assert_eq!(
        (
            up.file_name.as_str(),
            up.media_type.as_str(),
            up.to.as_str()
        ),
        ("photo.jpg", "pic", friend.as_str())
    );
    assert!(!up.checked);

    let r = post_msg(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(3)),
            ("MediaId", json!(media_id)),
            ("Content", json!("")),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let sent = sim.sent(l.uin).unwrap();
    let s = sent.last().unwrap();
    assert_eq!(
        (s.msg_type, s.media_id.as_str(), s.to.as_str()),
        (3, media_id.as_str(), friend.as_str())
    );
    assert_eq!(
        (s.media_md5.as_str(), s.media_size, s.file_name.as_str()),
        (file.md5.as_str(), file.data.len() as u64, "photo.jpg")
    );

    // The admin API shows the same.
    let admin = get(&b.base, &format!("/__sim/sessions/{}/sent", l.uin), &[])
        .await
        .json();
    let last = admin.as_array().unwrap().last().unwrap();
    assert_eq!(last["media_md5"], file.md5);
    assert_eq!(last["media_size"], file.data.len());
    assert_eq!(last["file_name"], "photo.jpg");
    let listed = get(&b.base, &format!("/__sim/sessions/{}/uploads", l.uin), &[])
        .await
        .json();
    assert_eq!(listed[0]["media_id"], media_id);
    assert_eq!(listed[0]["kept"], true);
    let raw = get(
        &b.base,
        &format!("/__sim/sessions/{}/uploads/{media_id}", l.uin),
        &[],
    )
    .await;
    assert_eq!(raw.body, file.data);

    // The page shows what it sent by its MsgID.
    let img = get(
        &b.base,
        &b.msg_img_path(&l, r["MsgID"].as_str().unwrap(), None),
        &Browser::with_cookies(b.image_headers(), &l),
    )
    .await;
    assert_eq!(img.body, file.data);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn a_file_over_25_mib_goes_through_checkupload_and_its_send_carries_the_signature() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let size = 26_214_400 + 1_000;
    let mut file = File::new(
        &b,
        0,
        "备份 2025.Zip",
        "application/zip",
        "doc",
        bytes(size, 9),
        &friend,
    );
    let check = |file: &File| {
        format!(
            "{{\"FromUserName\":{},\"ToUserName\":{},\"FileSize\":{size},\"FileMd5\":{},\"FileName\":{},\"FileType\":7,\"BaseRequest\":{}}}",
            Value::from(me.as_str()),
            Value::from(friend.as_str()),
            Value::from(file.md5.as_str()),
            Value::from(file.name.as_str()),
            b.base_request(&l)
        )
    };
    let path = b.api(&l, "webwxcheckupload", "");
    let headers = Browser::with_cookies(b.angular_headers(true), &l);
    let answer = send(&b.base, "POST", &path, &headers, check(&file).into_bytes())
        .await
        .unwrap();
    let text = answer.text();
    assert!(
        text.starts_with(
            "{\"BaseResponse\":{\"Ret\":0,\"ErrMsg\":\"\"},\"MediaId\":\"\",\"AESKey\":"
        ),
        "{text}"
    );
    let answer = answer.json();
    assert_eq!(answer["EncryFileName"], "%E5%A4%87%E4%BB%BD%202025%2EZip");
    let (aes, signature) = (
        answer["AESKey"].as_str().unwrap().to_string(),
        answer["Signature"].as_str().unwrap().to_string(),
    );
    assert!(!aes.is_empty() && !signature.is_empty());

    // A Signature not webwxcheckupload's is refused.
    file.grant = Some((aes.clone(), "forged".into()));
    let refused = post_chunk(&b, &l, &me, &file, 0, None).await.unwrap();
    assert_ne!(refused["BaseResponse"]["Ret"], 0);
    file.grant = Some((aes, signature.clone()));
    file.client_media_id += 1;
    let done = upload(&b, &l, &me, &file).await;
    let media_id = done["MediaId"].as_str().unwrap().to_string();
    assert_eq!(done["StartPos"], size);
    let up = sim.upload(l.uin, &media_id).unwrap();
    assert!(up.checked);
    assert_eq!(
        (up.kind, up.md5.as_str()),
        (MediaKind::File, file.md5.as_str())
    );

    let content = appmsg(&file.name, size, &media_id, "Zip");
    // Without the Signature the send is refused.
    let r = post_msg(
        &b,
        &l,
        "webwxsendappmsg",
        "fun=async&f=json&",
        vec![("Type", json!(6)), ("Content", json!(content))],
        &me,
        &friend,
    )
    .await;
    assert_ne!(r["BaseResponse"]["Ret"], 0, "{r}");
    let r = post_msg(
        &b,
        &l,
        "webwxsendappmsg",
        "fun=async&f=json&",
        vec![
            ("Signature", json!(signature)),
            ("Type", json!(6)),
            ("Content", json!(content)),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let s = sim.sent(l.uin).unwrap().pop().unwrap();
    assert_eq!(
        (s.msg_type, s.media_id.as_str(), s.content.as_str()),
        (6, media_id.as_str(), content.as_str())
    );
    assert_eq!(
        (s.media_md5.as_str(), s.media_size, s.file_name.as_str()),
        (file.md5.as_str(), size as u64, "备份 2025.Zip")
    );

    // The same file again: webwxcheckupload answers with the MediaId, and the page skips the
    // upload.
    let again = send(&b.base, "POST", &path, &headers, check(&file).into_bytes())
        .await
        .unwrap()
        .json();
    assert_eq!(again["MediaId"], media_id);
    assert_eq!(again["Signature"], signature);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn a_chunk_sent_again_replaces_the_previous_one_and_faults_hit_uploads() {
    let mut s = scenario();
    s.faults = vec![
        FaultRule {
            endpoint: "webwxuploadmedia".into(),
            nth: 2,
            fault: Fault::DropMidBody,
        },
        FaultRule {
            endpoint: "webwxuploadmedia".into(),
            nth: 4,
            fault: Fault::Status(500),
        },
    ];
    let sim = Simulator::start(s).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let file = File::new(
        &b,
        1,
        "notes.pdf",
        "application/pdf",
        "doc",
        bytes(2 * CHUNK + 77, 3),
        &friend,
    );
    let ok = |v: &Value| assert_eq!(v["BaseResponse"]["Ret"], 0, "{v}");
    ok(&post_chunk(&b, &l, &me, &file, 0, None).await.unwrap());
    // Request 2: the connection drops in the middle of chunk 1.
    let dropped = post_chunk(&b, &l, &me, &file, 1, None).await;
    assert!(dropped.is_err(), "{dropped:?}");
    // Chunk 1 with wrong bytes, then again (a 500, then the right bytes): the last one counts.
    let wrong = vec![0u8; CHUNK];
    ok(&post_chunk(&b, &l, &me, &file, 1, Some(&wrong))
        .await
        .unwrap());
    assert_eq!(
        post_chunk(&b, &l, &me, &file, 1, None).await,
        Err("status 500".to_string())
    );
    ok(&post_chunk(&b, &l, &me, &file, 1, None).await.unwrap());
    let done = post_chunk(&b, &l, &me, &file, 2, None).await.unwrap();
    let media_id = done["MediaId"].as_str().unwrap();
    assert!(media_id.starts_with("@crypt_"), "{done}");
    assert_eq!(
        sim.upload(l.uin, media_id).unwrap().bytes.unwrap(),
        file.data
    );
    // The last chunk again (its answer lost): the same answer.
    let again = post_chunk(&b, &l, &me, &file, 2, None).await.unwrap();
    assert_eq!(again, done);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn skipped_chunks_a_wrong_md5_and_empty_files_are_refused() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let refused = |v: &Value, what: &str| {
        assert_ne!(v["BaseResponse"]["Ret"], 0, "{v}");
        assert_eq!(v["MediaId"], "");
        let msg = v["BaseResponse"]["ErrMsg"].as_str().unwrap();
        assert!(msg.contains(what), "{msg}");
    };
    let file = File::new(
        &b,
        4,
        "a.bin",
        "application/octet-stream",
        "doc",
        bytes(3 * CHUNK + 1, 1),
        &friend,
    );
    // No chunk 0 for this ClientMediaId.
    refused(
        &post_chunk(&b, &l, &me, &file, 1, None).await.unwrap(),
        "did not start",
    );
    assert_eq!(
        post_chunk(&b, &l, &me, &file, 0, None).await.unwrap()["BaseResponse"]["Ret"],
        0
    );
    refused(
        &post_chunk(&b, &l, &me, &file, 2, None).await.unwrap(),
        "out of order",
    );
    assert_eq!(
        post_chunk(&b, &l, &me, &file, 1, None).await.unwrap()["BaseResponse"]["Ret"],
        0
    );
    assert_eq!(
        post_chunk(&b, &l, &me, &file, 2, None).await.unwrap()["BaseResponse"]["Ret"],
        0
    );
    // Going back further than the last chunk.
    refused(
        &post_chunk(&b, &l, &me, &file, 0, None).await.unwrap(),
        "out of order",
    );
    // A chunk of the wrong length.
    refused(
        &post_chunk(&b, &l, &me, &file, 3, Some(b"xx"))
            .await
            .unwrap(),
        "bytes",
    );

    // A FileMd5 that is not the file's: the last chunk is refused, the right bytes then pass.
    let mut bad = File::new(
        &b,
        5,
        "b.bin",
        "application/octet-stream",
        "doc",
        bytes(CHUNK + 5, 2),
        &friend,
    );
    let good_tail = bad.part(1).to_vec();
    assert_eq!(
        post_chunk(&b, &l, &me, &bad, 0, None).await.unwrap()["BaseResponse"]["Ret"],
        0
    );
    refused(
        &post_chunk(&b, &l, &me, &bad, 1, Some(&[7u8; 5]))
            .await
            .unwrap(),
        "MD5",
    );
    let done = post_chunk(&b, &l, &me, &bad, 1, Some(&good_tail))
        .await
        .unwrap();
    assert!(done["MediaId"].as_str().unwrap().starts_with("@crypt_"));
    bad.md5 = md5_hex(b"something else");
    bad.client_media_id += 100;
    assert_eq!(
        post_chunk(&b, &l, &me, &bad, 0, None).await.unwrap()["BaseResponse"]["Ret"],
        0
    );
    refused(
        &post_chunk(&b, &l, &me, &bad, 1, None).await.unwrap(),
        "MD5",
    );
    assert_eq!(sim.uploads(l.uin).unwrap().len(), 1);

    // An empty file, and a stale skey.
    let empty = File::new(&b, 6, "empty.txt", "text/plain", "doc", vec![], &friend);
    refused(
        &post_chunk(&b, &l, &me, &empty, 0, None).await.unwrap(),
        "empty",
    );
    let mut stale = l.clone();
    stale.skey = "@crypt_0_0".into();
    let file = File::new(
        &b,
        7,
        "c.bin",
        "application/octet-stream",
        "doc",
        bytes(10, 2),
        &friend,
    );
    assert_eq!(
        post_chunk(&b, &stale, &me, &file, 0, None).await.unwrap()["BaseResponse"]["Ret"],
        1100
    );
    // An unknown MediaId is refused by the send.
    let r = post_msg(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(3)),
            ("MediaId", json!("@crypt_nope")),
            ("Content", json!("")),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 1);
    assert_eq!(
        info(&sim, l.uin).deviations,
        vec![
            "upload: an empty file (official: refused before upload, 不允许发送空文件)".to_string()
        ]
    );
}

#[tokio::test]
async fn over_the_cap_only_the_md5_is_kept() {
    let mut s = scenario();
    s.upload_keep_bytes = CHUNK as u64;
    let sim = Simulator::start(s).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let file = File::new(
        &b,
        1,
        "big.dat",
        "application/octet-stream",
        "doc",
        bytes(CHUNK + 1, 4),
        &friend,
    );
    let done = upload(&b, &l, &me, &file).await;
    let media_id = done["MediaId"].as_str().unwrap().to_string();
    let up = sim.upload(l.uin, &media_id).unwrap();
    assert_eq!(
        (up.bytes, up.md5.as_str(), up.size),
        (None, file.md5.as_str(), file.data.len() as u64)
    );
    let r = post_msg(
        &b,
        &l,
        "webwxsendappmsg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(6)),
            (
                "Content",
                json!(appmsg("big.dat", file.data.len(), &media_id, "dat")),
            ),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let s = sim.sent(l.uin).unwrap().pop().unwrap();
    assert_eq!(
        (s.media_md5, s.media_size),
        (file.md5.clone(), file.data.len() as u64)
    );
    let listed = get(&b.base, &format!("/__sim/sessions/{}/uploads", l.uin), &[])
        .await
        .json();
    assert_eq!(listed[0]["kept"], false);
    let raw = get(
        &b.base,
        &format!("/__sim/sessions/{}/uploads/{media_id}", l.uin),
        &[],
    )
    .await;
    assert_eq!(raw.status, 404);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn an_itchat_style_upload_is_taken_and_its_departures_noted() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    // ItChat 1.3.10 (upload.md §7): WU_FILE_0, its own date, a 14-digit ClientMediaId, the
    // login XML's BaseRequest (Skey, Sid, Uin as a string, the pass_ticket as DeviceID),
    // filehelper as ToUserName, the pass_ticket as issued, octet-stream for one chunk, no
    // browser headers.
    let upload_itchat = |name: &str, data: &[u8], media_type: &str, ms: i64| {
        let md5 = md5_hex(data);
        let request = format!(
            "{{\"UploadType\":2,\"BaseRequest\":{{\"Skey\":{},\"Sid\":{},\"Uin\":\"{}\",\"DeviceID\":{}}},\"ClientMediaId\":{ms},\"TotalLen\":{n},\"StartPos\":0,\"DataLen\":{n},\"MediaType\":4,\"FromUserName\":{},\"ToUserName\":\"filehelper\",\"FileMd5\":\"{md5}\"}}",
            Value::from(l.skey.as_str()),
            Value::from(l.sid.as_str()),
            l.uin,
            Value::from(l.pass_ticket.as_str()),
            Value::from(me.as_str()),
            n = data.len()
        );
        let fields = vec![
            ("id", "WU_FILE_0".to_string()),
            ("name", name.to_string()),
            ("type", "image/jpeg".to_string()),
            (
                "lastModifiedDate",
                "Tue Nov 25 2025 12:00:00 GMT+0800 (CST)".to_string(),
            ),
            ("size", data.len().to_string()),
            ("mediatype", media_type.to_string()),
            ("uploadmediarequest", request),
            ("webwx_data_ticket", l.cookies["webwx_data_ticket"].clone()),
            ("pass_ticket", l.pass_ticket.clone()),
        ];
        let boundary = "0123456789abcdef0123456789abcdef";
        let body = multipart(
            boundary,
            &fields,
            ("filename", name, "application/octet-stream", data),
        );
        let headers = vec![
            (
                "user-agent",
                "Mozilla/5.0 Chrome/54.0.2840.71 Safari/537.36".to_string(),
            ),
            ("accept-encoding", "gzip, deflate".to_string()),
            ("accept", "*/*".to_string()),
            (
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
            l.cookie_header(),
        ];
        let base = b.base.clone();
        async move {
            send(&base, "POST", UPLOAD, &headers, body)
                .await
                .unwrap()
                .json()
        }
    };
    let data = jpeg_like(40_000);
    let done = upload_itchat("tmp.jpg", &data, "pic", now_ms() * 10).await;
    let image = done["MediaId"].as_str().unwrap().to_string();
    assert_eq!(sim.upload(l.uin, &image).unwrap().md5, md5_hex(&data));
    // send_image: no Content.
    let r = post_msg(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        vec![("Type", json!(3)), ("MediaId", json!(image))],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    // send_file of a name without extension: fileext ''.
    let doc = bytes(3_000, 8);
    let done = upload_itchat("README", &doc, "doc", now_ms() * 10 + 1).await;
    let file = done["MediaId"].as_str().unwrap().to_string();
    let r = post_msg(
        &b,
        &l,
        "webwxsendappmsg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(6)),
            ("Content", json!(appmsg("README", doc.len(), &file, ""))),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let s = sim.sent(l.uin).unwrap();
    assert_eq!(s[0].media_md5, md5_hex(&data));
    assert_eq!(
        (s[1].media_md5.as_str(), s[1].file_name.as_str()),
        (md5_hex(&doc).as_str(), "README")
    );
    let mut deviations = info(&sim, l.uin).deviations;
    deviations.sort();
    let mut expected = vec![
        "device-id: a DeviceID that is not e + 15 digits",
        "headers: an upload XHR with a multipart boundary other than Chrome's (official: ----WebKitFormBoundary + 16 characters)",
        "headers: an upload XHR with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
        "headers: an upload XHR without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Origin",
        "send: webwxsendappmsg fileext empty for a name without extension (official: undefined)",
        "send: webwxsendmsgimg Msg without Content for an upload (official: Content \"\")",
        "uin: BaseRequest.Uin a string after webwxinit (official: the number of User.Uin)",
        "upload: a one-chunk file part with Content-Type `application/octet-stream` (official: the type field)",
        "upload: pass_ticket still %-encoded (official: decodeURIComponent of the issued one)",
        "upload: uploadmediarequest BaseRequest keys Skey,Sid,Uin,DeviceID (official: Uin,Sid,Skey,DeviceID)",
        "upload: uploadmediarequest ClientMediaId not a 13-digit number of ms (official: +new Date, the same on every chunk)",
        "upload: uploadmediarequest ToUserName not the send's ToUserName (official: the chat the file goes to)",
    ];
    expected.sort_unstable();
    assert_eq!(deviations, expected);
}

#[tokio::test]
async fn a_gif_goes_as_a_sticker_and_an_mp4_as_a_video() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    let mut gif = b"GIF89a\x30\x00\x20\x00".to_vec();
    gif.extend(bytes(5_000, 6));
    let file = File::new(&b, 8, "Smile.GIF", "image/gif", "doc", gif, &friend);
    let done = upload(&b, &l, &me, &file).await;
    let sticker = done["MediaId"].as_str().unwrap().to_string();
    assert_eq!(done["CDNThumbImgWidth"], 0);
    let up = sim.upload(l.uin, &sticker).unwrap();
    assert_eq!(
        (up.kind, up.media_type.as_str()),
        (MediaKind::Sticker, "doc")
    );
    let r = post_msg(
        &b,
        &l,
        "webwxsendemoticon",
        "fun=sys&",
        vec![
            ("Type", json!(47)),
            ("EmojiFlag", json!(2)),
            ("MediaId", json!(sticker)),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");

    let file = File::new(
        &b,
        9,
        "clip.mp4",
        "video/mp4",
        "video",
        bytes(CHUNK + 10, 7),
        &friend,
    );
    let video = upload(&b, &l, &me, &file).await["MediaId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sim.upload(l.uin, &video).unwrap().kind, MediaKind::Video);
    // An uploaded video is not an image.
    let r = post_msg(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(3)),
            ("MediaId", json!(video)),
            ("Content", json!("")),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 1, "{r}");
    let r = post_msg(
        &b,
        &l,
        "webwxsendvideomsg",
        "fun=async&f=json&",
        vec![
            ("Type", json!(43)),
            ("MediaId", json!(video)),
            ("Content", json!("")),
        ],
        &me,
        &friend,
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0, "{r}");
    let sent = sim.sent(l.uin).unwrap();
    assert_eq!(
        sent.iter()
            .map(|s| (s.msg_type, s.file_name.as_str()))
            .collect::<Vec<_>>(),
        vec![(47, "Smile.GIF"), (43, "clip.mp4")]
    );
    assert_eq!(sent[1].media_md5, file.md5);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn in_a_family_uploads_go_to_its_file_host() {
    let mut s = scenario();
    s.family = webwx_sim::Family::Wx2;
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let mut b = Browser::new(&base);
    b.origin = "https://wx2.qq.com".into();
    let id = uuid(&base).await;
    let redirect = loop {
        let r = poll(&base, &id).await;
        if let Some(u) = between(&r, "window.redirect_uri=\"", "\"") {
            break u.to_string();
        }
    };
    let l = login_from(&ticket(&base, &redirect).await, &redirect);
    let me = info(&sim, l.uin).user_name;
    let friend = info(&sim, l.uin).friends[0].clone();
    let file = File::new(&b, 0, "a.png", "image/png", "pic", bytes(1_000, 1), &friend);
    let boundary = "----WebKitFormBoundaryABCDEFGHIJKLMNOP";
    let body = multipart(
        boundary,
        &file.fields(&l, &me, 0),
        ("filename", "a.png", "image/png", &file.data),
    );
    let post = |host: &str| {
        // Cross-origin from the page: its Referer is the page's origin.
        let mut h: Vec<_> = b
            .upload_headers(boundary)
            .into_iter()
            .filter(|(k, _)| *k != "referer")
            .collect();
        h.extend([
            ("referer", "https://wx2.qq.com/".to_string()),
            ("host", host.to_string()),
        ]);
        let h = Browser::with_cookies(h, &l);
        let (base, body) = (base.clone(), body.clone());
        async move { send(&base, "POST", UPLOAD, &h, body).await.unwrap() }
    };
    let r = post("wx2.qq.com").await.json();
    assert_eq!(r["BaseResponse"]["Ret"], 1101, "the API host: {r}");
    let r = post("file.wx2.qq.com").await;
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "https://wx2.qq.com"
    );
    let r = r.json();
    assert!(r["MediaId"].as_str().unwrap().starts_with("@crypt_"), "{r}");
    let deviations = info(&sim, l.uin).deviations;
    assert!(
        deviations.iter().all(|d| !d.contains("upload")),
        "{deviations:?}"
    );
}

#[tokio::test]
async fn a_video_of_20_mib_and_a_checkupload_of_a_small_file_are_noted() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, me, friend) = set_up(&sim).await;
    // The first chunk is enough for the rules to see the size.
    let file = File::new(
        &b,
        1,
        "long.MP4",
        "video/mp4",
        "video",
        bytes(20 * 1024 * 1024, 2),
        &friend,
    );
    let r = post_chunk(&b, &l, &me, &file, 0, None).await.unwrap();
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    let body = format!(
        "{{\"FromUserName\":{},\"ToUserName\":{},\"FileSize\":1000,\"FileMd5\":\"{}\",\"FileName\":\"a.txt\",\"FileType\":7,\"BaseRequest\":{}}}",
        Value::from(me.as_str()),
        Value::from(friend.as_str()),
        md5_hex(b"x"),
        b.base_request(&l)
    );
    let path = b.api(&l, "webwxcheckupload", "");
    let headers = Browser::with_cookies(b.angular_headers(true), &l);
    let r = send(&b.base, "POST", &path, &headers, body.into_bytes())
        .await
        .unwrap()
        .json();
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    assert_eq!(
        info(&sim, l.uin).deviations,
        vec![
            "upload: a video of 20 MiB or more (official: an mp4 of 20 MiB or more is refused before upload)",
            "checkupload: a file of at most 26214400 bytes (official: only files over 26214400 bytes)",
        ]
    );
}
