//! Deterministic, realistic server answers for the benchmarks: a 20,000-contact account
//! (Chinese names, emoji spans, remark names, groups, official accounts) and a sync answer with
//! 100 mixed messages.

/// A small deterministic mixer (splitmix64).
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强"];

fn contact(i: u64) -> String {
    let v = mix(i);
    let user = format!("@{:016x}{:016x}", v, mix(v));
    let nick = format!(
        "{}{}{}",
        SURNAMES[(v % 8) as usize],
        GIVEN[((v >> 8) % 8) as usize],
        if i.is_multiple_of(5) {
            "<span class=\\\"emoji emoji1f600\\\"></span>"
        } else {
            ""
        }
    );
    // One contact in a hundred is a group (user name `@@…`), one an official account.
    let user = if i.is_multiple_of(100) {
        format!("@{user}")
    } else {
        user
    };
    let verify = if i % 100 == 1 { 24 } else { 0 };
    let members = 0;
    let remark = if i.is_multiple_of(3) {
        format!("备注{i}")
    } else {
        String::new()
    };
    format!(
        r#"{{"Uin":0,"UserName":"{user}","NickName":"{nick}","HeadImgUrl":"/cgi-bin/mmwebwx-bin/webwxgeticon?seq=6{i}&username={user}&skey=@crypt_3f9c1a2b_5d8e7f6a9b0c1d2e3f4a5b6c","ContactFlag":3,"MemberCount":{members},"MemberList":[],"RemarkName":"{remark}","HideInputBarFlag":0,"Sex":{sex},"Signature":"今天也要加油","VerifyFlag":{verify},"OwnerUin":0,"PYInitial":"WW","PYQuanPin":"wangwei","RemarkPYInitial":"","RemarkPYQuanPin":"","StarFriend":0,"AppAccountFlag":0,"Statues":0,"AttrStatus":{attr},"Province":"广东","City":"深圳","Alias":"","SnsFlag":17,"UniFriend":0,"DisplayName":"","ChatRoomId":0,"KeyWord":"","EncryChatRoomId":""}}"#,
        sex = v % 3,
        attr = v % 100_000,
    )
}

/// The `webwxinit` answer of the account.
pub(crate) fn init() -> Vec<u8> {
    let contacts: Vec<String> = (0..10).map(|i| contact(1_000_000 + i)).collect();
    format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"Count":10,"ContactList":[{}],"SyncKey":{{"Count":4,"List":[{{"Key":1,"Val":702345611}},{{"Key":2,"Val":702345679}},{{"Key":3,"Val":702345601}},{{"Key":1000,"Val":1763990000}}]}},"User":{{"Uin":2846173901,"UserName":"@5c1e0c8f2e1a4b7d9f3a6c2e8b4d0f1a","NickName":"小明","HeadImgUrl":"","RemarkName":"","Sex":1,"Signature":"","VerifyFlag":0,"ContactFlag":0,"SnsFlag":17}},"ChatSet":"filehelper,","SKey":"@crypt_3f9c1a2b_init","ClientVersion":654314291,"SystemTime":1764000001,"GrayScale":1,"InviteStartCount":40,"MPSubscribeMsgCount":0,"MPSubscribeMsgList":[],"ClickReportInterval":600000}}"#,
        contacts.join(",")
    )
    .into_bytes()
}

/// The `webwxgetcontact` pages of `total` contacts, `per_page` each.
pub(crate) fn contact_pages(total: u64, per_page: u64) -> Vec<Vec<u8>> {
    (0..total.div_ceil(per_page))
        .map(|p| {
            let from = p * per_page;
            let to = (from + per_page).min(total);
            let list: Vec<String> = (from..to).map(contact).collect();
            let seq = if to < total { to } else { 0 };
            format!(r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"MemberCount":{},"MemberList":[{}],"Seq":{seq}}}"#, to - from, list.join(","))
                .into_bytes()
        })
        .collect()
}

