//! Message typing as the official client's `messageProcess` does it (notes ops16 §7), the
//! `MPSubscribeMsgList` of `webwxinit`, @-mentions, and the contact flags and look-ups (§8).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{Value, json};
use webwx_core::message::{MAX_ARTICLE_TEXT_BYTES, MAX_ARTICLES, mentions};
use webwx_core::model::RawMessage;
use webwx_core::parse::{parse_init, parse_json_with};
use webwx_core::{Article, Contact, ContactStore, Content, Limits, Message};

const ME: &str = "@me0";

/// The account: `@me0`, nick name "小明".
fn me() -> Contact {
    let mut me = Contact::new(ME, "小明");
    me.set_uin(42);
    me
}

/// A message typed for the account against `store`.
fn typed_in(store: &ContactStore, raw: Value) -> Message {
    let raw: RawMessage = serde_json::from_value(raw).unwrap();
    Message::from_raw(raw, &me(), store)
}

fn typed(raw: Value) -> Message {
    typed_in(&ContactStore::default(), raw)
}

/// The store saved contacts read back into, from contacts in the server's JSON.
fn store(contacts: Value) -> ContactStore {
    serde_json::from_value(contacts).unwrap()
}

/// XML as the server puts it into `Content`: HTML-escaped.
fn escaped(xml: &str) -> String {
    xml.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn app_xml(app_type: i64, inner: &str) -> String {
    escaped(&format!(
        "<msg><appmsg appid=\"\" sdkver=\"0\"><title>T</title><des>D</des><type>{app_type}</type><url>http://u</url>{inner}</appmsg></msg>"
    ))
}

fn item(i: usize) -> String {
    format!(
        "<item><itemshowtype>0</itemshowtype><title>Title {i}</title><url><![CDATA[http://mp.weixin.qq.com/s?__biz=X&mid={i}]]></url><pub_time>14637493{i:02}</pub_time><cover>http://mmbiz.qpic.cn/{i}/640|640|360</cover><digest>Digest {i}</digest></item>"
    )
}

fn mmreader(items: usize) -> String {
    let items: String = (0..items).map(item).collect();
    format!(
        "<mmreader><category type=\"20\" count=\"{items_count}\"><name>SegmentFault</name><topnew><cover>http://top</cover><width>0</width><height>0</height><digest>top</digest></topnew>{items}</category><publisher><username>gh_x</username><nickname>SegmentFault</nickname></publisher></mmreader>",
        items_count = items.matches("<item>").count()
    )
}

fn app(app_type: i64, content: &str) -> Value {
    json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 49,
           "AppMsgType": app_type, "FileName": "File name", "Url": "http://json-url",
           "Content": content})
}

#[test]
fn red_packets_and_transfers() {
    // MsgType 1 with AppMsgType 2001 is promoted to an app message: a red packet.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "AppMsgType": 2001, "FileName": "微信红包", "Content": app_xml(2001, "<wcpayinfo></wcpayinfo>")}),
    );
    let Content::RedPacket(card) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!((card.app_type, card.title.as_str()), (2001, "T"));
    assert_eq!(m.content.text(), Some("T"));

    // Its content need not be XML: the card comes from the JSON then.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "AppMsgType": 2001, "FileName": "微信红包", "Content": "[红包]"}),
    );
    let Content::RedPacket(card) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!((card.app_type, card.title.as_str()), (2001, "微信红包"));

    // Under MsgType 49: 2001 a red packet, 2000 a transfer.
    assert!(matches!(
        typed(app(2001, &app_xml(2001, ""))).content,
        Content::RedPacket(_)
    ));
    let m = typed(app(
        2000,
        &app_xml(2000, "<wcpayinfo><feedesc>￥0.01</feedesc></wcpayinfo>"),
    ));
    let Content::Transfer(card) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!((card.app_type, card.description.as_str()), (2000, "D"));
    // Unreadable payload: still a transfer, from the JSON.
    assert!(matches!(
        typed(app(2000, "&lt;msg&gt;&lt;appmsg&gt;")).content,
        Content::Transfer(_)
    ));
    // The JSON field decides, as in the official client; the payload's type only when absent.
    let mut no_field = app(0, &app_xml(2000, ""));
    no_field["AppMsgType"] = json!(null);
    assert!(matches!(typed(no_field).content, Content::Transfer(_)));

    // Only 2001 is promoted from MsgType 1: a type 1 with AppMsgType 2000 stays text.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "AppMsgType": 2000, "Content": "转账"}),
    );
    assert_eq!(m.content, Content::Text("转账".into()));

    // A link stays an app message.
    let m = typed(app(5, &app_xml(5, "")));
    let Content::App(card) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!((card.app_type, card.url.as_str()), (5, "http://u"));
}

