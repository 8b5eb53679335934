//! Sending files: the upload as the official client makes it (WebUploader's chunked multipart
//! `webwxuploadmedia`, `webwxcheckupload` above 25 MiB), then the send of each kind, with the
//! bytes handed over a chunk at a time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::bytes::Bytes;
use webwx_core::http::Response;
use webwx_core::{
    CHUNK_SIZE, ChunkRequest, Client, Endpoint, Error, Event, FileInfo, Transmit,
    TransportErrorKind, UsageError,
};

const TO: &str = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";

/// A file's bytes: deterministic, not all alike.
fn bytes_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// One part of a multipart body: its headers and value.
#[derive(Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    value: Vec<u8>,
}

/// Splits a multipart body (a test's own reading, independent of the encoder).
fn parts(t: &Transmit) -> Vec<Part> {
    let ct = t.request.headers()["content-type"].to_str().unwrap();
    let boundary = ct.split("boundary=").nth(1).unwrap();
    let delimiter = format!("--{boundary}");
    let body = t.request.body();
    let mut out = vec![];
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut at = find(body, delimiter.as_bytes(), 0).unwrap();
    loop {
        let start = at + delimiter.len();
        if body[start..].starts_with(b"--") {
            break;
        }
        let head_end = find(body, b"\r\n\r\n", start).unwrap();
        let head = String::from_utf8(body[start + 2..head_end].to_vec()).unwrap();
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), head_end).unwrap();
        let value = body[head_end + 4..next].to_vec();
        let disposition = head.lines().next().unwrap();
        let name = disposition.split("name=\"").nth(1).unwrap();
        let name = name[..name.find('"').unwrap()].to_string();
        let filename = disposition
            .split("filename=\"")
            .nth(1)
            .map(|f| f[..f.rfind('"').unwrap()].to_string());
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Type: "))
            .map(str::to_string);
        out.push(Part {
            name,
            filename,
            content_type,
            value,
        });
        at = next + 2;
    }
    out
}

fn field<'a>(parts: &'a [Part], name: &str) -> &'a str {
    let p = parts.iter().find(|p| p.name == name).unwrap();
    std::str::from_utf8(&p.value).unwrap()
}

fn names(parts: &[Part]) -> Vec<&str> {
    parts.iter().map(|p| p.name.as_str()).collect()
}

/// Hands over the chunk asked for from `file`.
fn feed(c: &mut Client, file: &[u8], now: u64) -> ChunkRequest {
    let r = c.poll_chunk_request().expect("a chunk request");
    let start = usize::try_from(r.offset).unwrap();
    let bytes = Bytes::copy_from_slice(&file[start..start + r.len]);
    c.handle_chunk(r.handle, r.offset, bytes, at(now)).unwrap();
    r
}

fn upload_ok(media_id: &str, size: usize) -> Response<Bytes> {
    ok(Bytes::from(format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"MediaId":"{media_id}","StartPos":{size},"CDNThumbImgHeight":100,"CDNThumbImgWidth":74,"EncryFileName":"x"}}"#
    )))
}

fn chunk_ok() -> Response<Bytes> {
    ok(Bytes::from_static(
        br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MediaId":"","StartPos":0,"CDNThumbImgHeight":0,"CDNThumbImgWidth":0}"#,
    ))
}

fn send_ok() -> Response<Bytes> {
    ok(sync_fixture("webwxsendmsg.json"))
}

