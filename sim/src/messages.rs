//! Messages in the server's shape (`AddMsgList` entries): generated ones cycling through every
//! MsgType, and injected ones.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::account::Account;
use crate::media::{Media, MediaKind, Spec};
use serde_json::{Value, json};

/// How many kinds the generator cycles through.
pub(crate) const KINDS: usize = 18;

fn escape(xml: &str) -> String {
    xml.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A message object with every field the real server sends.
pub(crate) fn message(
    msg_id: u64,
    from: &str,
    to: &str,
    msg_type: i64,
    content: &str,
    created: u64,
) -> Value {
    json!({
        "MsgId": msg_id.to_string(),
        "FromUserName": from,
        "ToUserName": to,
        "MsgType": msg_type,
        "Content": content,
        "Status": 3,
        "ImgStatus": 1,
        "CreateTime": created,
        "VoiceLength": 0,
        "PlayLength": 0,
        "FileName": "",
        "FileSize": "",
        "MediaId": "",
        "EncryFileName": "",
        "Url": "",
        "AppMsgType": 0,
        "StatusNotifyCode": 0,
        "StatusNotifyUserName": "",
        "RecommendInfo": {"UserName": "", "NickName": "", "QQNum": 0, "Province": "", "City": "",
            "Content": "", "Signature": "", "Alias": "", "Scene": 0, "VerifyFlag": 0,
            "AttrStatus": 0, "Sex": 0, "Ticket": "", "OpCode": 0},
        "ForwardFlag": 0,
        "AppInfo": {"AppID": "", "Type": 0},
        "HasProductId": 0,
        "Ticket": "",
        "ImgHeight": 0,
        "ImgWidth": 0,
        "SubMsgType": 0,
        "NewMsgId": msg_id
    })
}

fn set(mut m: Value, fields: Value) -> Value {
    if let (Some(obj), Value::Object(extra)) = (m.as_object_mut(), fields) {
        obj.extend(extra);
    }
    m
}

/// The `k`-th generated message for `account` (kinds cycle), with id `msg_id`, and the media it
/// carries (images, voices, videos, stickers, files), made from `seed`. The video of every cycle
/// is larger than 1 MiB; the file of every other cycle (the first included) about 3 MiB.
pub(crate) fn generated(
    account: &Account,
    k: usize,
    msg_id: u64,
    created: u64,
    seed: u64,
) -> (Value, Option<Media>) {
    let me = account.user_name.as_str();
    let friend = account
        .friends
        .get(k % account.friends.len().max(1))
        .map_or("filehelper", String::as_str);
    let group = account.groups.iter().nth(k % account.groups.len().max(1));
    let n = k + 1;
    let m = |t: i64, content: &str| message(msg_id, friend, me, t, content, created);
    let media = match k % KINDS {
        2 => Some(Spec::of(MediaKind::Image)),
        3 => Some(Spec::of(MediaKind::Voice)),
        6 => Some(Spec::of(MediaKind::Video)),
        7 => Some(Spec::of(MediaKind::Sticker)),
        10 if (k / KINDS).is_multiple_of(2) => Some(Spec {
            kind: MediaKind::File,
            size: Some(3 * 1024 * 1024 + (crate::ids::mix(seed, 9) % 65_536) as usize),
            file_name: Some(format!("照片备份 {n}.zip")),
        }),
        10 => Some(Spec {
            kind: MediaKind::File,
            size: None,
            file_name: Some(format!("季度报告 (第{n}版).pdf")),
        }),
        12 => Some(Spec::of(MediaKind::ShortVideo)),
        _ => None,
    };
    if let Some(spec) = media {
        let media = Media::make(&spec, seed, friend);
        return (
            media_message(msg_id, friend, me, created, &media),
            Some(media),
        );
    }
    let msg = match k % KINDS {
        0 => m(
            1,
            &format!(
                "第{n}条消息 &lt;你好&gt; &amp; 早上好<br/>第二行<span class=\"emoji emoji1f600\"></span>"
            ),
        ),
        1 => match group {
            Some((gname, g)) => {
                let members = g["MemberList"].as_array().cloned().unwrap_or_default();
                let sender = members
                    .iter()
                    .map(|m| m["UserName"].as_str().unwrap_or_default())
                    .find(|u| *u != me)
                    .unwrap_or(friend)
                    .to_string();
                let content = format!(
                    "{sender}:<br/>@{}\u{2005}群消息{n}:<br/>带冒号",
                    account.nick_name
                );
                message(msg_id, gname, me, 1, &content, created)
            }
            None => m(1, &format!("没有群时的文字{n}")),
        },
        4 => set(
            message(
                msg_id,
                "fmessage",
                me,
                37,
                &escape(&format!(
                    "<msg fromusername=\"wxid_new{n}\" fromnickname=\"新朋友{n}\" content=\"我是新朋友{n}\" ticket=\"v2_ticket{n}@stranger\" />"
                )),
                created,
            ),
            json!({"RecommendInfo": {"UserName": format!("@{:032x}", msg_id), "NickName": format!("新朋友{n}"), "QQNum": 0,
                "Province": "", "City": "", "Content": format!("我是新朋友{n}"), "Signature": "", "Alias": "",
                "Scene": 30, "VerifyFlag": 0, "AttrStatus": 0, "Sex": 1, "Ticket": format!("v2_ticket{n}@stranger"), "OpCode": 2}}),
        ),
        5 => m(
            42,
            &escape(&format!(
                "<?xml version=\"1.0\"?>\n<msg username=\"{friend}\" nickname=\"名片{n}\" alias=\"card_{n}\" sex=\"1\" />"
            )),
        ),
        8 => set(
            m(
                1,
                "深圳市南山区:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx",
            ),
            json!({"SubMsgType": 48, "Url": "https://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9"}),
        ),
        9 => set(
            m(
                49,
                &escape(&format!(
                    "<msg><appmsg appid=\"\"><title>链接{n} &amp; 标题</title><des>摘要</des><type>5</type><url>https://mp.weixin.qq.com/s?id={n}&amp;x=1</url></appmsg></msg>"
                )),
            ),
            json!({"AppMsgType": 5, "Url": format!("https://mp.weixin.qq.com/s?id={n}&x=1")}),
        ),
        11 => set(
            message(
                msg_id,
                me,
                me,
                51,
                "&lt;msg&gt;<br/>&lt;op id='4'&gt;<br/>&lt;/op&gt;<br/>&lt;/msg&gt;",
                created,
            ),
            json!({"StatusNotifyCode": 4, "StatusNotifyUserName": format!("filehelper,{friend}")}),
        ),
        13 => m(10000, &format!("你已添加了朋友{n}，现在可以开始聊天了。")),
        14 => m(
            10002,
            &escape(&format!(
                "<sysmsg type=\"revokemsg\"><revokemsg><session>{friend}</session><oldmsgid>{}</oldmsgid><msgid>{msg_id}</msgid><replacemsg><![CDATA[\"朋友\" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>",
                msg_id.saturating_sub(1)
            )),
        ),
        15 => m(9999, "系统提示"),
        16 => set(
            m(
                49,
                &escape(
                    "<msg><appmsg appid=\"\"><title>微信转账</title><type>2000</type></appmsg></msg>",
                ),
            ),
            json!({"AppMsgType": 2000}),
        ),
        _ => m(12345, &format!("未知类型{n}")),
    };
    (msg, None)
}

/// The message of a media from `from` to `to`: the fields and `Content` the real server sends
/// for its kind, consistent with the stored bytes.
pub(crate) fn media_message(
    msg_id: u64,
    from: &str,
    to: &str,
    created: u64,
    media: &Media,
) -> Value {
    let full = media.full.len();
    let thumb = media.thumb.as_ref().map_or(0, |t| t.len());
    let (w, h) = (media.width, media.height);
    let kind = media.kind;
    let (content, fields) = match kind {
        MediaKind::Image => (
            format!(
                "<?xml version=\"1.0\"?>\n<msg>\n\t<img length=\"{full}\" hdlength=\"0\" cdnthumblength=\"{thumb}\" cdnthumbwidth=\"{w}\" cdnthumbheight=\"{h}\" encryver=\"1\" />\n</msg>"
            ),
            json!({"ImgWidth": w, "ImgHeight": h, "MediaId": media.media_id}),
        ),
        MediaKind::Voice => (
            format!(
                "<msg><voicemsg endflag=\"1\" cancelflag=\"0\" forwardflag=\"0\" voiceformat=\"4\" voicelength=\"{}\" length=\"{full}\" fromusername=\"{}\" /></msg>",
                media.voice_ms,
                escape(from)
            ),
            json!({"VoiceLength": media.voice_ms}),
        ),
        MediaKind::Video | MediaKind::ShortVideo => (
            format!(
                "<?xml version=\"1.0\"?>\n<msg>\n\t<videomsg length=\"{full}\" playlength=\"{}\" cdnthumblength=\"{thumb}\" cdnthumbwidth=\"{w}\" cdnthumbheight=\"{h}\" fromusername=\"{}\" isad=\"0\" />\n</msg>",
                media.play_length,
                escape(from)
            ),
            json!({"PlayLength": media.play_length, "ImgWidth": w, "ImgHeight": h,
                "MediaId": media.media_id}),
        ),
        MediaKind::Sticker => (
            format!(
                "<msg><emoji fromusername=\"{}\" tousername=\"{}\" type=\"2\" md5=\"{}\" len=\"{full}\" productid=\"\" cdnurl=\"http://emoji.qpic.cn/wx_emoji/sim/\" width=\"{w}\" height=\"{h}\" /></msg>",
                escape(from),
                escape(to),
                media.md5
            ),
            json!({"ImgWidth": w, "ImgHeight": h}),
        ),
        MediaKind::File => (
            format!(
                "<msg><appmsg appid=\"wx6618f1cfc6c132f8\" sdkver=\"0\"><title>{}</title><des></des><action></action><type>6</type><showtype>0</showtype><content></content><url></url><appattach><totallen>{full}</totallen><attachid>{}</attachid><fileext>{}</fileext></appattach><extinfo></extinfo></appmsg><fromusername>{}</fromusername><scene>0</scene></msg>",
                escape(&media.file_name),
                escape(&media.media_id),
                escape(crate::media::extension(&media.file_name)),
                escape(from)
            ),
            json!({"AppMsgType": 6, "FileName": media.file_name, "FileSize": full.to_string(),
                "MediaId": media.media_id, "EncryFileName": media.encry_file_name}),
        ),
    };
    set(
        message(
            msg_id,
            from,
            to,
            kind.msg_type(),
            &escape(&content),
            created,
        ),
        fields,
    )
}

/// Escapes XML as the real server does in the `Content` of a friend request and of a recall
/// notice: `&`, `<` and `>`, the quotes kept (`&lt;msg fromusername="wxid_.."`).
fn escape_tags(xml: &str) -> String {
    xml.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A friend request (MsgType 37) from `fmessage` to `me`: `Content` the greeting XML the real
/// server sends (escaped), `RecommendInfo` with the request's `Ticket` and `OpCode` 2; the
/// message's own `Ticket` stays empty, as observed (the page uses `RecommendInfo.Ticket`).
pub(crate) fn friend_request(
    msg_id: u64,
    me: &str,
    r: &crate::ops::PendingRequest,
    wxid: &str,
    encrypt: &str,
    created: u64,
) -> Value {
    let xml = format!(
        "<msg fromusername=\"{wxid}\" encryptusername=\"{encrypt}\" fromnickname=\"{}\" content=\"{}\"  shortpy=\"\" imagestatus=\"3\" scene=\"30\" country=\"CN\" province=\"Guangdong\" city=\"Shenzhen\" sign=\"\" percard=\"1\" sex=\"1\" alias=\"\" weibo=\"\" weibonickname=\"\" albumflag=\"0\" albumstyle=\"0\" albumbgimgid=\"\" snsflag=\"1\" snsbgimgid=\"\" snsbgobjectid=\"0\" mhash=\"\" mfullhash=\"\" bigheadimgurl=\"\" smallheadimgurl=\"\" ticket=\"{}\" opcode=\"2\" googlecontact=\"\" qrticket=\"\" chatroomusername=\"\" sourceusername=\"\" sourcenickname=\"\"><brandlist count=\"0\" ver=\"680000000\"></brandlist></msg>",
        escape(&r.nick_name),
        escape(&r.greeting),
        escape(&r.ticket)
    );
    set(
        message(msg_id, "fmessage", me, 37, &escape_tags(&xml), created),
        json!({"RecommendInfo": {"UserName": r.user_name, "NickName": r.nick_name, "QQNum": 0,
            "Province": "广东", "City": "深圳", "Content": r.greeting, "Signature": "",
            "Alias": "", "Scene": 30, "VerifyFlag": 0, "AttrStatus": 233_765, "Sex": 1,
            "Ticket": r.ticket, "OpCode": 2}}),
    )
}

/// A system line (MsgType 10000) from `from` (a friend, a group) to `to`.
pub(crate) fn system(msg_id: u64, from: &str, to: &str, text: &str, created: u64) -> Value {
    message(msg_id, from, to, 10000, text, created)
}

/// A recall notice (MsgType 10002) of message `recalled` in the chat `session` (a wxid or
/// `<n>@chatroom`), from `from` to `to`, with the sender's prefix `@sender:<br/>` in a group:
/// `<sysmsg type="revokemsg"><revokemsg><session>..</session><oldmsgid>..</oldmsgid>
/// <msgid>{recalled}</msgid><replacemsg><![CDATA[..]]></replacemsg></revokemsg></sysmsg>`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn recall_notice(
    msg_id: u64,
    from: &str,
    to: &str,
    prefix: Option<&str>,
    session: &str,
    recalled: &str,
    replace: &str,
    created: u64,
) -> Value {
    let old = 1_000_000_000 + crate::ids::mix(recalled.parse().unwrap_or(0), 3) % 1_000_000_000;
    let xml = format!(
        "<sysmsg type=\"revokemsg\"><revokemsg><session>{session}</session><oldmsgid>{old}</oldmsgid><msgid>{recalled}</msgid><replacemsg><![CDATA[{replace}]]></replacemsg></revokemsg></sysmsg>"
    );
    let content = match prefix {
        Some(p) => format!("{p}:<br/>{}", escape_tags(&xml)),
        None => escape_tags(&xml),
    };
    message(msg_id, from, to, 10002, &content, created)
}

/// One article of an official account's push (an `<item>` of `<mmreader>`).
#[derive(Clone, Debug)]
pub(crate) struct Article {
    pub(crate) title: String,
    pub(crate) url: String,
    /// Unix seconds.
    pub(crate) pub_time: u64,
    pub(crate) cover: String,
    pub(crate) digest: String,
}

/// `count` articles of a push numbered `n`, made from `seed`.
pub(crate) fn articles(seed: u64, n: u64, count: usize, pub_time: u64) -> Vec<Article> {
    (0..count as u64)
        .map(|i| {
            let h = |k: u64, len: usize| crate::ids::hex(seed, n * 100 + i * 10 + k, len);
            Article {
                title: format!("第{}期：模拟文章{}", n + 1, i + 1),
                url: format!(
                    "https://mp.weixin.qq.com/s?__biz=MzA{}==&mid={}&idx={}&sn={}#rd",
                    h(1, 10),
                    2_650_000_000 + n,
                    i + 1,
                    h(2, 32)
                ),
                pub_time: pub_time.saturating_sub(i * 60),
                cover: format!("https://mmbiz.qpic.cn/mmbiz_jpg/{}/0?wx_fmt=jpeg", h(3, 40)),
                digest: format!("摘要{} & 导读", i + 1),
            }
        })
        .collect()
}

/// An official account's article push (MsgType 49, `AppMsgType` 5) from `from` (its wxid
/// `gh_id`, its nick name `nick`) to `to`: the appmsg of the first article with
/// `<mmreader><category count="N"><item>..</item>..</category></mmreader>`.
pub(crate) fn article_push(
    msg_id: u64,
    (from, gh_id, nick): (&str, &str, &str),
    to: &str,
    items: &[Article],
    created: u64,
) -> Value {
    let first = items.first();
    let field = |f: fn(&Article) -> &str| first.map(f).map(escape).unwrap_or_default();
    let nick_x = escape(nick);
    let list: String = items
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "<item><itemshowtype>0</itemshowtype><title>{}</title><url>{}</url><shorturl></shorturl><longurl></longurl><pub_time>{}</pub_time><cover>{}</cover><tweetid></tweetid><digest>{}</digest><fileid>{}</fileid><sources><source><name>{nick_x}</name></source></sources><styles></styles><native_url></native_url><del_flag>0</del_flag><contentattr>0</contentattr><play_length>0</play_length><play_url></play_url><player></player><template_op_type>0</template_op_type><weapp_username></weapp_username><weapp_path></weapp_path><weapp_version>0</weapp_version><weapp_state>0</weapp_state><music_source>0</music_source><pic_num>0</pic_num></item>",
                escape(&a.title),
                escape(&a.url),
                a.pub_time,
                escape(&a.cover),
                escape(&a.digest),
                100_000_000 + i
            )
        })
        .collect();
    let xml = format!(
        "<msg><appmsg appid=\"\" sdkver=\"0\"><title>{title}</title><des>{digest}</des><action></action><type>5</type><showtype>1</showtype><soundtype>0</soundtype><content></content><contentattr>0</contentattr><url>{url}</url><lowurl></lowurl><appattach><totallen>0</totallen><attachid></attachid><fileext></fileext></appattach><extinfo></extinfo><sourceusername></sourceusername><sourcedisplayname></sourcedisplayname><commenturl></commenturl><thumburl>{cover}</thumburl><mmreader><category type=\"20\" count=\"{count}\"><name>{nick_x}</name><topnew><cover>{cover}</cover><width>0</width><height>0</height><digest>{digest}</digest></topnew>{list}</category><publisher><username>{gh_id}</username><nickname>{nick_x}</nickname></publisher><template_header></template_header><template_detail></template_detail><forbid_forward>0</forbid_forward></mmreader></appmsg><fromusername>{gh_id}</fromusername><appinfo><version></version><appname></appname></appinfo></msg>",
        title = field(|a| &a.title),
        digest = field(|a| &a.digest),
        url = field(|a| &a.url),
        cover = field(|a| &a.cover),
        count = items.len()
    );
    set(
        message(msg_id, from, to, 49, &escape(&xml), created),
        json!({"AppMsgType": 5, "Url": first.map(|a| a.url.clone()).unwrap_or_default(),
            "FileName": first.map(|a| a.title.clone()).unwrap_or_default()}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ContactSpec;

    #[test]
    fn every_kind_is_well_formed_json() {
        let a = Account::generate(1, 0, &ContactSpec::default());
        let types: Vec<i64> = (0..KINDS)
            .map(|k| {
                generated(&a, k, 100 + k as u64, 1, 7)
                    .0
                    .get("MsgType")
                    .and_then(Value::as_i64)
                    .unwrap()
            })
            .collect();
        for t in [
            1, 3, 34, 37, 42, 43, 47, 49, 51, 62, 9999, 10000, 10002, 12345,
        ] {
            assert!(types.contains(&t), "{t}");
        }
    }

    #[test]
    fn media_messages_describe_their_bytes() {
        let a = Account::generate(1, 0, &ContactSpec::default());
        let mut kinds = vec![];
        for k in 0..2 * KINDS {
            let (msg, media) = generated(&a, k, 100 + k as u64, 1, k as u64);
            let Some(media) = media else {
                continue;
            };
            kinds.push(media.kind);
            assert_eq!(msg["MsgType"], media.kind.msg_type());
            assert_eq!(msg["FromUserName"].as_str(), Some(media.sender.as_str()));
            let len = media.full.len();
            let content = msg["Content"].as_str().unwrap();
            match media.kind {
                MediaKind::Image => {
                    assert_eq!(msg["ImgWidth"], media.width);
                    assert!(content.contains(&format!("length=&quot;{len}&quot;")));
                }
                MediaKind::Voice => {
                    assert_eq!(msg["VoiceLength"], media.voice_ms);
                    assert!(
                        content.contains(&format!("voicelength=&quot;{}&quot;", media.voice_ms))
                    );
                }
                MediaKind::Video | MediaKind::ShortVideo => {
                    assert_eq!(msg["PlayLength"], media.play_length);
                    assert!(media.media_id.starts_with("@crypt_"));
                    assert_eq!(msg["MediaId"].as_str(), Some(media.media_id.as_str()));
                    if media.kind == MediaKind::Video {
                        assert!(len > 1024 * 1024);
                    }
                }
                MediaKind::Sticker => assert_eq!(msg["ImgHeight"], media.height),
                MediaKind::File => {
                    assert_eq!(msg["AppMsgType"], 6);
                    assert_eq!(msg["FileSize"], len.to_string());
                    assert_eq!(msg["MediaId"].as_str(), Some(media.media_id.as_str()));
                    assert_eq!(
                        msg["EncryFileName"].as_str(),
                        Some(media.encry_file_name.as_str())
                    );
                    assert!(content.contains(&format!("&lt;totallen&gt;{len}&lt;/totallen&gt;")));
                    assert!(content.contains(&format!("&lt;attachid&gt;{}&lt;", media.media_id)));
                    let large = k < KINDS;
                    assert_eq!(len > 3 * 1024 * 1024, large, "{k}: {len}");
                }
            }
        }
        assert_eq!(kinds.len(), 12);
    }
}