#[test]
fn location_only_with_sub_msg_type_48() {
    let content = "广东省深圳市南山区 &amp; 附近:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;msgid=1&amp;pictype=location";
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "SubMsgType": 48, "Url": "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9",
        "Content": content}),
    );
    assert_eq!(
        m.content,
        Content::Location {
            label: "广东省深圳市南山区 & 附近".into(),
            url: "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9".into(),
        }
    );
    // Without a `Url`, the map image's path the content carries.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "SubMsgType": 48, "Content": content}),
    );
    let Content::Location { url, .. } = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!(
        url,
        "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=1&pictype=location"
    );
    // A type 1 with a `Url` but no SubMsgType 48 is text, however much it looks like a place.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "Url": "http://apis.map.qq.com/x", "Content": content}),
    );
    assert!(matches!(m.content, Content::Text(ref t) if t.starts_with("广东省")));
    // MsgType 48 is a location.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 48,
        "Content": "Place:<br/>/map"}),
    );
    assert_eq!(
        m.content,
        Content::Location {
            label: "Place".into(),
            url: "/map".into()
        }
    );
    // In a group, the sender prefix comes off first (the official client's three parts).
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@@g", "ToUserName": ME, "MsgType": 1,
        "SubMsgType": 48, "Content": "@abc:<br/>Place:<br/>/map"}),
    );
    assert_eq!(m.group_sender.as_ref().unwrap().user_name, "@abc");
    assert_eq!(
        m.content,
        Content::Location {
            label: "Place".into(),
            url: "/map".into()
        }
    );
}

#[test]
fn the_group_prefix_only_in_groups_and_only_the_first() {
    let text = |from: &str, content: &str| {
        let m = typed(json!({"MsgId": "1", "FromUserName": from, "ToUserName": ME,
            "MsgType": 1, "Content": content}));
        (
            m.is_group,
            m.group_sender.map(|s| s.user_name),
            m.content.text().unwrap().to_string(),
        )
    };
    assert_eq!(
        text("@@g", "@abc:<br/>hi:<br/>there"),
        (true, Some("@abc".into()), "hi:\nthere".into())
    );
    assert_eq!(
        text("123@chatroom", "wxid_a-1:<br/>hi"),
        (true, Some("wxid_a-1".into()), "hi".into()),
        "old-style rooms and plain sender names"
    );
    assert_eq!(
        text("@friend", "@abc:<br/>hi"),
        (false, None, "@abc:\nhi".into()),
        "not in a chat with a person"
    );
    assert_eq!(
        text("@@g", "not a sender:<br/>hi"),
        (true, None, "not a sender:\nhi".into())
    );
    assert_eq!(
        text("@@g", "@a_b:<br/>hi"),
        (true, None, "@a_b:\nhi".into()),
        "an @-name is letters and digits only"
    );
}

#[test]
fn who_sent_it() {
    // An empty FromUserName is the account itself.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "", "ToUserName": "@a", "MsgType": 1,
        "Content": "hi"}),
    );
    assert!(m.outgoing);
    assert_eq!(m.chat, "@a");
    let m = typed(
        json!({"MsgId": "1", "FromUserName": ME, "ToUserName": "@@g", "MsgType": 1,
        "Content": "@小明 hi"}),
    );
    assert!(m.outgoing && m.is_group && !m.mentions_me && m.group_sender.is_none());
    assert_eq!(m.chat, "@@g");
    // A group message whose sender prefix is the account: its own, in the group.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@@g", "ToUserName": ME, "MsgType": 1,
        "Content": format!("{ME}:<br/>@小明 hi")}),
    );
    assert!(m.outgoing && m.group_sender.is_none() && !m.mentions_me);
    assert_eq!(
        (m.chat.as_str(), m.content.text()),
        ("@@g", Some("@小明 hi"))
    );
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 1,
        "Content": "hi"}),
    );
    assert!(!m.outgoing);
    assert_eq!(m.chat, "@a");
}