fn json(t: &Transmit) -> serde_json::Value {
    serde_json::from_slice(t.request.body()).unwrap()
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_three_chunk_image_hashed_then_uploaded_then_sent() {
    let (mut c, _) = ready(config());
    let file = bytes_of(2 * CHUNK_SIZE + 1000);
    let handle = c
        .send_file(
            TO,
            FileInfo::new("chart.PNG", file.len() as u64).modified(at(0)),
            at(20_000),
        )
        .unwrap();
    // The MD5 pass: the whole file, a chunk at a time; no request meanwhile.
    for (i, now) in [20_010, 20_020, 20_030].into_iter().enumerate() {
        let r = feed(&mut c, &file, now);
        assert_eq!(r.handle, handle);
        assert_eq!(r.offset, (i * CHUNK_SIZE) as u64);
        if i < 2 {
            assert!(c.poll_transmit().is_none());
        }
    }
    // The upload pass: chunk n asked for, then sent.
    let mut ids = vec![];
    for chunk in 0..3usize {
        let r = feed(&mut c, &file, 21_000 + chunk as u64 * 100);
        assert_eq!(r.offset, (chunk * CHUNK_SIZE) as u64);
        let t = next(&mut c, Endpoint::UploadMedia);
        assert_eq!(t.request.method(), "POST");
        assert_eq!(
            t.request.uri().to_string(),
            "https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json"
        );
        let p = parts(&t);
        assert_eq!(
            names(&p),
            [
                "id",
                "name",
                "type",
                "lastModifiedDate",
                "size",
                "chunks",
                "chunk",
                "mediatype",
                "uploadmediarequest",
                "webwx_data_ticket",
                "pass_ticket",
                "filename"
            ]
        );
        assert_eq!(field(&p, "id"), "WU_FILE_0");
        assert_eq!(field(&p, "name"), "chart.PNG");
        assert_eq!(field(&p, "type"), "image/png");
        assert!(
            field(&p, "lastModifiedDate").ends_with(" GMT+0800 (中国标准时间)"),
            "{}",
            field(&p, "lastModifiedDate")
        );
        assert_eq!(field(&p, "size"), file.len().to_string());
        assert_eq!(field(&p, "chunks"), "3");
        assert_eq!(field(&p, "chunk"), chunk.to_string());
        assert_eq!(field(&p, "mediatype"), "pic");
        assert!(!field(&p, "webwx_data_ticket").is_empty());
        assert!(!field(&p, "pass_ticket").contains('%'), "decoded");
        let umr: serde_json::Value = serde_json::from_str(field(&p, "uploadmediarequest")).unwrap();
        let keys: Vec<&String> = umr.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 10);
        assert!(
            field(&p, "uploadmediarequest").starts_with(r#"{"UploadType":2,"BaseRequest":{"Uin":"#)
        );
        assert!(field(&p, "uploadmediarequest").contains(&format!(
            r#""TotalLen":{0},"StartPos":0,"DataLen":{0},"MediaType":4,"FromUserName":"#,
            file.len()
        )));
        assert_eq!(umr["FileMd5"], md5_hex(&file));
        assert_eq!(umr["ToUserName"], TO);
        assert_eq!(umr["ClientMediaId"], T0 + 20_030, "when the chunks started");
        ids.push(umr["BaseRequest"]["DeviceID"].clone());
        let part = p.last().unwrap();
        assert_eq!(part.filename.as_deref(), Some("chart.PNG"));
        assert_eq!(
            part.content_type.as_deref(),
            Some("application/octet-stream"),
            "a slice has no type"
        );
        let start = chunk * CHUNK_SIZE;
        let end = (start + CHUNK_SIZE).min(file.len());
        assert_eq!(part.value, &file[start..end]);
        let origin = t.request.headers()["origin"].to_str().unwrap();
        assert_eq!(origin, "https://wx2.qq.com");
        assert!(
            t.request.headers().contains_key("cookie"),
            "withCredentials"
        );
        let last = chunk == 2;
        let reply = if last {
            upload_ok("@crypt_img1", file.len())
        } else {
            chunk_ok()
        };
        answer(&mut c, &t, reply, at(21_050 + chunk as u64 * 100));
        let ev = events(&mut c);
        assert!(
            ev.contains(&Event::UploadProgress {
                handle,
                sent: end as u64,
                total: file.len() as u64
            }),
            "{ev:?}"
        );
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one DeviceID per file"
    );
    let send = next(&mut c, Endpoint::SendMsgImg);
    let body = json(&send);
    assert_eq!(
        body["Msg"],
        serde_json::json!({"Type": 3, "MediaId": "@crypt_img1", "Content": "",
            "FromUserName": body["Msg"]["FromUserName"], "ToUserName": TO,
            "LocalID": body["Msg"]["LocalID"], "ClientMsgId": body["Msg"]["LocalID"]})
    );
    assert_eq!(body["Scene"], 0);
    answer(&mut c, &send, send_ok(), at(22_000));
    assert!(matches!(&events(&mut c)[..], [Event::Sent { handle: h, .. }] if *h == handle));
    assert!(c.poll_chunk_request().is_none());
}

#[test]
fn a_small_file_with_its_md5_is_read_once_and_snapshotted() {
    let (mut c, _) = ready(config());
    let file = b"quarterly numbers\n".to_vec();
    let md5 = webwx_core::parse_md5(&md5_hex(&file)).unwrap();
    c.send_file(
        TO,
        FileInfo::new("notes.txt", file.len() as u64)
            .md5(md5)
            .modified(at(0)),
        at(20_000),
    )
    .unwrap();
    let r = feed(&mut c, &file, 20_010);
    assert_eq!((r.offset, r.len), (0, file.len()));
    let t = next(&mut c, Endpoint::UploadMedia);
    let p = parts(&t);
    assert!(!names(&p).contains(&"chunks"), "one chunk: no chunks/chunk");
    assert_eq!(field(&p, "mediatype"), "doc");
    assert_eq!(
        p.last().unwrap().content_type.as_deref(),
        Some("text/plain")
    );
    insta::assert_snapshot!("upload_one_chunk", render(&t));
    answer(&mut c, &t, upload_ok("@crypt_doc", file.len()), at(20_100));
    let send = next(&mut c, Endpoint::SendAppMsg);
    insta::assert_snapshot!("send_uploaded_file", render(&send));
    let body = json(&send);
    assert!(body["Msg"].get("Signature").is_none());
    assert!(
        body["Msg"]["Content"].as_str().unwrap().contains(
            "<totallen>18</totallen><attachid>@crypt_doc</attachid><fileext>txt</fileext>"
        )
    );
}

#[test]
fn the_same_seed_gives_byte_identical_uploads() {
    let run = || {
        let (mut c, _) = ready(config());
        let file = bytes_of(CHUNK_SIZE + 7);
        c.send_file(TO, FileInfo::new("a.jpg", file.len() as u64), at(20_000))
            .unwrap();
        feed(&mut c, &file, 20_001);
        feed(&mut c, &file, 20_002);
        feed(&mut c, &file, 20_003);
        let t = next(&mut c, Endpoint::UploadMedia);
        (t.request.headers().clone(), t.request.body().clone())
    };
    assert_eq!(run(), run());
}

#[test]
fn over_25_mib_is_checked_first_and_the_signature_rides_along() {
    let (mut c, _) = ready(config());
    let size: u64 = 25 * 1024 * 1024 + 1;
    let md5 = [7u8; 16];
    let handle = c
        .send_file(
            TO,
            FileInfo::new("backup.tar.gz", size).md5(md5),
            at(20_000),
        )
        .unwrap();
    assert!(
        c.poll_chunk_request().is_none(),
        "nothing read before the check"
    );
    let check = next(&mut c, Endpoint::CheckUpload);
    assert!(check.request.uri().to_string().starts_with(
        "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxcheckupload?lang=zh_CN&pass_ticket="
    ));
    let text = String::from_utf8(check.request.body().to_vec()).unwrap();
    assert!(
        text.starts_with(r#"{"FromUserName":"@"#) && text.contains(&format!(
            r#","ToUserName":"{TO}","FileSize":{size},"FileMd5":"07070707070707070707070707070707","FileName":"backup.tar.gz","FileType":7,"BaseRequest":{{"Uin":"#
        )),
        "{text}"
    );
    answer(
        &mut c,
        &check,
        ok(Bytes::from_static(
            br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MediaId":"","AESKey":"k3y","Signature":"s1g"}"#,
        )),
        at(20_100),
    );
    let r = c.poll_chunk_request().unwrap();
    assert_eq!((r.offset, r.len), (0, CHUNK_SIZE));
    c.handle_chunk(handle, 0, Bytes::from(vec![1u8; CHUNK_SIZE]), at(20_200))
        .unwrap();
    let t = next(&mut c, Endpoint::UploadMedia);
    let p = parts(&t);
    assert_eq!(field(&p, "chunks"), "51");
    assert!(field(&p, "uploadmediarequest").ends_with(
        r#""FileMd5":"07070707070707070707070707070707","AESKey":"k3y","Signature":"s1g"}"#
    ));
    // Debug output of the client never shows the key.
    assert!(!format!("{c:?}").contains("s1g"));
}

