//! Media downloads (issue 15, `/work/notes/media-dl.md`): every kind served with the bytes the
//! simulator stored, to requests built as the official page builds them (which record no
//! deviation); ranges; refusals like the real server's; each departure noted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::browser::*;
use common::*;
use serde_json::{Value, json};
use webwx_sim::{Family, MediaKind, Scenario, SessionInfo, Simulator, StoredMedia};

fn scenario() -> Scenario {
    let mut s = quick();
    s.contact_events.clear();
    s
}

fn info(sim: &Simulator, uin: u64) -> SessionInfo {
    sim.sessions().into_iter().find(|s| s.uin == uin).unwrap()
}

/// A logged-in, initialised session of the official page.
async fn set_up(sim: &Simulator) -> (Browser, Login, Value) {
    let b = Browser::new(&sim.base_url());
    let l = b.login().await;
    let init = b.init(&l).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    (b, l, init)
}

/// The messages waiting for the session, by MsgId.
async fn messages(b: &Browser, l: &Login, key: &Value) -> Vec<Value> {
    b.sync(l, key).await["AddMsgList"]
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(msgs: &'a [Value], m: &StoredMedia) -> &'a Value {
    msgs.iter()
        .find(|x| x["MsgId"] == m.msg_id.as_str())
        .unwrap_or_else(|| panic!("message {} not synced", m.msg_id))
}

fn header(r: &Reply, name: &str) -> String {
    r.headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The deviations noted since the last call.
struct Seen<'a> {
    sim: &'a Simulator,
    uin: u64,
    count: usize,
}

impl Seen<'_> {
    #[track_caller]
    fn expect(&mut self, wanted: &[&str]) {
        let all = info(self.sim, self.uin).deviations;
        let new = &all[self.count..];
        assert_eq!(new.len(), wanted.len(), "wanted {wanted:?}, noted {new:?}");
        for (n, w) in new.iter().zip(wanted) {
            assert!(n.starts_with(w), "wanted {w:?}, noted {n:?}");
        }
        self.count = all.len();
    }
}

#[tokio::test]
async fn every_kind_downloads_as_the_official_page_fetches_it_and_records_nothing() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, init) = set_up(&sim).await;
    let base = sim.base_url();
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let voice = sim.inject_media(l.uin, MediaKind::Voice).unwrap();
    let video = sim.inject_media(l.uin, MediaKind::Video).unwrap();
    let short = sim.inject_media(l.uin, MediaKind::ShortVideo).unwrap();
    let sticker = sim.inject_media(l.uin, MediaKind::Sticker).unwrap();
    let file = sim
        .inject_file(l.uin, "季度报告 (终版).pdf", 3 * 1024 * 1024 + 17)
        .unwrap();
    let msgs = messages(&b, &l, &init["SyncKey"]).await;
    assert_eq!(msgs.len(), 6);
    let (bb, ll, bs) = (&b, &l, &base);
    let img = move |path: String| async move {
        get(bs, &path, &Browser::with_cookies(bb.image_headers(), ll)).await
    };

    // Images: the thumbnail for the bubble, the full image for the viewer.
    let m = find(&msgs, &image);
    assert_eq!(m["MsgType"], 3);
    let thumb = img(b.msg_img_path(&l, &image.msg_id, Some("slave"))).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(header(&thumb, "content-type"), "image/jpeg");
    assert_eq!(thumb.body, image.thumbnail.clone().unwrap());
    let full = img(b.msg_img_path(&l, &image.msg_id, None)).await;
    assert_eq!(full.body, image.bytes);
    assert_ne!(full.body, thumb.body);
    assert!(full.body.starts_with(&[0xFF, 0xD8]));
    // ImgWidth/ImgHeight are the thumbnail's: its SOF0 says so.
    let sof = thumb
        .body
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .unwrap();
    let h = u16::from_be_bytes([thumb.body[sof + 5], thumb.body[sof + 6]]);
    let w = u16::from_be_bytes([thumb.body[sof + 7], thumb.body[sof + 8]]);
    assert_eq!(
        (m["ImgWidth"].as_u64(), m["ImgHeight"].as_u64()),
        (Some(w.into()), Some(h.into()))
    );

    // A sticker: type=big, a GIF.
    let m = find(&msgs, &sticker);
    let gif = img(b.msg_img_path(&l, &sticker.msg_id, Some("big"))).await;
    assert_eq!(header(&gif, "content-type"), "image/gif");
    assert_eq!(gif.body, sticker.bytes);
    assert!(gif.body.starts_with(b"GIF89a"));
    assert_eq!(m["ImgWidth"].as_u64(), Some(u64::from(gif.body[6])));

    // A voice: an <audio> element's range request, answered 206 with everything.
    let m = find(&msgs, &voice);
    let r = get(
        &base,
        &b.voice_path(&l, &voice.msg_id),
        &Browser::with_cookies(b.media_element_headers("audio", 0), &l),
    )
    .await;
    assert_eq!(r.status, 206);
    assert_eq!(header(&r, "content-type"), "audio/mpeg");
    assert_eq!(
        header(&r, "content-range"),
        format!("bytes 0-{}/{}", voice.bytes.len() - 1, voice.bytes.len())
    );
    assert_eq!(r.body, voice.bytes);
    assert_eq!(&r.body[..2], [0xFF, 0xF3]);
    let ms = m["VoiceLength"].as_u64().unwrap();
    assert_eq!(
        voice.bytes.len() as u64,
        ms.div_ceil(36) * 36,
        "36-byte frames of 36 ms"
    );

    // Videos: the thumbnail as an <img>, the MP4 as a <video>'s range request.
    for v in [&video, &short] {
        let m = find(&msgs, v);
        let t = img(b.msg_img_path(&l, &v.msg_id, Some("slave"))).await;
        assert_eq!(t.body, v.thumbnail.clone().unwrap());
        let r = get(
            &base,
            &b.video_path(&l, &v.msg_id),
            &Browser::with_cookies(b.media_element_headers("video", 0), &l),
        )
        .await;
        assert_eq!(r.status, 206);
        assert_eq!(header(&r, "content-type"), "video/mp4");
        assert_eq!(header(&r, "content-encoding"), "");
        assert!(r.body == v.bytes);
        assert_eq!(&r.body[4..8], b"ftyp");
        let duration = u32::from_be_bytes(r.body[64..68].try_into().unwrap());
        assert_eq!(m["PlayLength"].as_u64(), Some(u64::from(duration) / 1000));
    }
    assert!(video.bytes.len() > 1024 * 1024);
    // The <video> seeks: an open range from the middle.
    let seek = 1024 * 1024;
    let r = get(
        &base,
        &b.video_path(&l, &video.msg_id),
        &Browser::with_cookies(b.media_element_headers("video", seek as u64), &l),
    )
    .await;
    assert_eq!(r.status, 206);
    assert!(r.body == video.bytes[seek..]);

    // A file: the 2019 page's link to the file host.
    let m = find(&msgs, &file);
    assert_eq!(m["AppMsgType"], 6);
    assert_eq!(m["FileName"], "季度报告 (终版).pdf");
    assert_eq!(m["FileSize"], (3 * 1024 * 1024 + 17).to_string());
    assert_eq!(
        m["EncryFileName"],
        "%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20(%E7%BB%88%E7%89%88).pdf"
    );
    assert_eq!(m["MediaId"].as_str(), Some(file.media_id.as_str()));
    assert!(m["Content"].as_str().unwrap().contains(&format!(
        "&lt;totallen&gt;{}&lt;/totallen&gt;",
        3 * 1024 * 1024 + 17
    )));
    let r = get(
        &base,
        &b.file_path(&l, m),
        &Browser::with_cookies(b.link_headers(), &l),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "content-type"), "application/octet-stream");
    assert!(
        header(&r, "content-disposition").ends_with(
            "filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20(%E7%BB%88%E7%89%88).pdf"
        ),
        "{}",
        header(&r, "content-disposition")
    );
    assert_eq!(
        header(&r, "content-encoding"),
        "",
        "media are never compressed"
    );
    assert_eq!(r.body.len(), file.bytes.len());
    assert!(r.body == file.bytes);

    // Avatars: the HeadImgUrl the server gave (with the session's skey), and its big one.
    let friend = &init["ContactList"][2];
    let url = friend["HeadImgUrl"].as_str().unwrap();
    assert!(url.ends_with(&format!("&skey={}", l.skey)), "{url}");
    let avatar = img(url.to_string()).await;
    assert_eq!(avatar.status, 200);
    assert_eq!(header(&avatar, "content-type"), "image/jpeg");
    assert!(avatar.body.starts_with(&[0xFF, 0xD8]));
    let big = img(format!("{url}&type=big")).await;
    assert!(big.body.len() > avatar.body.len());
    let own = img(init["User"]["HeadImgUrl"].as_str().unwrap().to_string()).await;
    assert_eq!(own.status, 200);
    let group = init["ContactList"][1]["HeadImgUrl"].as_str().unwrap();
    assert!(group.starts_with("/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@"));
    let group = img(group.to_string()).await;
    assert_eq!(header(&group, "content-type"), "image/jpeg");

    // The admin API serves the same bytes (for tests in other languages).
    let stored = get(
        &base,
        &format!("/__sim/sessions/{}/media/{}", l.uin, video.msg_id),
        &[],
    )
    .await;
    assert!(stored.body == video.bytes);
    let stored = get(
        &base,
        &format!("/__sim/sessions/{}/media/{}?thumbnail", l.uin, image.msg_id),
        &[],
    )
    .await;
    assert_eq!(stored.body, image.thumbnail.clone().unwrap());
    assert_eq!(sim.media(l.uin, &file.msg_id).unwrap(), file);

    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn scheduled_messages_carry_media_that_can_be_downloaded() {
    let mut s = scenario();
    s.messages.count = 18;
    s.messages.interval_ms = 1;
    s.messages.start_after_ms = 1;
    let sim = Simulator::start(s).await.unwrap();
    let (b, l, init) = set_up(&sim).await;
    let base = sim.base_url();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let msgs = messages(&b, &l, &init["SyncKey"]).await;
    assert_eq!(msgs.len(), 18);
    let mut kinds = vec![];
    for m in &msgs {
        let id = m["MsgId"].as_str().unwrap();
        let Some(stored) = sim.media(l.uin, id) else {
            continue;
        };
        kinds.push(stored.kind);
        let (path, headers) = match stored.kind {
            MediaKind::Image => (b.msg_img_path(&l, id, None), b.image_headers()),
            MediaKind::Sticker => (b.msg_img_path(&l, id, Some("big")), b.image_headers()),
            MediaKind::Voice => (b.voice_path(&l, id), b.media_element_headers("audio", 0)),
            MediaKind::Video | MediaKind::ShortVideo => {
                (b.video_path(&l, id), b.media_element_headers("video", 0))
            }
            MediaKind::File => (b.file_path(&l, m), b.link_headers()),
        };
        let r = get(&base, &path, &Browser::with_cookies(headers, &l)).await;
        assert!(
            r.status == 200 || r.status == 206,
            "{:?}: {}",
            stored.kind,
            r.status
        );
        assert!(r.body == stored.bytes, "{:?}", stored.kind);
        if stored.kind == MediaKind::File {
            // The schedule's first file is about 3 MiB.
            assert!(r.body.len() > 3 * 1024 * 1024);
            assert_eq!(m["FileSize"], r.body.len().to_string());
        }
    }
    use MediaKind::*;
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    for k in [Image, Voice, Video, ShortVideo, Sticker, File] {
        assert!(kinds.contains(&k), "{k:?}");
    }
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn ranges_are_answered_206_with_their_slice_and_416_past_the_end() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, init) = set_up(&sim).await;
    let base = sim.base_url();
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let file = sim.inject_file(l.uin, "a.bin", 100_000).unwrap();
    let video = sim.inject_media(l.uin, MediaKind::Video).unwrap();
    let msgs = messages(&b, &l, &init["SyncKey"]).await;
    let file_path = b.file_path(&l, find(&msgs, &file));
    let ranged = |path: String, range: &str| {
        let mut h = Browser::with_cookies(b.image_headers(), &l);
        h.push(("range", range.to_string()));
        let base = base.clone();
        async move { get(&base, &path, &h).await }
    };
    let img_path = b.msg_img_path(&l, &image.msg_id, None);
    let len = image.bytes.len();

    let r = ranged(img_path.clone(), "bytes=10-99").await;
    assert_eq!(r.status, 206);
    assert_eq!(header(&r, "content-range"), format!("bytes 10-99/{len}"));
    assert_eq!(header(&r, "content-length"), "90");
    assert_eq!(r.body, image.bytes[10..100]);
    let r = ranged(img_path.clone(), "bytes=100-").await;
    assert_eq!(r.body, image.bytes[100..]);
    let r = ranged(img_path.clone(), &format!("bytes=5-{}", len + 1000)).await;
    assert_eq!(
        header(&r, "content-range"),
        format!("bytes 5-{}/{len}", len - 1)
    );
    let r = ranged(img_path.clone(), "bytes=-16").await;
    assert_eq!(r.body, image.bytes[len - 16..]);
    let r = ranged(img_path.clone(), &format!("bytes={len}-")).await;
    assert_eq!(r.status, 416);
    assert_eq!(header(&r, "content-range"), format!("bytes */{len}"));
    assert!(r.body.is_empty());
    let r = ranged(img_path.clone(), "bytes=0-1,5-6").await;
    assert_eq!(
        (r.status, r.body.len()),
        (200, len),
        "several ranges: the whole"
    );

    // The file host and the video stream do the same.
    let mut h = Browser::with_cookies(b.link_headers(), &l);
    h.push(("range", "bytes=99990-".into()));
    let r = get(&base, &file_path, &h).await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body, file.bytes[99_990..]);
    h.pop();
    h.push(("range", "bytes=100000-".into()));
    assert_eq!(get(&base, &file_path, &h).await.status, 416);
    let vlen = video.bytes.len();
    let r = get(
        &base,
        &b.video_path(&l, &video.msg_id),
        &Browser::with_cookies(b.media_element_headers("video", vlen as u64), &l),
    )
    .await;
    assert_eq!(r.status, 416);
    assert_eq!(header(&r, "content-range"), format!("bytes */{vlen}"));
    // A compressing client still gets the bytes as they are.
    let mut h = Browser::with_cookies(b.image_headers(), &l);
    h.retain(|(k, _)| *k != "accept-encoding");
    h.push(("accept-encoding", "gzip, deflate".into()));
    let r = send_raw(&base, "GET", &file_path, &h, vec![])
        .await
        .unwrap();
    assert_eq!(header(&r, "content-encoding"), "");
    assert!(r.body == file.bytes);
}

