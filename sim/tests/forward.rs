//! The media send calls (`/work/notes/media15.md` §4): a received image, video, sticker or file
//! forwarded as the official client forwards it is recorded with its MediaId and type and
//! records no deviation; an unknown media is refused; each departure is noted.
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
use webwx_sim::{MediaKind, Scenario, SessionInfo, Simulator, StoredMedia};

fn scenario() -> Scenario {
    let mut s = quick();
    s.contact_events.clear();
    s
}

fn info(sim: &Simulator, uin: u64) -> SessionInfo {
    sim.sessions().into_iter().find(|s| s.uin == uin).unwrap()
}

/// A logged-in, initialised session of the official page, and its own user name.
async fn set_up(sim: &Simulator) -> (Browser, Login, Value, String) {
    let b = Browser::new(&sim.base_url());
    let l = b.login().await;
    let init = b.init(&l).await;
    assert_eq!(init["BaseResponse"]["Ret"], 0);
    let me = init["User"]["UserName"].as_str().unwrap().to_string();
    (b, l, init, me)
}

fn find<'a>(msgs: &'a [Value], m: &StoredMedia) -> &'a Value {
    msgs.iter()
        .find(|x| x["MsgId"] == m.msg_id.as_str())
        .unwrap_or_else(|| panic!("message {} not synced", m.msg_id))
}

/// The page's `htmlDecode`.
fn html_decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A JSON object with its keys in the given order (`serde_json::Value` sorts them).
fn ordered(pairs: &[(&str, Value)]) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// The body `_postMessage` posts: `{BaseRequest, Msg, Scene}`.
fn body(b: &Browser, l: &Login, msg: &[(&str, Value)], scene: i64) -> Vec<u8> {
    format!(
        "{{\"BaseRequest\":{},\"Msg\":{},\"Scene\":{scene}}}",
        b.base_request(l),
        ordered(msg)
    )
    .into_bytes()
}

/// Posts `body` to `endpoint` with the query `before` + lang + pass_ticket, as Angular does.
async fn post(b: &Browser, l: &Login, endpoint: &str, before: &str, body: Vec<u8>) -> Value {
    let path = b.api(l, endpoint, before);
    let headers = Browser::with_cookies(b.angular_headers(true), l);
    send(&b.base, "POST", &path, &headers, body)
        .await
        .unwrap()
        .json()
}