#[test]
fn a_friend_request_from_the_account_itself_is_dropped() {
    let request = |user_name: &str| {
        typed(
            json!({"MsgId": "1", "FromUserName": "fmessage", "ToUserName": ME, "MsgType": 37,
            "Content": "&lt;msg fromusername=\"x\" ticket=\"t\"/&gt;",
            "RecommendInfo": {"UserName": user_name, "NickName": "N", "Ticket": "v1_t"}}),
        )
    };
    let own = request(ME);
    assert!(own.is_dropped());
    assert!(matches!(own.content, Content::FriendRequest { .. }));
    assert!(!request("@stranger").is_dropped());
    // Other messages are never dropped, even when they name the account.
    let m = typed(
        json!({"MsgId": "1", "FromUserName": "@a", "ToUserName": ME, "MsgType": 42,
        "Content": "", "RecommendInfo": {"UserName": ME}}),
    );
    assert!(!m.is_dropped());
    // Without a self user name nothing is dropped.
    let raw: RawMessage = serde_json::from_value(
        json!({"MsgId": "1", "MsgType": 37, "RecommendInfo": {"UserName": ""}}),
    )
    .unwrap();
    assert!(!Message::from_raw(raw, &Contact::default(), &ContactStore::default()).is_dropped());
}

#[test]
fn article_pushes() {
    // One item (the official client's `count == 1` case).
    let m = typed(app(5, &app_xml(5, &mmreader(1))));
    let Content::Articles(articles) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!(articles.len(), 1);
    let a = &articles[0];
    assert_eq!(a.title, "Title 0");
    assert_eq!(a.url, "http://mp.weixin.qq.com/s?__biz=X&mid=0");
    assert_eq!(a.digest, "Digest 0");
    assert_eq!(
        (a.cover.as_str(), a.cover_size),
        ("http://mmbiz.qpic.cn/0/640", Some((640, 360)))
    );
    assert_eq!(a.pub_time, 1_463_749_300);
    assert_eq!(m.content.text(), Some("Title 0"), "the first title");

    // Many items, in order; the `<topnew>` cover is not an article.
    let m = typed(app(5, &app_xml(5, &mmreader(3))));
    let Content::Articles(articles) = &m.content else {
        panic!("{:?}", m.content)
    };
    let titles: Vec<_> = articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Title 0", "Title 1", "Title 2"]);

    // An mmreader without items is a plain app message.
    let empty = "<mmreader><category count=\"0\"></category></mmreader>";
    assert!(matches!(
        typed(app(5, &app_xml(5, empty))).content,
        Content::App(_)
    ));
    // Items elsewhere than under mmreader/category are not articles.
    let stray = "<category><item><title>x</title></item></category>";
    assert!(matches!(
        typed(app(5, &app_xml(5, stray))).content,
        Content::App(_)
    ));
}