#[tokio::test]
async fn the_server_refuses_what_it_does_not_take_for_the_session() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, init) = set_up(&sim).await;
    let base = sim.base_url();
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let voice = sim.inject_media(l.uin, MediaKind::Voice).unwrap();
    let file = sim.inject_media(l.uin, MediaKind::File).unwrap();
    let msgs = messages(&b, &l, &init["SyncKey"]).await;
    let fmsg = find(&msgs, &file).clone();
    let headers = Browser::with_cookies(b.image_headers(), &l);
    let path = b.msg_img_path(&l, &image.msg_id, None);
    let ok = get(&base, &path, &headers).await;
    assert_eq!((ok.status, ok.body.len()), (200, image.bytes.len()));

    // A wrong skey, a wrong wxsid, no cookies: the session is not known; an empty 200.
    let empty = |r: Reply| (r.status, r.body.len());
    let stale = path.replace(&l.skey.replace('@', "%40"), "%40crypt_00000000_stale");
    assert_eq!(empty(get(&base, &stale, &headers).await), (200, 0));
    let mut wrong_sid = l.clone();
    wrong_sid.cookies.insert("wxsid".into(), "nope".into());
    let h = Browser::with_cookies(b.image_headers(), &wrong_sid);
    assert_eq!(empty(get(&base, &path, &h).await), (200, 0));
    assert_eq!(empty(get(&base, &path, &b.image_headers()).await), (200, 0));
    let avatar = init["User"]["HeadImgUrl"]
        .as_str()
        .unwrap()
        .replace(&l.skey, "");
    assert_eq!(empty(get(&base, &avatar, &headers).await), (200, 0));

    // Media the session does not have, or not at this endpoint: 404.
    let unknown = b.msg_img_path(&l, "1234", None);
    assert_eq!(get(&base, &unknown, &headers).await.status, 404);
    let voice_as_video = b.video_path(&l, &voice.msg_id);
    assert_eq!(get(&base, &voice_as_video, &headers).await.status, 404);
    let voice_as_image = b.msg_img_path(&l, &voice.msg_id, None);
    assert_eq!(get(&base, &voice_as_image, &headers).await.status, 404);

    // The file host: the data ticket must be the cookie's, fromuser the account, the sender and
    // the name the message's.
    let link = Browser::with_cookies(b.link_headers(), &l);
    let fpath = b.file_path(&l, &fmsg);
    assert_eq!(get(&base, &fpath, &link).await.status, 200);
    let ticket = component(&l.cookies["webwx_data_ticket"]);
    let bad_ticket = fpath.replace(&ticket, "gSwrong");
    assert_eq!(empty(get(&base, &bad_ticket, &link).await), (200, 0));
    let bad_user = fpath.replace(&format!("fromuser={}", l.uin), "fromuser=1");
    assert_eq!(empty(get(&base, &bad_user, &link).await), (200, 0));
    let sender = fmsg["FromUserName"].as_str().unwrap();
    let bad_sender = fpath.replace(&format!("sender={sender}"), "sender=@someone");
    assert_eq!(get(&base, &bad_sender, &link).await.status, 404);
    let bad_media = fpath.replace("mediaid=@crypt_", "mediaid=@crypt_0");
    assert_eq!(get(&base, &bad_media, &link).await.status, 404);
    let enc = fmsg["EncryFileName"].as_str().unwrap();
    let bad_name = fpath.replace(&format!("encryfilename={enc}"), "encryfilename=x.pdf");
    assert_eq!(get(&base, &bad_name, &link).await.status, 404);

    // An ended session.
    sim.end_session(l.uin, 1101);
    assert_eq!(empty(get(&base, &path, &headers).await), (200, 0));
    assert_eq!(empty(get(&base, &fpath, &link).await), (200, 0));
}

