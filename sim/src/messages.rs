//! Messages in the server's shape (`AddMsgList` entries): generated ones cycling through every
//! MsgType, and injected ones.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]

use crate::account::Account;
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

/// The `k`-th generated message for `account` (kinds cycle), with id `msg_id`.
pub(crate) fn generated(account: &Account, k: usize, msg_id: u64, created: u64) -> Value {
    let me = account.user_name.as_str();
    let friend = account
        .friends
        .get(k % account.friends.len().max(1))
        .map_or("filehelper", String::as_str);
    let group = account.groups.iter().nth(k % account.groups.len().max(1));
    let n = k + 1;
    let m = |t: i64, content: &str| message(msg_id, friend, me, t, content, created);
    match k % KINDS {
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
        2 => set(
            m(
                3,
                &escape(
                    "<?xml version=\"1.0\"?>\n<msg><img length=\"20480\" cdnthumbwidth=\"120\" /></msg>",
                ),
            ),
            json!({"ImgWidth": 120, "ImgHeight": 90}),
        ),
        3 => set(
            m(34, &escape("<msg><voicemsg voicelength=\"3000\" /></msg>")),
            json!({"VoiceLength": 3000}),
        ),
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
        6 => set(m(43, ""), json!({"PlayLength": 15})),
        7 => m(
            47,
            &escape(
                "<msg><emoji md5=\"4b5f3a2e1d0c9b8a7f6e5d4c3b2a1f0e\" cdnurl=\"http://emoji.qpic.cn/wx_emoji/sim/\" len=\"2048\" /></msg>",
            ),
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
        10 => set(
            m(
                49,
                &escape(
                    "<msg><appmsg appid=\"wx6618f1cfc6c132f8\"><title>文件.pdf</title><type>6</type><appattach><totallen>204800</totallen><fileext>pdf</fileext></appattach></appmsg></msg>",
                ),
            ),
            json!({"AppMsgType": 6, "FileName": "文件.pdf", "FileSize": "204800"}),
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
        12 => set(m(62, ""), json!({"PlayLength": 8})),
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
    }
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
                generated(&a, k, 100 + k as u64, 1)
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
}