#[test]
fn a_file_the_server_has_is_not_uploaded_and_its_card_is_signed() {
    let (mut c, _) = ready(config());
    let size: u64 = 30 * 1024 * 1024;
    let handle = c
        .send_file(TO, FileInfo::new("film.mkv", size).md5([1; 16]), at(20_000))
        .unwrap();
    let check = next(&mut c, Endpoint::CheckUpload);
    answer(
        &mut c,
        &check,
        ok(Bytes::from_static(
            br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MediaId":"@crypt_have","AESKey":"k","Signature":"sig9"}"#,
        )),
        at(20_100),
    );
    assert!(c.poll_chunk_request().is_none());
    let send = next(&mut c, Endpoint::SendAppMsg);
    let text = String::from_utf8(send.request.body().to_vec()).unwrap();
    assert!(
        text.contains(r#""Msg":{"Signature":"sig9","Type":6,"Content":"<appmsg"#),
        "{text}"
    );
    assert!(text.contains("<attachid>@crypt_have</attachid><fileext>mkv</fileext>"));
    assert!(events(&mut c).contains(&Event::UploadProgress {
        handle,
        sent: size,
        total: size
    }));
}

#[test]
fn a_failed_chunk_is_sent_again_from_that_chunk() {
    let (mut c, _) = ready(config());
    let file = bytes_of(3 * CHUNK_SIZE);
    let md5 = webwx_core::parse_md5(&md5_hex(&file)).unwrap();
    let handle = c
        .send_file(
            TO,
            FileInfo::new("clip.mp4", file.len() as u64).md5(md5),
            at(20_000),
        )
        .unwrap();
    feed(&mut c, &file, 20_001);
    let t0 = next(&mut c, Endpoint::UploadMedia);
    assert_eq!(field(&parts(&t0), "mediatype"), "video");
    answer(&mut c, &t0, chunk_ok(), at(20_100));
    let r = feed(&mut c, &file, 20_200);
    assert_eq!(r.offset, CHUNK_SIZE as u64);
    let t1 = next(&mut c, Endpoint::UploadMedia);
    // The connection drops in the middle of chunk 1.
    c.handle_transport_error(t1.id, TransportErrorKind::Reset, at(20_300));
    let wake = c.poll_timeout().unwrap();
    c.handle_timeout(wake);
    assert!(
        c.poll_chunk_request().is_none(),
        "the bytes are kept, not read again"
    );
    let again = next(&mut c, Endpoint::UploadMedia);
    let (p1, p2) = (parts(&t1), parts(&again));
    assert_eq!(field(&p2, "chunk"), "1");
    assert_eq!(p2.last().unwrap().value, p1.last().unwrap().value);
    assert_eq!(
        field(&p2, "uploadmediarequest"),
        field(&p1, "uploadmediarequest")
    );
    answer(
        &mut c,
        &again,
        chunk_ok(),
        at(wake.as_unix_millis() - T0 + 100),
    );
    let r = feed(&mut c, &file, wake.as_unix_millis() - T0 + 200);
    assert_eq!(r.offset, 2 * CHUNK_SIZE as u64);
    let t2 = next(&mut c, Endpoint::UploadMedia);
    answer(
        &mut c,
        &t2,
        upload_ok("@crypt_v", file.len()),
        at(wake.as_unix_millis() - T0 + 300),
    );
    let send = next(&mut c, Endpoint::SendVideoMsg);
    assert_eq!(json(&send)["Msg"]["Type"], 43);
    assert_eq!(json(&send)["Msg"]["Content"], "");
    let _ = handle;
}

#[test]
fn a_gif_goes_as_a_sticker() {
    let (mut c, _) = ready(config());
    let file = b"GIF89a....".to_vec();
    c.send_file(TO, FileInfo::new("lol.gif", file.len() as u64), at(20_000))
        .unwrap();
    feed(&mut c, &file, 20_001);
    feed(&mut c, &file, 20_002);
    let t = next(&mut c, Endpoint::UploadMedia);
    assert_eq!(field(&parts(&t), "mediatype"), "doc");
    assert_eq!(field(&parts(&t), "type"), "image/gif");
    answer(&mut c, &t, upload_ok("@crypt_gif", file.len()), at(20_100));
    let send = next(&mut c, Endpoint::SendEmoticon);
    assert!(
        send.request
            .uri()
            .query()
            .unwrap()
            .starts_with("fun=sys&lang=")
    );
    let text = String::from_utf8(send.request.body().to_vec()).unwrap();
    assert!(
        text.contains(r#""Msg":{"Type":47,"EmojiFlag":2,"MediaId":"@crypt_gif","FromUserName":"#),
        "{text}"
    );
}

#[test]
fn failures_name_the_file_and_the_queue_goes_on() {
    let (mut c, _) = ready(config());
    // A file shorter than it said.
    let short = c
        .send_file(TO, FileInfo::new("a.pdf", 100), at(20_000))
        .unwrap();
    let text = c.send_text(TO, "after", at(20_001)).unwrap();
    let r = c.poll_chunk_request().unwrap();
    c.handle_chunk(r.handle, 0, Bytes::from_static(b"only this"), at(20_010))
        .unwrap();
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::SendFailed { handle, error: Error::Upload { file, chunk: None, .. } }]
            if *handle == short && file == "a.pdf"),
        "{ev:?}"
    );
    // The text behind it goes out.
    let t = c.poll_transmit().or_else(|| {
        c.handle_timeout(c.poll_timeout().unwrap());
        c.poll_transmit()
    });
    assert_eq!(t.unwrap().endpoint, Endpoint::SendMsg);
    let _ = text;

    // An unreadable file.
    let (mut c, _) = ready(config());
    let h = c
        .send_file(TO, FileInfo::new("b.pdf", 10), at(20_000))
        .unwrap();
    let r = c.poll_chunk_request().unwrap();
    c.handle_chunk_error(r.handle, "permission denied", at(20_001));
    assert!(matches!(&events(&mut c)[..],
        [Event::SendFailed { handle, error: Error::Upload { reason, .. } }]
        if *handle == h && reason.contains("permission denied")));
    // Bytes nobody asked for.
    let other = c.send_text(TO, "x", at(20_002)).unwrap();
    assert!(matches!(
        c.handle_chunk(other, 0, Bytes::new(), at(20_002)),
        Err(UsageError::Unavailable(_))
    ));

    // The server never names the file.
    let (mut c, _) = ready(config());
    let file = b"x".repeat(10);
    let h = c
        .send_file(TO, FileInfo::new("c.pdf", 10).md5([0; 16]), at(20_000))
        .unwrap();
    feed(&mut c, &file, 20_001);
    let t = next(&mut c, Endpoint::UploadMedia);
    answer(&mut c, &t, chunk_ok(), at(20_100));
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [Event::UploadProgress { .. }, Event::SendFailed { handle, error: Error::Upload { chunk: Some(0), reason, .. } }]
            if *handle == h && reason.contains("without a MediaId")),
        "{ev:?}"
    );
}