#[test]
fn hostile_article_pushes_are_capped_or_fall_back() {
    // 1,400 items (7 elements each: 9,800, under the XML element cap): the first MAX_ARTICLES
    // kept.
    let m = typed(app(5, &app_xml(5, &mmreader(1_400))));
    let Content::Articles(articles) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!(articles.len(), MAX_ARTICLES);
    assert_eq!(
        articles.last().unwrap().title,
        format!("Title {}", MAX_ARTICLES - 1)
    );

    // 5,000 items: past the element cap, the payload is not read; the JSON gives the card.
    let m = typed(app(5, &app_xml(5, &mmreader(5_000))));
    let Content::App(card) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!(
        (card.title.as_str(), card.url.as_str()),
        ("File name", "http://json-url")
    );

    // Huge texts are cut.
    let long = format!(
        "<mmreader><category count=\"1\"><item><title>{}</title><url>{}</url><digest>{}</digest><cover>{}</cover><pub_time>nope</pub_time></item></category></mmreader>",
        "题".repeat(100_000),
        "u".repeat(100_000),
        "d".repeat(100_000),
        "c".repeat(100_000)
    );
    let m = typed(app(5, &app_xml(5, &long)));
    let Content::Articles(articles) = &m.content else {
        panic!("{:?}", m.content)
    };
    let a = &articles[0];
    for text in [&a.title, &a.url, &a.digest, &a.cover] {
        assert!(text.len() <= MAX_ARTICLE_TEXT_BYTES && text.len() > MAX_ARTICLE_TEXT_BYTES - 4);
    }
    assert_eq!(a.pub_time, 0);

    // Malformed XML: no panic, an app message from the JSON.
    for broken in [
        "&lt;msg&gt;&lt;appmsg&gt;&lt;mmreader&gt;&lt;category&gt;&lt;item&gt;&lt;title&gt;x",
        "&lt;msg&gt;&lt;appmsg&gt;&lt;/mmreader&gt;&lt;/appmsg&gt;&lt;/msg&gt;",
        "&lt;msg&gt;&amp;bogus;&lt;/msg&gt;",
        "not xml at all",
        "",
    ] {
        let m = typed(app(5, broken));
        assert!(
            matches!(m.content, Content::App(_)),
            "{broken}: {:?}",
            m.content
        );
    }
    // Nesting past the depth cap.
    let deep = escaped(&("<a>".repeat(100) + &"</a>".repeat(100)));
    assert!(matches!(typed(app(5, &deep)).content, Content::App(_)));
}

#[test]
fn mp_subscriptions_of_the_init_answer() {
    let init = json!({
        "BaseResponse": {"Ret": 0, "ErrMsg": ""},
        "User": {"UserName": ME, "NickName": "小明"},
        "MPSubscribeMsgCount": 3,
        "MPSubscribeMsgList": [
            {"UserName": "@a0d0", "MPArticleCount": 1,
             "MPArticleList": [{"Title": "记一次前端性能优化", "Digest": "记一次线上事故",
                "Cover": "http://mmbiz.qpic.cn/a/640?wxtype=jpeg&wxfrom=0|0|0",
                "Url": "http://mp.weixin.qq.com/s?__biz=M&mid=1#rd"}],
             "Time": 1463749351, "NickName": "SegmentFault"},
            {"UserName": "", "MPArticleList": [{"Title": "no user name"}]},
            {"UserName": "@49a1", "MPArticleCount": "2", "MPArticleList": null, "Time": "7",
             "NickName": "X<span class=\"emoji emoji1f600\"></span>"},
        ]
    });
    let answer = parse_init(&serde_json::to_vec(&init).unwrap()).unwrap();
    let subs = &answer.mp_subscribe_msg_list;
    assert_eq!(subs.len(), 2, "the one without a user name is dropped");
    assert_eq!(
        (
            subs[0].user_name.as_str(),
            subs[0].nick_name.as_str(),
            subs[0].time
        ),
        ("@a0d0", "SegmentFault", 1_463_749_351)
    );
    assert_eq!(subs[0].article_count, 1);
    let articles = subs[0].articles();
    assert_eq!(articles.len(), 1);
    let a = &articles[0];
    assert_eq!(a.title, "记一次前端性能优化");
    assert_eq!(a.digest, "记一次线上事故");
    assert_eq!(
        a.url, "https://mp.weixin.qq.com/s?__biz=M&mid=1#rd",
        "http:// made https://"
    );
    assert_eq!(
        (a.cover.as_str(), a.cover_size),
        ("http://mmbiz.qpic.cn/a/640?wxtype=jpeg&wxfrom=0", None)
    );
    assert_eq!(a.pub_time, 1_463_749_351);
    assert_eq!((subs[1].article_count, subs[1].time), (2, 7));
    assert!(subs[1].articles().is_empty());

    // Without the list (or with null), none.
    let bare = json!({"BaseResponse": {"Ret": 0}, "MPSubscribeMsgList": null});
    assert!(
        parse_init(&serde_json::to_vec(&bare).unwrap())
            .unwrap()
            .mp_subscribe_msg_list
            .is_empty()
    );
}

