//! Media downloads: the request of each kind and variant, as the official page makes it
//! (`/work` notes: webwxApp.js `getMsgImg`, `API_webwxgetvoice`, `getMsgVideo`,
//! `MMAppMsgDownloadUrl`, `getContactHeadImgUrl`), with the session's current skey and cookies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::model::RawMessage;
use webwx_core::{Client, ContactStore, Endpoint, Message, UsageError, Variant};

fn message(c: &Client, raw: serde_json::Value) -> Message {
    let raw: RawMessage = serde_json::from_value(raw).unwrap();
    Message::from_raw(raw, c.user().unwrap(), &ContactStore::default())
}

fn header(r: &webwx_core::MediaRequest, name: &str) -> String {
    r.request
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

const SKEY_ENC: &str = "skey=%40crypt_3f9c1a2b_init0000000000000000000000";
const SKEY_RAW: &str = "skey=@crypt_3f9c1a2b_init0000000000000000000000";

#[test]
fn every_kind_as_the_page_fetches_it() {
    let (c, _) = ready(config());
    let from = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";
    let image = message(
        &c,
        serde_json::json!({"MsgId": "501", "FromUserName": from, "ToUserName": "@me", "MsgType": 3}),
    )
    .media()
    .unwrap();
    let thumb = c.media_request(&image, Variant::Thumbnail).unwrap();
    assert_eq!(
        thumb.request.uri().to_string(),
        format!(
            "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmsgimg?&MsgID=501&{SKEY_ENC}&type=slave"
        )
    );
    assert_eq!(header(&thumb, "sec-fetch-dest"), "image");
    assert!(header(&thumb, "accept").starts_with("image/avif"));
    assert!(header(&thumb, "cookie").contains("wxsid="));
    assert_eq!(thumb.endpoint, Endpoint::GetMsgImg);
    let full = c.media_request(&image, Variant::Full).unwrap();
    assert!(
        full.request
            .uri()
            .to_string()
            .ends_with(&format!("MsgID=501&{SKEY_ENC}"))
    );
    assert_eq!(full.max_bytes, 100 * 1024 * 1024);

    let voice = message(
        &c,
        serde_json::json!({"MsgId": "502", "FromUserName": from, "ToUserName": "@me", "MsgType": 34, "VoiceLength": 3000}),
    )
    .media()
    .unwrap();
    let r = c.media_request(&voice, Variant::Full).unwrap();
    assert_eq!(
        r.request.uri().to_string(),
        format!("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetvoice?msgid=502&{SKEY_RAW}")
    );
    assert_eq!(header(&r, "range"), "bytes=0-");
    assert_eq!(header(&r, "sec-fetch-dest"), "audio");
    assert_eq!(header(&r, "accept-encoding"), "identity;q=1, *;q=0");
    assert_eq!(
        c.media_request(&voice, Variant::Thumbnail).unwrap_err(),
        UsageError::Unavailable("this media has no such variant")
    );

    let video = message(
        &c,
        serde_json::json!({"MsgId": "503", "FromUserName": from, "ToUserName": "@me", "MsgType": 43, "PlayLength": 4}),
    )
    .media()
    .unwrap();
    let r = c.media_request(&video, Variant::Full).unwrap();
    assert_eq!(
        r.request.uri().to_string(),
        format!("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetvideo?msgid=503&{SKEY_ENC}")
    );
    assert_eq!(header(&r, "sec-fetch-dest"), "video");
    assert!(
        c.media_request(&video, Variant::Thumbnail)
            .unwrap()
            .request
            .uri()
            .to_string()
            .contains("webwxgetmsgimg?&MsgID=503&")
    );

    let file = message(
        &c,
        serde_json::json!({"MsgId": "504", "FromUserName": from, "ToUserName": "@me", "MsgType": 49,
            "AppMsgType": 6, "FileName": "a b.pdf", "FileSize": "10", "MediaId": "@crypt_m1",
            "EncryFileName": "a%20b%2Epdf",
            "Content": "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;a b.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;/appmsg&gt;&lt;/msg&gt;"}),
    )
    .media()
    .unwrap();
    let r = c.media_request(&file, Variant::Full).unwrap();
    assert_eq!(
        r.request.uri().to_string(),
        format!(
            "https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?sender={from}&mediaid=@crypt_m1&encryfilename=a%20b%2Epdf&fromuser=2846173901&pass_ticket=Hk3%252Fp9QzL1xVb7Nw4Ry2Tm8Us6Oe0Ja5Ic%252BGd%253D&webwx_data_ticket=gSfTicketDataZ9x8c7"
        )
    );
    assert_eq!(header(&r, "sec-fetch-mode"), "navigate");
    assert_eq!(header(&r, "sec-fetch-user"), "?1");
    assert_eq!(
        header(&r, "referer"),
        "https://wx2.qq.com/",
        "cross-origin: the origin"
    );
    assert_eq!(r.suggested_name, "a b.pdf");
    // The Debug of a request names no secret.
    let debug = format!("{r:?}");
    assert!(
        !debug.contains("crypt") && !debug.contains("Ticket"),
        "{debug}"
    );

    let sticker = message(
        &c,
        serde_json::json!({"MsgId": "505", "FromUserName": from, "ToUserName": "@me", "MsgType": 47, "HasProductId": 1,
            "Content": "&lt;msg&gt;&lt;emoji md5=\"m\" /&gt;&lt;/msg&gt;"}),
    )
    .media()
    .unwrap();
    assert!(matches!(
        c.media_request(&sticker, Variant::Full),
        Err(UsageError::Unavailable(_))
    ));
}

#[test]
fn avatars_with_the_current_skey() {
    let (c, _) = ready(config());
    let me = c.user().unwrap().user_name().to_string();
    let r = c.avatar_request(&me, false).unwrap();
    let uri = r.request.uri().to_string();
    assert!(
        uri.starts_with("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgeticon?")
            && uri.contains(SKEY_RAW),
        "{uri}"
    );
    let group = c
        .contacts()
        .groups()
        .next()
        .unwrap()
        .user_name()
        .to_string();
    let r = c.avatar_request(&group, true).unwrap();
    let uri = r.request.uri().to_string();
    // The server's HeadImgUrl is used as it is (here a webwxgeticon one), with the skey back.
    assert!(
        uri.contains(&format!("username={group}&{SKEY_RAW}")) && uri.ends_with("&type=big"),
        "{uri}"
    );
    // A group the server gave no URL for: built as the page builds it.
    let r = c.avatar_request("@@unknown", false).unwrap();
    assert_eq!(
        r.request.uri().to_string(),
        format!(
            "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@unknown&{SKEY_RAW}"
        )
    );
    // Before login there is no request to build.
    let fresh = Client::new(config());
    assert_eq!(
        fresh.avatar_request(&me, false).unwrap_err(),
        UsageError::NotLoggedIn
    );
}

/// Forwarding, as the page's `transpondDialogController` does: Scene 2, the media by its
/// MediaId, the content without a group's sender prefix, each kind to its endpoint.
#[test]
fn forwards_go_where_each_kind_goes_with_scene_2() {
    let (mut c, _) = ready(config());
    let from = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";
    let to = "filehelper";
    let cases = [
        (
            serde_json::json!({"MsgId": "601", "FromUserName": from, "ToUserName": "@me", "MsgType": 3,
                "MediaId": "@crypt_img", "Content": "&lt;msg&gt;&lt;img length=\"10\"/&gt;&lt;/msg&gt;"}),
            Endpoint::SendMsgImg,
            "fun=async&f=json&lang=zh_CN&pass_ticket=",
            serde_json::json!({"Type": 3, "MediaId": "@crypt_img", "Content": "<msg><img length=\"10\"/></msg>"}),
        ),
        (
            serde_json::json!({"MsgId": "602", "FromUserName": from, "ToUserName": "@me", "MsgType": 62,
                "MediaId": "@crypt_vid", "Content": ""}),
            Endpoint::SendVideoMsg,
            "fun=async&f=json&lang=zh_CN&pass_ticket=",
            serde_json::json!({"Type": 62, "MediaId": "@crypt_vid", "Content": ""}),
        ),
        (
            serde_json::json!({"MsgId": "603", "FromUserName": from, "ToUserName": "@me", "MsgType": 47,
                "Content": "&lt;msg&gt;&lt;emoji md5=\"e5\"/&gt;&lt;/msg&gt;"}),
            Endpoint::SendEmoticon,
            "fun=sys&lang=zh_CN&pass_ticket=",
            serde_json::json!({"Type": 47, "EMoticonMd5": "e5"}),
        ),
        (
            serde_json::json!({"MsgId": "604", "FromUserName": from, "ToUserName": "@me", "MsgType": 49,
                "AppMsgType": 6, "MediaId": "@crypt_f", "FileName": "r.pdf",
                "Content": "&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;r.pdf&lt;/title&gt;&lt;type&gt;6&lt;/type&gt;&lt;/appmsg&gt;&lt;/msg&gt;"}),
            Endpoint::SendAppMsg,
            "fun=async&f=json&lang=zh_CN&pass_ticket=",
            serde_json::json!({"Type": 6, "Content": "<msg><appmsg><title>r.pdf</title><type>6</type></appmsg></msg>"}),
        ),
    ];
    for (i, (raw, endpoint, query, msg)) in cases.into_iter().enumerate() {
        let m = message(&c, raw);
        c.forward(&m, to, at(20_000 + 2_000 * i as u64)).unwrap();
        let t = next(&mut c, endpoint);
        assert!(
            t.request.uri().query().unwrap().starts_with(query),
            "{endpoint}: {}",
            t.request.uri()
        );
        let body: serde_json::Value = serde_json::from_slice(t.request.body()).unwrap();
        assert_eq!(body["Scene"], 2, "{endpoint}");
        for (k, v) in msg.as_object().unwrap() {
            assert_eq!(&body["Msg"][k], v, "{endpoint} {k}");
        }
        assert_eq!(body["Msg"]["ToUserName"], to);
        assert_eq!(body["Msg"]["LocalID"], body["Msg"]["ClientMsgId"]);
        if endpoint == Endpoint::SendEmoticon {
            assert!(
                body["Msg"].get("MediaId").is_none(),
                "no MediaId when there is none"
            );
        }
        answer(
            &mut c,
            &t,
            ok(sync_fixture("webwxsendmsg.json")),
            at(20_500 + 2_000 * i as u64),
        );
        assert!(matches!(
            &events(&mut c)[..],
            [webwx_core::Event::Sent { .. }]
        ));
    }
    // A group's image: the sender prefix is not forwarded.
    let group = "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d";
    let raw: RawMessage =
        serde_json::from_value(serde_json::json!({"MsgId": "605", "FromUserName": group,
        "ToUserName": "@me", "MsgType": 3, "MediaId": "@crypt_g",
        "Content": format!("{from}:<br/>&lt;msg/&gt;")}))
        .unwrap();
    let m = Message::from_raw(raw, c.user().unwrap(), c.contacts());
    c.forward(&m, to, at(40_000)).unwrap();
    let t = next(&mut c, Endpoint::SendMsgImg);
    let body: serde_json::Value = serde_json::from_slice(t.request.body()).unwrap();
    assert_eq!(body["Msg"]["Content"], "<msg/>");
    // What cannot be forwarded.
    let voice = message(
        &c,
        serde_json::json!({"MsgId": "606", "FromUserName": from, "ToUserName": "@me", "MsgType": 34}),
    );
    assert!(matches!(
        c.forward(&voice, to, at(41_000)),
        Err(UsageError::Unavailable(_))
    ));
    let no_media = message(
        &c,
        serde_json::json!({"MsgId": "607", "FromUserName": from, "ToUserName": "@me", "MsgType": 3}),
    );
    assert!(matches!(
        c.forward(&no_media, to, at(41_000)),
        Err(UsageError::Unavailable(_))
    ));
}

/// A 206 that stops before the total it names is an incomplete download, not a success.
#[test]
fn a_partial_range_is_incomplete() {
    let (c, _) = ready(config());
    let video = message(
        &c,
        serde_json::json!({"MsgId": "701", "FromUserName": "@a", "ToUserName": "@me", "MsgType": 43}),
    )
    .media()
    .unwrap();
    let r = c.media_request(&video, Variant::Full).unwrap();
    let headers = |range: &str| {
        let mut h = webwx_core::http::HeaderMap::new();
        h.insert("content-range", range.parse().unwrap());
        h
    };
    assert_eq!(
        r.check_complete(206, &headers("bytes 0-1023/5000"), 1024),
        Err(webwx_core::DownloadError::Incomplete {
            written: 1024,
            total: 5000
        })
    );
    assert_eq!(
        r.check_complete(206, &headers("bytes 0-4999/5000"), 5000),
        Ok(())
    );
    assert_eq!(r.check_complete(200, &headers("bytes 0-1/5000"), 2), Ok(()));
    assert_eq!(r.check_complete(206, &headers("bytes */5000"), 0), Ok(()));
    // The head: a refusal, or more than the cap, before any byte is written.
    let length = |n: u64| {
        let mut h = webwx_core::http::HeaderMap::new();
        h.insert("content-length", n.to_string().parse().unwrap());
        h
    };
    assert_eq!(r.check_head(200, &length(10)), Ok(Some(10)));
    assert_eq!(
        r.check_head(404, &length(10)),
        Err(webwx_core::DownloadError::Status(404))
    );
    assert!(matches!(
        r.check_head(206, &length(r.max_bytes + 1)),
        Err(webwx_core::DownloadError::TooLarge { written: 0, .. })
    ));
}