#[test]
fn what_the_official_client_refuses() {
    let (mut c, _) = ready(config());
    assert!(matches!(
        c.send_file(TO, FileInfo::new("empty.txt", 0), at(20_000)),
        Err(UsageError::InvalidMessage(_))
    ));
    assert!(matches!(
        c.send_file(TO, FileInfo::new("big.MP4", 20 * 1024 * 1024), at(20_000)),
        Err(UsageError::InvalidMessage(_))
    ));
    assert!(
        c.send_file(
            TO,
            FileInfo::new("big.mp4", 20 * 1024 * 1024 - 1),
            at(20_000)
        )
        .is_ok()
    );
    assert!(matches!(
        c.send_file("", FileInfo::new("a.txt", 1), at(20_000)),
        Err(UsageError::InvalidMessage(_))
    ));
}

#[test]
fn a_queued_upload_is_not_saved_and_fails_when_the_session_ends() {
    let (mut c, _) = ready(config());
    let text = c.send_text(TO, "hi", at(20_000)).unwrap();
    let file = c
        .send_file(TO, FileInfo::new("a.txt", 5), at(20_001))
        .unwrap();
    let saved = c.save().unwrap();
    assert_eq!(saved.pending_sends(), 1, "only the text");
    c.logout(at(20_002)).unwrap();
    let ev = events(&mut c);
    for h in [text, file] {
        assert!(
            ev.iter().any(|e| matches!(e, Event::SendFailed { handle, error: Error::SessionOver } if *handle == h)),
            "{ev:?}"
        );
    }
}