#[test]
fn hostile_mp_subscriptions_are_bounded() {
    // Thousands of articles in one subscription: MAX_ARTICLES kept, the rest skipped.
    let many: Vec<Value> = (0..5_000)
        .map(|i| json!({"Title": format!("t{i}"), "Url": "http://x", "Cover": "c|1|2"}))
        .collect();
    let init = json!({"BaseResponse": {"Ret": 0},
        "MPSubscribeMsgList": [{"UserName": "@a", "MPArticleList": many,
            "NickName": "n".repeat(10)}]});
    let answer = parse_init(&serde_json::to_vec(&init).unwrap()).unwrap();
    let articles = answer.mp_subscribe_msg_list[0].articles();
    assert_eq!(articles.len(), MAX_ARTICLES);
    assert_eq!(articles[0].cover_size, Some((1, 2)));
    assert_eq!(
        articles.last().unwrap().title,
        format!("t{}", MAX_ARTICLES - 1)
    );

    // A long text is cut.
    let init = json!({"BaseResponse": {"Ret": 0},
        "MPSubscribeMsgList": [{"UserName": "@a",
            "MPArticleList": [{"Title": "标".repeat(100_000), "Url": "u".repeat(100_000)}]}]});
    let answer = parse_init(&serde_json::to_vec(&init).unwrap()).unwrap();
    let a = &answer.mp_subscribe_msg_list[0].article_list[0];
    assert!(a.title.len() <= MAX_ARTICLE_TEXT_BYTES && a.url.len() == MAX_ARTICLE_TEXT_BYTES);

    // Subscriptions count against the entry cap of the answer, like every list.
    let mut limits = Limits::default();
    limits.max_entries_per_answer = 3;
    let subs: Vec<Value> = (0..4)
        .map(|i| json!({"UserName": format!("@{i}")}))
        .collect();
    let init = json!({"BaseResponse": {"Ret": 0}, "MPSubscribeMsgList": subs});
    let refused = parse_json_with::<webwx_core::model::InitAnswer>(
        &serde_json::to_vec(&init).unwrap(),
        &limits,
    );
    assert!(refused.is_err());
    // Kept articles count too.
    let init = json!({"BaseResponse": {"Ret": 0}, "MPSubscribeMsgList": [
        {"UserName": "@a", "MPArticleList": [{}, {}, {}]}]});
    assert!(
        parse_json_with::<webwx_core::model::InitAnswer>(
            &serde_json::to_vec(&init).unwrap(),
            &limits
        )
        .is_err()
    );
}

#[test]
fn article_constructor() {
    let a = Article::new("t", "u");
    assert_eq!(
        (a.title.as_str(), a.url.as_str(), a.pub_time),
        ("t", "u", 0)
    );
}

/// A group `@@g` where the account's member entry carries `display_name` (and its nick name
/// "小明 nick").
fn group_with_me(display_name: &str) -> ContactStore {
    store(json!([{"UserName": "@@g", "NickName": "G", "MemberList": [
        {"UserName": ME, "NickName": "小明 nick", "DisplayName": display_name},
        {"UserName": "@abc", "NickName": "Abc"}]}]))
}

fn mentions_me(store: &ContactStore, text: &str) -> bool {
    typed_in(
        store,
        json!({"MsgId": "1", "FromUserName": "@@g", "ToUserName": ME, "MsgType": 1,
            "Content": format!("@abc:<br/>{text}")}),
    )
    .mentions_me
}

#[test]
fn mentions_by_the_name_in_the_group() {
    // A display name with a space, an emoji span and an entity.
    let s = group_with_me("Big &amp; Tall <span class=\"emoji emoji1f600\"></span>");
    assert!(mentions_me(
        &s,
        "@Big &amp; Tall <span class=\"emoji emoji1f600\"></span>\u{2005}hi"
    ));
    assert!(mentions_me(&s, "hey @Big &amp; Tall 😀 look"));
    assert!(mentions_me(&s, "hey @Big &amp; Tall 😀"), "at the end");
    assert!(!mentions_me(&s, "hey @Big &amp; Tall 😀!"));
    assert!(
        !mentions_me(&s, "hey @Big &amp; Tall"),
        "only part of the name"
    );
    assert!(
        !mentions_me(&s, "@小明 hi"),
        "the display name, not the nick name"
    );
    assert!(!mentions_me(&s, "@小明 nick hi"));

    // Without a display name, the nick name (with its space) as the group lists it.
    let s = group_with_me("");
    assert!(mentions_me(&s, "@小明 nick\u{2005}"));
    assert!(mentions_me(&s, "@小明 nick"));
    assert!(!mentions_me(&s, "@小明 nickname"));

    // Members unknown: the account's own nick name.
    let s = ContactStore::default();
    assert!(mentions_me(&s, "@小明\u{2005}看这里"));
    assert!(mentions_me(&s, "@小明 看这里"));
    assert!(!mentions_me(&s, "@小明明 看这里"));

    // Only texts mention.
    let m = typed_in(
        &group_with_me(""),
        json!({"MsgId": "1", "FromUserName": "@@g", "ToUserName": ME, "MsgType": 10000,
            "Content": "@小明 nick joined"}),
    );
    assert!(!m.mentions_me);

    // The free function works on decoded text and names.
    assert!(mentions("@Tom Lee\u{2005}", &["Tom Lee"]));
    assert!(!mentions("@Tom Leeds", &["Tom Lee"]));
    assert!(mentions("x @Tom Lee", &["", "Tom Lee"]));
}