#[tokio::test]
async fn in_a_family_files_come_from_its_file_host_and_the_rest_from_its_api_host() {
    let mut s = scenario();
    s.family = Family::Wx2;
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
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let file = sim.inject_media(l.uin, MediaKind::File).unwrap();
    let with_host = |mut h: Vec<(&'static str, String)>, host: &str| {
        h.push(("host", host.to_string()));
        Browser::with_cookies(h, &l)
    };
    let img = b.msg_img_path(&l, &image.msg_id, Some("slave"));
    let r = get(&base, &img, &with_host(b.image_headers(), "wx2.qq.com")).await;
    assert_eq!(r.body, image.thumbnail.clone().unwrap());
    let r = get(
        &base,
        &img,
        &with_host(b.image_headers(), "file.wx2.qq.com"),
    )
    .await;
    assert_eq!(
        (r.status, r.body.len()),
        (200, 0),
        "an image on the file host"
    );

    let stored = sim.media(l.uin, &file.msg_id).unwrap();
    let msg = json!({"FromUserName": sim.sessions()[0].friends[0], "MediaId": stored.media_id,
        "EncryFileName": component(&stored.file_name)});
    let fpath = b.file_path(&l, &msg);
    // Cross-origin from the page: its Referer is the page's origin.
    let mut link: Vec<_> = b
        .link_headers()
        .into_iter()
        .filter(|(k, _)| *k != "referer")
        .collect();
    link.push(("referer", "https://wx2.qq.com/".into()));
    let r = get(&base, &fpath, &with_host(link.clone(), "file.wx2.qq.com")).await;
    assert_eq!(r.status, 200);
    assert!(r.body == file.bytes);
    let deviations = info(&sim, l.uin).deviations;
    assert!(
        deviations
            .iter()
            .all(|d| !d.contains("webwxgetmedia") && !d.contains("link") && !d.contains("<img>")),
        "{deviations:?}"
    );
    let r = get(&base, &fpath, &with_host(link, "wx2.qq.com")).await;
    assert_eq!((r.status, r.body.len()), (200, 0), "a file on the API host");
}