#[test]
fn a_file_can_be_cancelled_queued_or_mid_upload() {
    let (mut c, _) = ready(config());
    let file = bytes_of(2 * CHUNK_SIZE);
    let md5 = webwx_core::parse_md5(&md5_hex(&file)).unwrap();
    let first = c
        .send_file(
            TO,
            FileInfo::new("a.zip", file.len() as u64).md5(md5),
            at(20_000),
        )
        .unwrap();
    let second = c
        .send_file(TO, FileInfo::new("b.zip", 10), at(20_001))
        .unwrap();
    // The queued one.
    assert!(c.cancel_file(second, at(20_002)));
    assert!(!c.is_send_pending(second));
    // The one uploading, with a chunk in flight that then fails: nothing is retried.
    feed(&mut c, &file, 20_003);
    let t = next(&mut c, Endpoint::UploadMedia);
    assert!(c.cancel_file(first, at(20_004)));
    c.handle_transport_error(t.id, TransportErrorKind::Reset, at(20_005));
    let ev = events(&mut c);
    let cancelled: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::SendFailed {
                handle,
                error: Error::Upload { reason, .. },
            } if reason == "cancelled" => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled, [second, first]);
    assert!(!c.cancel_file(first, at(20_006)));
    assert!(c.poll_chunk_request().is_none());
    // The lane goes on.
    c.send_text(TO, "next", at(20_007)).unwrap();
    let mut sent = drain(&mut c);
    if sent.is_empty() {
        c.handle_timeout(c.poll_timeout().unwrap());
        sent = drain(&mut c);
    }
    assert!(sent.iter().any(|t| t.endpoint == Endpoint::SendMsg));
    assert!(sent.iter().all(|t| t.endpoint != Endpoint::UploadMedia));
}