/// The forward of `m` (a received message) from `me` to `to`, as transpondDialogController and
/// chatFactory build it: the endpoint, its query, the `Msg` keys.
fn forward(
    b: &Browser,
    me: &str,
    to: &str,
    m: &Value,
) -> (&'static str, &'static str, Vec<(&'static str, Value)>) {
    let content = html_decode(m["Content"].as_str().unwrap());
    let id = b.local_id();
    let tail = [
        ("FromUserName", json!(me)),
        ("ToUserName", json!(to)),
        ("LocalID", json!(id)),
        ("ClientMsgId", json!(id)),
    ];
    let (endpoint, query, mut msg) = match m["MsgType"].as_i64().unwrap() {
        3 | 43 | 62 => (
            if m["MsgType"] == 3 {
                "webwxsendmsgimg"
            } else {
                "webwxsendvideomsg"
            },
            "fun=async&f=json&",
            vec![
                ("Type", m["MsgType"].clone()),
                ("MediaId", m["MediaId"].clone()),
                ("Content", json!(content)),
            ],
        ),
        47 => {
            let md5 = between(&content, "md5=\"", "\"").unwrap().to_string();
            (
                "webwxsendemoticon",
                "fun=sys&",
                vec![("Type", json!(47)), ("EMoticonMd5", json!(md5))],
            )
        }
        49 => (
            "webwxsendappmsg",
            "fun=async&f=json&",
            vec![
                ("Type", m["AppMsgType"].clone()),
                ("Content", json!(content)),
            ],
        ),
        t => panic!("no forward for type {t}"),
    };
    msg.extend(tail);
    (endpoint, query, msg)
}

#[tokio::test]
async fn each_kind_forwarded_as_the_official_client_is_recorded_and_records_nothing() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, init, me) = set_up(&sim).await;
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let video = sim.inject_media(l.uin, MediaKind::Video).unwrap();
    let short = sim.inject_media(l.uin, MediaKind::ShortVideo).unwrap();
    let sticker = sim.inject_media(l.uin, MediaKind::Sticker).unwrap();
    let file = sim
        .inject_file(l.uin, "季度报告 (终版).pdf", 40_000)
        .unwrap();
    let msgs = b.sync(&l, &init["SyncKey"]).await["AddMsgList"]
        .as_array()
        .unwrap()
        .clone();
    let to = sim.sessions()[0].friends[1].clone();
    let mut expected = vec![];
    for (stored, ty) in [
        (&image, 3),
        (&video, 43),
        (&short, 62),
        (&sticker, 47),
        (&file, 6),
    ] {
        let m = find(&msgs, stored);
        let (endpoint, query, msg) = forward(&b, &me, &to, m);
        let local = msg.iter().find(|(k, _)| *k == "LocalID").unwrap().1.clone();
        let r = post(&b, &l, endpoint, query, body(&b, &l, &msg, 2)).await;
        assert_eq!(
            r["BaseResponse"],
            json!({"Ret": 0, "ErrMsg": ""}),
            "{endpoint}"
        );
        assert_eq!(r["LocalID"], local);
        assert!(!r["MsgID"].as_str().unwrap().is_empty());
        let media_id = if ty == 47 {
            stored.md5.clone()
        } else {
            stored.media_id.clone()
        };
        assert!(!media_id.is_empty());
        expected.push((r["MsgID"].as_str().unwrap().to_string(), ty, media_id));
    }
    let sent = sim.sent(l.uin).unwrap();
    assert_eq!(sent.len(), expected.len());
    for (s, (msg_id, ty, media_id)) in sent.iter().zip(&expected) {
        assert_eq!(
            (&s.msg_id, s.msg_type, &s.media_id),
            (msg_id, *ty, media_id)
        );
        assert_eq!(
            (s.scene, s.from.as_str(), s.to.as_str()),
            (2, me.as_str(), to.as_str())
        );
    }
    assert!(sent[0].content.starts_with("<?xml"));
    assert!(
        sent[4]
            .content
            .contains(&format!("<attachid>{}</attachid>", file.media_id))
    );

    // A retry of the very same forward is the same message.
    let m = find(&msgs, &image);
    let (endpoint, query, msg) = forward(&b, &me, &to, m);
    let first = post(&b, &l, endpoint, query, body(&b, &l, &msg, 2)).await;
    let again = post(&b, &l, endpoint, query, body(&b, &l, &msg, 2)).await;
    assert_eq!(first["MsgID"], again["MsgID"]);
    assert_eq!(sim.sent(l.uin).unwrap().len(), expected.len() + 1);

    // A text still records no media.
    assert_eq!(
        b.send_text(&l, &me, &to, "hi").await["BaseResponse"]["Ret"],
        0
    );
    let text = sim.sent(l.uin).unwrap().pop().unwrap();
    assert_eq!(
        (text.msg_type, text.media_id.as_str(), text.scene),
        (1, "", 0)
    );

    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn an_unknown_media_is_refused_and_nothing_is_recorded() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, _init, me) = set_up(&sim).await;
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let file = sim.inject_media(l.uin, MediaKind::File).unwrap();
    let to = sim.sessions()[0].friends[0].clone();
    let msg = |ty: i64, key: &'static str, value: &str| {
        let id = b.local_id();
        vec![
            ("Type", json!(ty)),
            (key, json!(value)),
            ("FromUserName", json!(me)),
            ("ToUserName", json!(to)),
            ("LocalID", json!(id)),
            ("ClientMsgId", json!(id)),
        ]
    };
    let appmsg = |id: &str| {
        format!(
            "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>a.pdf</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>9</totallen><attachid>{id}</attachid><fileext>pdf</fileext></appattach><extinfo></extinfo></appmsg>"
        )
    };
    let cases = [
        (
            "webwxsendmsgimg",
            "fun=async&f=json&",
            msg(3, "MediaId", "@crypt_0_nope"),
        ),
        // A file's MediaId is not an image's.
        (
            "webwxsendmsgimg",
            "fun=async&f=json&",
            msg(3, "MediaId", &file.media_id),
        ),
        (
            "webwxsendvideomsg",
            "fun=async&f=json&",
            msg(43, "MediaId", &image.media_id),
        ),
        (
            "webwxsendemoticon",
            "fun=sys&",
            msg(47, "EMoticonMd5", "0123456789abcdef0123456789abcdef"),
        ),
        (
            "webwxsendappmsg",
            "fun=async&f=json&",
            msg(6, "Content", &appmsg("@crypt_0_nope")),
        ),
    ];
    for (endpoint, query, m) in cases {
        let r = post(&b, &l, endpoint, query, body(&b, &l, &m, 0)).await;
        assert_eq!(r["BaseResponse"]["Ret"], 1, "{endpoint}: {r}");
        assert!(!r["BaseResponse"]["ErrMsg"].as_str().unwrap().is_empty());
    }
    assert_eq!(sim.sent(l.uin).unwrap(), vec![]);
    // The same calls with the account's media go through.
    let ok = [
        (
            "webwxsendmsgimg",
            "fun=async&f=json&",
            msg(3, "MediaId", &image.media_id),
        ),
        (
            "webwxsendappmsg",
            "fun=async&f=json&",
            msg(6, "Content", &appmsg(&file.media_id)),
        ),
    ];
    for (endpoint, query, m) in ok {
        let r = post(&b, &l, endpoint, query, body(&b, &l, &m, 0)).await;
        assert_eq!(r["BaseResponse"]["Ret"], 0, "{endpoint}: {r}");
    }
    assert_eq!(sim.sent(l.uin).unwrap().len(), 2);
    assert_eq!(info(&sim, l.uin).deviations, Vec::<String>::new());
}