#[tokio::test]
async fn each_departure_from_the_official_requests_records_its_deviation() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, init) = set_up(&sim).await;
    let base = sim.base_url();
    let mut seen = Seen {
        sim: &sim,
        uin: l.uin,
        count: 0,
    };
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let sticker = sim.inject_media(l.uin, MediaKind::Sticker).unwrap();
    let voice = sim.inject_media(l.uin, MediaKind::Voice).unwrap();
    let video = sim.inject_media(l.uin, MediaKind::Video).unwrap();
    let file = sim.inject_media(l.uin, MediaKind::File).unwrap();
    let msgs = messages(&b, &l, &init["SyncKey"]).await;
    seen.expect(&[]);
    let image_h = Browser::with_cookies(b.image_headers(), &l);
    let fetch = |path: String, headers: Vec<(&'static str, String)>| {
        let base = base.clone();
        async move { get(&base, &path, &headers).await }
    };
    let id = &image.msg_id;
    let skey_enc = l.skey.replace('@', "%40");

    // webwxgetmsgimg: the literal `?&`, MsgID's case, skey %40, no lang or pass_ticket.
    let r = fetch(
        format!("/cgi-bin/mmwebwx-bin/webwxgetmsgimg?MsgID={id}&skey={skey_enc}"),
        image_h.clone(),
    )
    .await;
    assert_eq!(r.body, image.bytes, "served all the same");
    seen.expect(&["params: webwxgetmsgimg without the empty parameter of `?&`"]);
    fetch(
        format!("/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&msgid={id}&skey={skey_enc}&type=slave"),
        image_h.clone(),
    )
    .await;
    seen.expect(&["params: webwxgetmsgimg sent msgid,skey,type (official: MsgID,skey[,type])"]);
    let r = fetch(
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID={id}&skey={}",
            l.skey
        ),
        image_h.clone(),
    )
    .await;
    assert_eq!(r.body, image.bytes);
    seen.expect(&["encoding: webwxgetmsgimg skey with a raw @ (official: %40)"]);
    fetch(
        format!(
            "{}&lang=zh_CN&pass_ticket={}",
            b.msg_img_path(&l, id, None),
            pt2(&l.pass_ticket)
        ),
        image_h.clone(),
    )
    .await;
    seen.expect(&["params: webwxgetmsgimg sent MsgID,skey,lang,pass_ticket"]);
    // The type the page asks for by kind.
    let r = fetch(
        b.msg_img_path(&l, &sticker.msg_id, Some("slave")),
        image_h.clone(),
    )
    .await;
    assert_eq!(r.body, sticker.bytes);
    seen.expect(&["media: webwxgetmsgimg with type=slave for a sticker (official: type=big)"]);
    fetch(b.msg_img_path(&l, &video.msg_id, None), image_h.clone()).await;
    seen.expect(&["media: webwxgetmsgimg with no type for a video (official: type=slave)"]);
    fetch(b.msg_img_path(&l, id, Some("big")), image_h.clone()).await;
    seen.expect(&["media: webwxgetmsgimg with type=big for an image"]);
    // An <img>'s headers.
    let mut h = image_h.clone();
    h.retain(|(k, _)| *k != "sec-fetch-dest" && *k != "accept");
    h.extend([("sec-fetch-dest", "empty".into()), ("accept", "*/*".into())]);
    fetch(b.msg_img_path(&l, id, None), h).await;
    seen.expect(&[
        "headers: an <img> load with Accept `*/*` (official: `image/avif,",
        "headers: an <img> load with Sec-Fetch-Dest `empty` (official: `image`)",
    ]);

    // webwxgetvoice: skey raw, an <audio>'s Range and Accept-Encoding.
    let audio = Browser::with_cookies(b.media_element_headers("audio", 0), &l);
    let r = fetch(
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetvoice?msgid={}&skey={skey_enc}",
            voice.msg_id
        ),
        audio.clone(),
    )
    .await;
    assert_eq!(r.body, voice.bytes);
    seen.expect(&["encoding: webwxgetvoice skey as %40 (official: a raw @)"]);
    let mut h = audio.clone();
    h.retain(|(k, _)| *k != "range" && *k != "accept-encoding");
    h.push(("accept-encoding", "gzip, deflate, br".into()));
    let r = fetch(b.voice_path(&l, &voice.msg_id), h).await;
    assert_eq!((r.status, r.body.len()), (200, voice.bytes.len()));
    seen.expect(&[
        "headers: an <audio> load without Range",
        "headers: an <audio> load with Accept-Encoding `gzip, deflate, br` (official: `identity;q=1, *;q=0`)",
    ]);
    let mut h = audio.clone();
    h.retain(|(k, _)| *k != "range");
    h.push(("range", "bytes=0-99".into()));
    let r = fetch(b.voice_path(&l, &voice.msg_id), h).await;
    assert_eq!(r.body, voice.bytes[..100]);
    seen.expect(&["headers: an <audio> load with Range `bytes=0-99` (official: `bytes=<start>-`)"]);

    // webwxgetvideo: skey %40, a <video>'s Sec-Fetch-Dest; Safari's `&type=flv`.
    let vh = Browser::with_cookies(b.media_element_headers("video", 0), &l);
    fetch(
        format!(
            "/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid={}&skey={}",
            video.msg_id, l.skey
        ),
        vh.clone(),
    )
    .await;
    seen.expect(&["encoding: webwxgetvideo skey with a raw @ (official: %40)"]);
    fetch(format!("{}&type=flv", b.video_path(&l, &video.msg_id)), vh).await;
    seen.expect(&["params: webwxgetvideo sent msgid,skey,type (official: msgid,skey)"]);
    fetch(
        b.video_path(&l, &video.msg_id),
        Browser::with_cookies(b.media_element_headers("audio", 0), &l),
    )
    .await;
    seen.expect(&["headers: a <video> load with Sec-Fetch-Dest `audio` (official: `video`)"]);

    // webwxgetmedia: pass_ticket encoded again, the data ticket through encodeURIComponent,
    // EncryFileName as it came; a link navigation's headers.
    let fmsg = find(&msgs, &file).clone();
    let link = Browser::with_cookies(b.link_headers(), &l);
    let fpath = b.file_path(&l, &fmsg);
    let once = fpath.replace(&pt2(&l.pass_ticket), &l.pass_ticket);
    assert!(fetch(once, link.clone()).await.body == file.bytes);
    seen.expect(&["pass-ticket: webwxgetmedia encoded once (official: encoded again"]);
    // ItChat's `pass_ticket=undefined`.
    let undefined = fpath.replace(&pt2(&l.pass_ticket), "undefined");
    assert!(fetch(undefined, link.clone()).await.body == file.bytes);
    seen.expect(&["pass-ticket: webwxgetmedia neither the issued value nor it encoded again"]);
    let ticket = &l.cookies["webwx_data_ticket"];
    assert!(ticket.contains('+') && ticket.contains('/'), "{ticket}");
    let raw_ticket = fpath.replace(&component(ticket), ticket);
    let r = fetch(raw_ticket, link.clone()).await;
    assert_eq!((r.status, r.body.len()), (200, 0), "a raw + is a space");
    seen.expect(&["encoding: webwxgetmedia webwx_data_ticket not encodeURIComponent"]);
    let enc = fmsg["EncryFileName"].as_str().unwrap();
    let again = fpath.replace(enc, &component(enc));
    assert!(fetch(again, link.clone()).await.body == file.bytes);
    seen.expect(&["encoding: webwxgetmedia encryfilename not as the message carried it"]);
    // The 2017 page's `filename=` in its place.
    let old = fpath.replace(
        &format!("encryfilename={enc}"),
        &format!("filename={}", component(&file.file_name)),
    );
    assert!(fetch(old, link.clone()).await.body == file.bytes);
    seen.expect(&[
        "params: webwxgetmedia sent sender,mediaid,filename,fromuser,pass_ticket,webwx_data_ticket",
    ]);
    let sender = fmsg["FromUserName"].as_str().unwrap();
    let encoded_sender = fpath.replace(
        &format!("sender={sender}"),
        &format!("sender={}", sender.replace('@', "%40")),
    );
    assert!(fetch(encoded_sender, link.clone()).await.body == file.bytes);
    seen.expect(&["encoding: webwxgetmedia sender %-encoded (official: raw)"]);
    let mut h = link.clone();
    h.retain(|(k, _)| *k != "sec-fetch-user" && *k != "upgrade-insecure-requests");
    fetch(fpath.clone(), h).await;
    seen.expect(&["headers: a link navigation without Sec-Fetch-User, Upgrade-Insecure-Requests"]);
    fetch(fpath.clone(), Browser::with_cookies(b.image_headers(), &l)).await;
    seen.expect(&[
        "headers: a link navigation with Accept `image/avif",
        "headers: a link navigation with Sec-Fetch-Dest `image` (official: `document`)",
        "headers: a link navigation with Sec-Fetch-Mode `no-cors` (official: `navigate`)",
    ]);

    // Avatars: the HeadImgUrl as the server gave it (skey raw).
    let url = init["User"]["HeadImgUrl"].as_str().unwrap();
    let encoded = url.replace(&l.skey, &skey_enc);
    assert_eq!(fetch(encoded, image_h.clone()).await.status, 200);
    seen.expect(&["encoding: webwxgeticon skey as %40 (official: a raw @)"]);
    fetch(format!("{url}&lang=zh_CN"), image_h.clone()).await;
    seen.expect(&["params: webwxgeticon sent seq,username,skey,lang"]);
    let me = init["User"]["UserName"].as_str().unwrap();
    fetch(
        format!("/cgi-bin/mmwebwx-bin/webwxgeticon?seq=0&username={me}&skey={}&chatroomid=@abc&type=big", l.skey),
        image_h.clone(),
    )
    .await;
    seen.expect(&[]);
}