/// A server that refuses a chunk (a code that ends no session): retried with backoff, then the
/// send fails naming the file, the chunk, and the server's code and message; unreadable answers
/// are retried the same way; the session goes on.
#[test]
fn a_refused_or_unreadable_chunk_is_retried_then_reported() {
    let (mut c, _) = ready(config());
    let file = b"0123456789".to_vec();
    let h = c
        .send_file(TO, FileInfo::new("r.pdf", 10).md5([0; 16]), at(20_000))
        .unwrap();
    feed(&mut c, &file, 20_001);
    let mut now = 20_100;
    let mut answers = 0;
    loop {
        let t = match c.poll_transmit() {
            Some(t) => t,
            None => {
                let Some(wake) = c.poll_timeout() else { break };
                now = wake.as_unix_millis() - T0;
                c.handle_timeout(wake);
                continue;
            }
        };
        if t.endpoint == Endpoint::SyncCheck {
            continue;
        }
        assert_eq!(t.endpoint, Endpoint::UploadMedia);
        let body: &'static [u8] = if answers % 2 == 0 {
            br#"{"BaseResponse":{"Ret":1,"ErrMsg":"chunk refused"},"MediaId":""}"#
        } else {
            b"<html>\x00\xff not json"
        };
        answers += 1;
        answer(&mut c, &t, ok(Bytes::from_static(body)), at(now));
        if answers > 50 {
            panic!("never gave up");
        }
    }
    let ev = events(&mut c);
    let failed = ev.iter().find_map(|e| match e {
        Event::SendFailed { handle, error } if *handle == h => Some(error.clone()),
        _ => None,
    });
    match failed {
        Some(Error::Upload {
            file,
            chunk,
            reason,
        }) => {
            assert_eq!(file, "r.pdf");
            assert_eq!(chunk, Some(0));
            assert!(reason.contains("webwxuploadmedia"), "{reason}");
        }
        other => panic!("{other:?} in {ev:?}"),
    }
    assert!(c.state().is_logged_in());
    assert!(answers >= 2, "retried");
}