/// Contacts of every flag, in the server's JSON.
fn flagged() -> ContactStore {
    store(json!([
        {"UserName": "@friend", "NickName": "Tom &amp; Jerry", "RemarkName": "汤姆",
         "Alias": "tom_j", "ContactFlag": 3, "VerifyFlag": 0},
        {"UserName": "@muted", "NickName": "Quiet <span class=\"emoji emoji1f600\"></span>",
         "ContactFlag": 513},
        {"UserName": "@pinned", "NickName": "Top", "ContactFlag": 2049},
        {"UserName": "@blocked", "NickName": "Spam", "ContactFlag": 9},
        {"UserName": "@stranger", "NickName": "Tom", "ContactFlag": 0},
        {"UserName": "@official", "NickName": "News", "ContactFlag": 3, "VerifyFlag": 24},
        {"UserName": "filehelper", "NickName": "文件传输助手", "ContactFlag": 3},
        {"UserName": "@@quiet", "NickName": "家庭", "ContactFlag": 3, "Statues": 0,
         "IsOwner": 0, "ChatRoomOwner": ME, "MemberList": [
            {"UserName": "@friend", "NickName": "Tom", "DisplayName": "爸爸"},
            {"UserName": "@x", "NickName": "爸爸"},
            {"UserName": "@y", "NickName": "Yan <span class=\"emoji emoji1f600\"></span>"}]},
        {"UserName": "@@loud", "NickName": "Work", "ContactFlag": 2051, "Statues": 1,
         "OwnerUin": 42},
        {"UserName": "@@unknown", "NickName": "Unknown", "ContactFlag": 0, "OwnerUin": 0},
        {"UserName": "99@chatroom", "NickName": "Old", "IsOwner": 1},
    ]))
}

fn names<'a>(contacts: impl Iterator<Item = &'a Contact>) -> Vec<&'a str> {
    contacts.map(|c| c.user_name()).collect()
}

#[test]
fn contact_flags() {
    let s = flagged();
    let c = |name: &str| s.get(name).unwrap();
    assert!(c("@friend").is_friend() && !c("@friend").is_muted());
    assert!(!c("@stranger").is_friend(), "not saved to the contacts");
    assert!(!c("@official").is_friend() && c("@official").is_official());
    assert!(!c("filehelper").is_friend(), "a special account");
    assert!(!c("@@quiet").is_friend() && c("@@quiet").is_group());
    assert!(c("99@chatroom").is_group());
    assert!(c("@muted").is_muted() && c("@blocked").is_blocked() && c("@pinned").is_pinned());
    // Groups are muted by `Statues == 0`, not by ContactFlag 512, and not when unknown.
    assert!(c("@@quiet").is_muted());
    assert!(!c("@@loud").is_muted() && c("@@loud").is_pinned());
    assert!(!c("@@unknown").is_muted(), "no Statues: not muted");
    let mut flag_only = c("@@loud").clone();
    flag_only.set_contact_flag(flag_only.contact_flag() | 512);
    assert!(!flag_only.is_muted());

    // Owners: IsOwner, ChatRoomOwner == self, OwnerUin == self uin (and not 0).
    assert!(c("@@quiet").is_owner(ME, 42), "by ChatRoomOwner");
    assert!(c("@@loud").is_owner(ME, 42), "by OwnerUin");
    assert!(!c("@@loud").is_owner(ME, 7));
    assert!(c("99@chatroom").is_owner("", 0), "by IsOwner");
    assert!(!c("@@unknown").is_owner(ME, 0), "OwnerUin 0 is nobody");
    assert!(!c("@@unknown").is_owner("", 42));
    assert!(
        !c("@@quiet").is_owner("", 1),
        "an empty self name owns nothing"
    );
    let mut person = c("@friend").clone();
    person.set_owner_flag(true);
    assert!(!person.is_owner(ME, 42), "people are never owned");
}