#[tokio::test]
async fn the_admin_api_injects_and_serves_media() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (_, l, _) = set_up(&sim).await;
    let base = sim.base_url();
    let uin = l.uin;
    let post = |body: &'static str| {
        let base = base.clone();
        async move {
            send(
                &base,
                "POST",
                &format!("/__sim/sessions/{uin}/media"),
                &[],
                body.as_bytes().to_vec(),
            )
            .await
            .unwrap()
        }
    };
    let r = post(r#"{"kind": "file", "size": 4096, "file_name": "x.txt"}"#)
        .await
        .json();
    assert_eq!(r["size"], 4096);
    assert_eq!(r["kind"], "file");
    let id = r["MsgId"].as_str().unwrap();
    let bytes = get(&base, &format!("/__sim/sessions/{}/media/{id}", l.uin), &[]).await;
    assert_eq!(header(&bytes, "content-type"), "application/octet-stream");
    assert_eq!(bytes.body, sim.media(l.uin, id).unwrap().bytes);
    let r = post(r#"{"kind": "short_video"}"#).await.json();
    assert!(r["thumbnail_size"].as_u64().unwrap() > 0);
    assert_eq!(post(r#"{"kind": "hologram"}"#).await.status, 400);
    assert_eq!(
        get(&base, &format!("/__sim/sessions/{}/media/1", l.uin), &[])
            .await
            .status,
        404
    );
}