#[tokio::test]
async fn each_departure_from_the_official_send_records_its_deviation() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let (b, l, _init, me) = set_up(&sim).await;
    let image = sim.inject_media(l.uin, MediaKind::Image).unwrap();
    let sticker = sim.inject_media(l.uin, MediaKind::Sticker).unwrap();
    let to = sim.sessions()[0].friends[0].clone();
    let msg = |ty: i64, key: &'static str, value: &str, id: &str| {
        vec![
            ("Type", json!(ty)),
            (key, json!(value)),
            ("FromUserName", json!(me)),
            ("ToUserName", json!(to)),
            ("LocalID", json!(id)),
            ("ClientMsgId", json!(id)),
        ]
    };
    let mut count = 0;
    let mut expect = |wanted: &str| {
        let all = info(&sim, l.uin).deviations;
        let new = &all[count..];
        assert_eq!(new.len(), 1, "wanted {wanted:?}, noted {new:?}");
        assert!(
            new[0].starts_with(wanted),
            "wanted {wanted:?}, noted {new:?}"
        );
        count = all.len();
    };
    let img = |id: &str| msg(3, "MediaId", &image.media_id, id);

    // The query without fun=async&f=json.
    let r = post(
        &b,
        &l,
        "webwxsendmsgimg",
        "",
        body(&b, &l, &img(&b.local_id()), 0),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("params: webwxsendmsgimg sent lang,pass_ticket");
    let r = post(
        &b,
        &l,
        "webwxsendemoticon",
        "fun=async&",
        body(
            &b,
            &l,
            &msg(47, "EMoticonMd5", &sticker.md5, &b.local_id()),
            0,
        ),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("params: webwxsendemoticon without fun=sys");
    // Msg's keys in another order (serde_json's, sorted).
    let id = b.local_id();
    let sorted = json!({"BaseRequest": b.base_request(&l), "Msg": {"Type": 3, "MediaId": image.media_id,
        "FromUserName": me, "ToUserName": to, "LocalID": id, "ClientMsgId": id}, "Scene": 0});
    let r = post(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        serde_json::to_vec(&sorted).unwrap(),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("send: webwxsendmsgimg Msg keys ClientMsgId,FromUserName");
    // Another Scene.
    let r = post(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        body(&b, &l, &img(&b.local_id()), 1),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("send: webwxsendmsgimg Scene 1");
    // Another Type.
    let r = post(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        body(
            &b,
            &l,
            &msg(1, "MediaId", &image.media_id, &b.local_id()),
            0,
        ),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("send: webwxsendmsgimg Msg.Type 1");
    // A LocalID not shaped like the page's.
    let r = post(
        &b,
        &l,
        "webwxsendmsgimg",
        "fun=async&f=json&",
        body(&b, &l, &img("12345"), 0),
    )
    .await;
    assert_eq!(r["BaseResponse"]["Ret"], 0);
    expect("local-id: LocalID not 13-digit");
    assert_eq!(sim.sent(l.uin).unwrap().len(), 6);
}