/// A `webwxsync` answer with `n` mixed messages (texts with entities and emoji, group texts,
/// links, files, images, system messages, recalls).
pub(crate) fn sync(n: u64, first_id: u64) -> Vec<u8> {
    let msgs: Vec<String> = (0..n)
        .map(|i| {
            let id = first_id + i;
            let (t, app, from, content) = match i % 6 {
                0 => (1, 0, "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e", format!("第{i}条 &lt;你好&gt; &amp; 早<br/>二<span class=\\\"emoji emoji1f1e81f1f3\\\"></span>")),
                1 => (1, 0, "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a", format!("@e1f3a5c7b9d2f4a6c8e0b1d3f5a7c9e2:<br/>@小明\u{2005}群消息{i}")),
                2 => (49, 5, "@c4e6b8d0f2a1c3e5b7d9f1a3c5e7b9d0", "&lt;msg&gt;&lt;appmsg appid=\\\"\\\"&gt;&lt;title&gt;标题 &amp;amp; 新闻&lt;/title&gt;&lt;des&gt;摘要&lt;/des&gt;&lt;type&gt;5&lt;/type&gt;&lt;url&gt;https://mp.weixin.qq.com/s?id=1&amp;amp;x=2&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;".to_string()),
                3 => (3, 0, "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e", "&lt;?xml version=\\\"1.0\\\"?&gt;&lt;msg&gt;&lt;img length=\\\"20480\\\" /&gt;&lt;/msg&gt;".to_string()),
                4 => (10000, 0, "@@7b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a", "\\\"妈妈\\\"邀请\\\"鲍勃\\\"加入了群聊".to_string()),
                _ => (10002, 0, "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e", "&lt;sysmsg type=\\\"revokemsg\\\"&gt;&lt;revokemsg&gt;&lt;oldmsgid&gt;167&lt;/oldmsgid&gt;&lt;replacemsg&gt;&lt;![CDATA[\\\"鲍勃\\\" 撤回了一条消息]]&gt;&lt;/replacemsg&gt;&lt;/revokemsg&gt;&lt;/sysmsg&gt;".to_string()),
            };
            format!(
                r#"{{"MsgId":"{id}","FromUserName":"{from}","ToUserName":"@5c1e0c8f2e1a4b7d9f3a6c2e8b4d0f1a","MsgType":{t},"Content":"{content}","Status":3,"ImgStatus":1,"CreateTime":1764000100,"VoiceLength":0,"PlayLength":0,"FileName":"","FileSize":"","MediaId":"","Url":"","AppMsgType":{app},"StatusNotifyCode":0,"StatusNotifyUserName":"","RecommendInfo":{{"UserName":"","NickName":"","QQNum":0,"Province":"","City":"","Content":"","Signature":"","Alias":"","Scene":0,"VerifyFlag":0,"AttrStatus":0,"Sex":0,"Ticket":"","OpCode":0}},"ForwardFlag":0,"AppInfo":{{"AppID":"","Type":0}},"HasProductId":0,"Ticket":"","ImgHeight":0,"ImgWidth":0,"SubMsgType":0,"NewMsgId":{id}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"BaseResponse":{{"Ret":0,"ErrMsg":""}},"AddMsgCount":{n},"AddMsgList":[{}],"ModContactCount":0,"ModContactList":[],"DelContactCount":0,"DelContactList":[],"ModChatRoomMemberCount":0,"ModChatRoomMemberList":[],"Profile":{{"BitFlag":0,"UserName":{{"Buff":""}},"NickName":{{"Buff":""}},"Signature":""}},"ContinueFlag":0,"SyncKey":{{"Count":2,"List":[{{"Key":1,"Val":702345700}},{{"Key":2,"Val":1}}]}},"SyncCheckKey":{{"Count":2,"List":[{{"Key":1,"Val":702345700}},{{"Key":2,"Val":1}}]}},"SKey":""}}"#,
        msgs.join(",")
    )
    .into_bytes()
}