#[test]
fn store_filters_and_lookups() {
    let s = flagged();
    assert_eq!(
        names(s.friends()),
        ["@blocked", "@friend", "@muted", "@pinned"]
    );
    assert_eq!(
        names(s.groups()),
        ["99@chatroom", "@@loud", "@@quiet", "@@unknown"]
    );
    assert_eq!(names(s.officials()), ["@official"]);
    assert_eq!(names(s.muted()), ["@@quiet", "@muted"]);
    assert_eq!(names(s.pinned()), ["@@loud", "@pinned"]);
    assert_eq!(names(s.blocked()), ["@blocked"]);

    // Exact look-ups, decoded.
    assert_eq!(names(s.by_remark("汤姆")), ["@friend"]);
    assert_eq!(names(s.by_nick_name("Tom & Jerry")), ["@friend"]);
    assert_eq!(
        names(s.by_nick_name("Tom &amp; Jerry")),
        ["@friend"],
        "or as sent"
    );
    assert_eq!(names(s.by_nick_name("Quiet 😀")), ["@muted"]);
    assert_eq!(names(s.by_nick_name("Tom")), ["@stranger"]);
    assert!(
        s.by_remark("").next().is_none(),
        "empty names match nothing"
    );
    assert_eq!(s.by_alias("tom_j").map(|c| c.user_name()), Some("@friend"));
    assert!(s.by_alias("").is_none() && s.by_alias("TOM_J").is_none());
    let found: Vec<_> = s
        .find_by_name("Tom & Jerry")
        .iter()
        .map(|c| c.user_name())
        .collect();
    assert_eq!(found, ["@friend"]);

    // Members: the group display name first, then the nick name.
    let m = s.find_member("@@quiet", "爸爸").unwrap();
    assert_eq!(
        m.user_name, "@friend",
        "the display name wins over @x's nick name"
    );
    assert_eq!(s.find_member("@@quiet", "Yan 😀").unwrap().user_name, "@y");
    assert!(s.find_member("@@quiet", "nobody").is_none());
    assert!(s.find_member("@@none", "爸爸").is_none());

    // Search: remark, nick and alias; decoded; ASCII case ignored.
    assert_eq!(names(s.search("tom")), ["@friend", "@stranger"]);
    assert_eq!(names(s.search(" & JERRY ")), ["@friend"]);
    assert_eq!(names(s.search("TOM_")), ["@friend"], "by alias");
    assert_eq!(names(s.search("汤")), ["@friend"], "by remark");
    assert_eq!(names(s.search("😀")), ["@muted"]);
    assert_eq!(
        names(s.search("amp")),
        Vec::<&str>::new(),
        "entities are decoded"
    );
    assert!(s.search("").next().is_none() && s.search("  ").next().is_none());
}

#[test]
fn saved_contacts_keep_the_new_fields() {
    let s = flagged();
    let g = s.get("@@quiet").unwrap();
    assert_eq!((g.statues(), g.chat_room_owner()), (Some(0), ME));
    let json = serde_json::to_value(g).unwrap();
    assert_eq!(
        (json["Statues"].clone(), json["ChatRoomOwner"].clone()),
        (json!(0), json!(ME))
    );
    let back: Contact = serde_json::from_value(json).unwrap();
    assert_eq!(&back, g);
    // A person's: neither field written; an old save without them reads as unknown.
    let json = serde_json::to_value(s.get("@friend").unwrap()).unwrap();
    assert!(json.get("Statues").is_none() && json.get("ChatRoomOwner").is_none());
    let old: Contact = serde_json::from_value(json!({"UserName": "@@g"})).unwrap();
    assert_eq!(old.statues(), None);
    assert!(!old.is_muted());
}
