//! The account's own operations (`/work/notes/ops16.md`), driven with raw HTTP as the official
//! page sends them: revoke, friend requests, remark and pin, groups, search, @-mentions, and the
//! admin API's friend requests, recalls and article pushes. Each checks what the simulator
//! recorded, what the next webwxsync delivers, each refusal, and the deviations noted for each
//! departure from the official requests.
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
use std::time::Duration;
use webwx_sim::{AccountInfo, Scenario, SessionInfo, Simulator};

fn scenario() -> Scenario {
    let mut s = quick();
    s.contact_events.clear();
    s
}

fn info(sim: &Simulator, uin: u64) -> SessionInfo {
    sim.sessions().into_iter().find(|s| s.uin == uin).unwrap()
}

/// The page's `htmlDecode`.
fn html_decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A JSON object with its keys in the given order, from the values' JSON texts
/// (`serde_json::Value` sorts keys).
fn ordered(pairs: &[(&str, String)]) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A value's JSON text.
fn j(v: Value) -> String {
    v.to_string()
}

/// One official page logged in and initialised, with its own user name and sync position, and
/// the deviations seen so far.
struct Page<'a> {
    sim: &'a Simulator,
    b: Browser,
    l: Login,
    me: String,
    key: std::cell::RefCell<Value>,
    init: Value,
    seen: std::cell::Cell<usize>,
}

impl<'a> Page<'a> {
    async fn open(sim: &'a Simulator) -> Page<'a> {
        let b = Browser::new(&sim.base_url());
        let l = b.login().await;
        let init = b.init(&l).await;
        assert_eq!(init["BaseResponse"]["Ret"], 0);
        Page {
            sim,
            me: init["User"]["UserName"].as_str().unwrap().to_string(),
            key: std::cell::RefCell::new(init["SyncKey"].clone()),
            init,
            b,
            l,
            seen: std::cell::Cell::new(0),
        }
    }

    fn uin(&self) -> u64 {
        self.l.uin
    }

    fn account(&self) -> AccountInfo {
        self.sim.account(self.uin()).unwrap()
    }

    fn friends(&self) -> Vec<String> {
        info(self.sim, self.uin()).friends
    }

    fn groups(&self) -> Vec<String> {
        info(self.sim, self.uin()).groups
    }

    /// The official BaseRequest (a new DeviceID, the Uin a number).
    fn base(&self) -> Value {
        self.b.base_request(&self.l)
    }

    /// Posts `body` to `endpoint` with the query `before` + lang + pass_ticket, as Angular does.
    async fn post(&self, endpoint: &str, before: &str, body: Vec<u8>) -> Value {
        let path = self.b.api(&self.l, endpoint, before);
        let headers = Browser::with_cookies(self.b.angular_headers(true), &self.l);
        send(&self.b.base, "POST", &path, &headers, body)
            .await
            .unwrap()
            .json()
    }

    /// The next webwxsync's answer.
    async fn sync(&self) -> Value {
        let key = self.key.borrow().clone();
        let answer = self.b.sync(&self.l, &key).await;
        assert_eq!(answer["BaseResponse"]["Ret"], 0, "{answer}");
        *self.key.borrow_mut() = answer["SyncKey"].clone();
        answer
    }

    /// Asserts that the deviations noted since the last call are exactly `wanted` (each given
    /// by its beginning).
    #[track_caller]
    fn expect(&self, wanted: &[&str]) {
        let all = info(self.sim, self.uin()).deviations;
        let new = &all[self.seen.get()..];
        assert_eq!(new.len(), wanted.len(), "wanted {wanted:?}, noted {new:?}");
        for (n, w) in new.iter().zip(wanted) {
            assert!(n.starts_with(w), "wanted {w:?}, noted {n:?}");
        }
        self.seen.set(all.len());
    }

    /// A text as the page sends it; returns the answer and the LocalID.
    async fn text(&self, to: &str, text: &str) -> (Value, String) {
        let body = self.b.text_body(&self.l, &self.me, to, text);
        let id = body["Msg"]["LocalID"].as_str().unwrap().to_string();
        let path = self.b.api(&self.l, "webwxsendmsg", "");
        (self.b.post(&self.l, &path, &body).await.json(), id)
    }

    /// webwxrevokemsg as `revokemsg` posts it.
    async fn revoke(&self, svr: &str, to: &str, client: &str) -> Value {
        let body = ordered(&[
            ("BaseRequest", j(self.base())),
            ("SvrMsgId", j(json!(svr))),
            ("ToUserName", j(json!(to))),
            ("ClientMsgId", j(json!(client))),
        ]);
        self.post("webwxrevokemsg", "", body.into_bytes()).await
    }

    /// webwxverifyuser's body as `contactFactory.verifyUser` posts it.
    fn verify_body(&self, opcode: i64, user: &str, ticket: &str, content: &str) -> String {
        let entry = ordered(&[
            ("Value", j(json!(user))),
            ("VerifyUserTicket", j(json!(ticket))),
        ]);
        ordered(&[
            ("BaseRequest", j(self.base())),
            ("Opcode", j(json!(opcode))),
            ("VerifyUserListSize", j(json!(1))),
            ("VerifyUserList", format!("[{entry}]")),
            ("VerifyContent", j(json!(content))),
            ("SceneListCount", j(json!(1))),
            ("SceneList", j(json!([33]))),
            ("skey", j(json!(self.l.skey))),
        ])
    }

    async fn verify(&self, opcode: i64, user: &str, ticket: &str, content: &str) -> Value {
        let body = self.verify_body(opcode, user, ticket, content);
        self.post(
            "webwxverifyuser",
            &format!("r={}&", now_ms()),
            body.into_bytes(),
        )
        .await
    }

    /// webwxoplog: a remark (`save`) or a pin (`setTopContact`), BaseRequest last.
    async fn oplog(&self, user: &str, pin: Option<bool>, remark: Option<&str>) -> Value {
        let mut pairs = vec![("UserName", j(json!(user)))];
        match pin {
            None => pairs.push(("CmdId", j(json!(2)))),
            Some(on) => {
                pairs.push(("CmdId", j(json!(3))));
                pairs.push(("OP", j(json!(i64::from(on)))));
            }
        }
        if let Some(r) = remark {
            pairs.push(("RemarkName", j(json!(r))));
        }
        pairs.push(("BaseRequest", j(self.base())));
        self.post("webwxoplog", "", ordered(&pairs).into_bytes())
            .await
    }

    /// webwxcreatechatroom as `chatroomFactory.create` posts it.
    async fn create(&self, members: &[String]) -> Value {
        let list: Vec<String> = members
            .iter()
            .map(|m| ordered(&[("UserName", j(json!(m)))]))
            .collect();
        let body = ordered(&[
            ("MemberCount", j(json!(members.len()))),
            ("MemberList", format!("[{}]", list.join(","))),
            ("Topic", j(json!(""))),
            ("BaseRequest", j(self.base())),
        ]);
        self.post(
            "webwxcreatechatroom",
            &format!("r={}&", now_ms()),
            body.into_bytes(),
        )
        .await
    }

    /// webwxupdatechatroom as `chatroomFactory._update` posts it: `{<key>: value, ChatRoomName,
    /// BaseRequest}` (no key to quit).
    async fn update(&self, fun: &str, room: &str, key: Option<(&str, Value)>) -> Value {
        let mut pairs = vec![];
        if let Some((k, v)) = key {
            pairs.push((k, j(v)));
        }
        pairs.push(("ChatRoomName", j(json!(room))));
        pairs.push(("BaseRequest", j(self.base())));
        self.post(
            "webwxupdatechatroom",
            &format!("fun={fun}&"),
            ordered(&pairs).into_bytes(),
        )
        .await
    }

    /// webwxsearchcontact as `remoteSearch` posts it.
    async fn search(&self, keyword: &str) -> Value {
        let body = ordered(&[
            ("BaseRequest", j(self.base())),
            ("KeyWord", j(json!(keyword))),
        ]);
        self.post("webwxsearchcontact", "", body.into_bytes()).await
    }
}

fn ret(v: &Value) -> (i64, String) {
    (
        v["BaseResponse"]["Ret"].as_i64().unwrap(),
        v["BaseResponse"]["ErrMsg"].as_str().unwrap().to_string(),
    )
}

fn list<'v>(answer: &'v Value, key: &str) -> &'v [Value] {
    answer[key].as_array().unwrap()
}

/// The name the account sees for each contact: its remark, else its nick name.
async fn seen_names(p: &Page<'_>) -> std::collections::HashMap<String, String> {
    p.b.contacts(&p.l)
        .await
        .into_iter()
        .map(|c| {
            let remark = c["RemarkName"].as_str().unwrap();
            let nick = c["NickName"].as_str().unwrap();
            let name = if remark.is_empty() { nick } else { remark };
            (
                c["UserName"].as_str().unwrap().to_string(),
                name.to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_revoke_of_an_own_message_is_recorded_and_comes_back_as_a_recall_notice() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let friend = p.friends()[1].clone();
    let (sent, local) = p.text(&friend, "说错了").await;
    let id = sent["MsgID"].as_str().unwrap().to_string();
    p.sync().await;

    let answer = p.revoke(&id, &friend, &local).await;
    assert_eq!(
        answer,
        json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "Introduction": "", "SysWording": ""})
    );
    let sent_record = |id: &str| {
        sim.sent(p.uin())
            .unwrap()
            .into_iter()
            .find(|m| m.msg_id == id)
            .unwrap()
    };
    assert!(sent_record(&id).revoked);
    assert_eq!(p.account().revoked, std::slice::from_ref(&id));
    let s = p.sync().await;
    let msgs = list(&s, "AddMsgList");
    assert_eq!(msgs.len(), 1, "{s}");
    let n = &msgs[0];
    assert_eq!(n["MsgType"], 10002);
    assert_eq!(n["FromUserName"].as_str(), Some(p.me.as_str()));
    assert_eq!(n["ToUserName"].as_str(), Some(friend.as_str()));
    let raw = n["Content"].as_str().unwrap();
    assert!(!raw.contains('<'), "escaped: {raw}");
    let content = html_decode(raw);
    assert!(
        content.starts_with("<sysmsg type=\"revokemsg\"><revokemsg><session>wxid_"),
        "{content}"
    );
    assert!(content.contains(&format!("</oldmsgid><msgid>{id}</msgid>")));
    assert!(content.contains("<replacemsg><![CDATA[你撤回了一条消息]]></replacemsg>"));
    p.expect(&[]);

    // Refused: again; a message the account received; the wrong chat.
    assert_eq!(
        ret(&p.revoke(&id, &friend, &local).await),
        (1, "message already revoked".into())
    );
    let received = sim
        .inject_text(p.uin(), Some(&friend), "别撤回我的")
        .unwrap();
    assert_eq!(
        ret(&p.revoke(&received, &friend, &local).await),
        (1, "not a message this account sent".into())
    );
    let (other, other_local) = p.text(&friend, "第二条").await;
    let other = other["MsgID"].as_str().unwrap().to_string();
    assert_eq!(
        ret(&p.revoke(&other, "filehelper", &other_local).await),
        (1, "ToUserName is not the message's chat".into())
    );
    assert!(!sent_record(&other).revoked);
    p.expect(&[]);

    // Peers' departures, accepted: a fresh ClientMsgId (wechat4u); keys sorted, no lang or
    // pass_ticket, to filehelper.
    assert_eq!(ret(&p.revoke(&other, &friend, &p.b.local_id()).await).0, 0);
    p.expect(&["revoke: webwxrevokemsg ClientMsgId not the message's LocalID (official: the LocalID it was sent with)"]);
    let (memo, memo_local) = p.text("filehelper", "备忘").await;
    let body = json!({"BaseRequest": p.base(), "ClientMsgId": memo_local,
        "SvrMsgId": memo["MsgID"], "ToUserName": "filehelper"});
    let headers = Browser::with_cookies(p.b.angular_headers(true), &p.l);
    let r = post_json(
        &p.b.base,
        "/cgi-bin/mmwebwx-bin/webwxrevokemsg",
        &headers,
        &body,
    )
    .await
    .json();
    assert_eq!(ret(&r).0, 0);
    p.expect(&[
        "params: webwxrevokemsg sent nothing (official: lang,pass_ticket)",
        "pass-ticket: webwxrevokemsg without it",
        "revoke: webwxrevokemsg body keys BaseRequest,ClientMsgId,SvrMsgId,ToUserName (official: BaseRequest,SvrMsgId,ToUserName,ClientMsgId)",
        "revoke: webwxrevokemsg of a message to filehelper (official: not offered there)",
    ]);
    assert_eq!(p.account().revoked.len(), 3);
}

#[tokio::test]
async fn a_revoke_past_the_window_is_refused() {
    let mut s = scenario();
    s.revoke_window_ms = 100;
    let sim = Simulator::start(s).await.unwrap();
    let p = Page::open(&sim).await;
    let friend = p.friends()[0].clone();
    let (sent, local) = p.text(&friend, "晚了").await;
    let id = sent["MsgID"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        ret(&p.revoke(&id, &friend, &local).await),
        (-1, "message too old to revoke".into())
    );
    assert!(p.account().revoked.is_empty());
    assert!(list(&p.sync().await, "AddMsgList").is_empty());
    p.expect(&[]);
}

#[tokio::test]
async fn a_friend_recalls_a_message_it_sent() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let uin = p.uin();
    let friend = p.friends()[0].clone();
    let group = p.groups()[0].clone();
    let room = p.init["ContactList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["UserName"] == group.as_str())
        .unwrap()
        .clone();
    let member = room["MemberList"][1]["UserName"]
        .as_str()
        .unwrap()
        .to_string();
    let id = sim.inject_text(uin, Some(&friend), "我要撤回").unwrap();
    let gid = sim
        .inject(uin, Some(&group), 1, &format!("{member}:<br/>群里说错了"))
        .unwrap();
    let notice = sim.recall(uin, &id).unwrap();
    let group_notice = sim.recall(uin, &gid).unwrap();
    assert!(sim.recall(uin, "1").is_none(), "no such message");
    let (mine, _) = p.text(&friend, "我的").await;
    assert!(
        sim.recall(uin, mine["MsgID"].as_str().unwrap()).is_none(),
        "the account's own message is not a friend's to recall"
    );
    assert_eq!(p.account().recalled, [id.clone(), gid.clone()]);

    let s = p.sync().await;
    let find = |id: &str| {
        list(&s, "AddMsgList")
            .iter()
            .find(|m| m["MsgId"] == id)
            .unwrap()
            .clone()
    };
    let n = find(&notice);
    assert_eq!(n["MsgType"], 10002);
    assert_eq!(n["FromUserName"].as_str(), Some(friend.as_str()));
    assert_eq!(n["ToUserName"].as_str(), Some(p.me.as_str()));
    let content = html_decode(n["Content"].as_str().unwrap());
    assert!(
        content.contains(&format!("<msgid>{id}</msgid>")),
        "{content}"
    );
    assert!(
        content.contains("撤回了一条消息]]></replacemsg>"),
        "{content}"
    );
    let g = find(&group_notice);
    assert_eq!(g["FromUserName"].as_str(), Some(group.as_str()));
    let raw = g["Content"].as_str().unwrap();
    assert!(
        raw.starts_with(&format!("{member}:<br/>&lt;sysmsg type=\"revokemsg\"&gt;")),
        "{raw}"
    );
    let content = html_decode(raw);
    assert!(content.contains("@chatroom</session>"), "{content}");
    assert!(
        content.contains(&format!("<msgid>{gid}</msgid>")),
        "{content}"
    );

    // The same through the admin API.
    let again = sim.inject_text(uin, Some(&friend), "再撤回").unwrap();
    let r = post_json(
        &sim.base_url(),
        &format!("/__sim/sessions/{uin}/recall"),
        &[],
        &json!({"msg_id": again}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["MsgId"].is_string());
    let r = post_json(
        &sim.base_url(),
        &format!("/__sim/sessions/{uin}/recall"),
        &[],
        &json!({"msg_id": "42"}),
    )
    .await;
    assert_eq!(r.status, 404);
    p.expect(&[]);
}

#[tokio::test]
async fn friend_requests_arrive_and_are_accepted_with_their_ticket() {
    let mut s = scenario();
    s.friend_requests = 1;
    let sim = Simulator::start(s).await.unwrap();
    let p = Page::open(&sim).await;
    let uin = p.uin();
    let first = p.sync().await;
    let requests: Vec<&Value> = list(&first, "AddMsgList")
        .iter()
        .filter(|m| m["MsgType"] == 37)
        .collect();
    assert_eq!(requests.len(), 1, "{first}");
    let m = requests[0];
    let pending = p.account().pending_requests;
    assert_eq!(pending.len(), 1);
    let r = pending[0].clone();
    assert_eq!(m["FromUserName"], "fmessage");
    assert_eq!(m["MsgId"].as_str(), Some(r.msg_id.as_str()));
    assert_eq!(m["Ticket"], "", "the page uses RecommendInfo.Ticket");
    let info = &m["RecommendInfo"];
    assert_eq!(info["UserName"].as_str(), Some(r.user_name.as_str()));
    assert_eq!(info["NickName"].as_str(), Some(r.nick_name.as_str()));
    assert_eq!(info["Ticket"].as_str(), Some(r.ticket.as_str()));
    assert_eq!(info["Content"].as_str(), Some(r.greeting.as_str()));
    assert_eq!(info["OpCode"], 2);
    for key in [
        "QQNum",
        "Province",
        "City",
        "Signature",
        "Alias",
        "Scene",
        "VerifyFlag",
        "AttrStatus",
        "Sex",
    ] {
        assert!(info.get(key).is_some(), "{key}");
    }
    let content = html_decode(m["Content"].as_str().unwrap());
    assert!(
        content.starts_with("<msg fromusername=\"wxid_"),
        "{content}"
    );
    assert!(content.contains(" encryptusername=\"v1_"), "{content}");
    assert!(
        content.contains(&format!(" ticket=\"{}\"", r.ticket)),
        "{content}"
    );
    assert!(
        content.contains(&format!(" content=\"{}\"", r.greeting)),
        "{content}"
    );

    // More through the admin API.
    let second: Value = post_json(
        &sim.base_url(),
        &format!("/__sim/sessions/{uin}/friend_requests"),
        &[],
        &json!({}),
    )
    .await
    .json();
    assert!(second["user_name"].as_str().unwrap().starts_with('@'));
    let third = sim.inject_friend_request(uin).unwrap();
    assert_eq!(p.account().pending_requests.len(), 3);

    // Refused: the wrong ticket; nobody's request.
    assert_eq!(
        ret(&p.verify(3, &r.user_name, "v2_wrong@stranger", "").await),
        (1, "user ticket invalid".into())
    );
    assert_eq!(
        ret(&p.verify(3, &p.friends()[0], "", "").await),
        (1, "no pending friend request from this user".into())
    );
    assert!(!p.friends().contains(&r.user_name));
    p.expect(&[]);

    // Accepted: a friend, announced with its 10000 line.
    assert_eq!(
        p.verify(3, &r.user_name, &r.ticket, "").await,
        json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}})
    );
    assert!(p.friends().contains(&r.user_name));
    assert!(
        p.account()
            .pending_requests
            .iter()
            .all(|q| q.user_name != r.user_name)
    );
    let s = p.sync().await;
    let c = list(&s, "ModContactList")
        .iter()
        .find(|c| c["UserName"] == r.user_name.as_str())
        .unwrap();
    assert_eq!(c["ContactFlag"], 3);
    assert_eq!(c["NickName"].as_str(), Some(r.nick_name.as_str()));
    let line = list(&s, "AddMsgList")
        .iter()
        .find(|m| m["MsgType"] == 10000)
        .unwrap();
    assert_eq!(line["FromUserName"].as_str(), Some(r.user_name.as_str()));
    assert_eq!(line["ToUserName"].as_str(), Some(p.me.as_str()));
    assert_eq!(
        line["Content"].as_str().unwrap(),
        format!("你已添加了{}，现在可以开始聊天了。", r.nick_name)
    );
    assert_eq!(
        ret(&p.verify(3, &r.user_name, &r.ticket, "").await),
        (1, "no pending friend request from this user".into())
    );

    // A request sent (Opcode 2), recorded; none to a friend.
    let stranger = "@0123456789abcdef0123456789abcdef";
    let hello = format!("我是{}", info_nick(&p));
    assert_eq!(ret(&p.verify(2, stranger, "", &hello).await).0, 0);
    let outgoing = p.account().outgoing_requests;
    assert_eq!(outgoing.len(), 1);
    assert_eq!(
        (
            outgoing[0].user_name.as_str(),
            outgoing[0].verify_content.as_str()
        ),
        (stranger, hello.as_str())
    );
    assert_eq!(
        ret(&p.verify(2, &r.user_name, "", &hello).await),
        (1, "already a friend".into())
    );
    p.expect(&[]);

    // ItChat's accept: SceneList a bare number, r in seconds: accepted.
    let body = p
        .verify_body(3, &third.user_name, &third.ticket, "")
        .replace("\"SceneList\":[33]", "\"SceneList\":33");
    let r2 = p
        .post(
            "webwxverifyuser",
            &format!("r={}&", now_ms() / 1000),
            body.into_bytes(),
        )
        .await;
    assert_eq!(ret(&r2).0, 0);
    p.expect(&[
        "params: webwxverifyuser r is not 13-digit ms (official: Date.now())",
        "verify: webwxverifyuser SceneList 33 (official: [33], ADDSCENE_PF_WEB)",
    ]);
    // Another session's skey in the body: refused.
    let second_name = second["user_name"].as_str().unwrap();
    let second_ticket = second["ticket"].as_str().unwrap();
    let body = p.verify_body(3, second_name, second_ticket, "").replace(
        &format!("\"skey\":\"{}\"", p.l.skey),
        "\"skey\":\"@crypt_0_0\"",
    );
    let r3 = p
        .post(
            "webwxverifyuser",
            &format!("r={}&", now_ms()),
            body.into_bytes(),
        )
        .await;
    assert_eq!(ret(&r3), (1, "skey mismatch".into()));
    p.expect(&[
        "verify: webwxverifyuser skey not the session's (official: the session's skey, raw)",
    ]);
    assert!(!p.friends().contains(&second_name.to_string()));
}

fn info_nick(p: &Page<'_>) -> String {
    p.init["User"]["NickName"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn remarks_and_pins_change_the_contact_and_come_through_sync() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let friend = p.friends()[1].clone();
    let one = |s: &Value, name: &str| {
        let l = list(s, "ModContactList");
        assert_eq!(l.len(), 1, "{s}");
        assert_eq!(l[0]["UserName"].as_str(), Some(name));
        l[0].clone()
    };

    assert_eq!(
        p.oplog(&friend, None, Some("老同学")).await,
        json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}})
    );
    let c = one(&p.sync().await, &friend);
    assert_eq!(c["RemarkName"], "老同学");
    assert_eq!(c["ContactFlag"], 3);
    assert_eq!(p.account().remarks[&friend], "老同学");

    assert_eq!(
        ret(&p.oplog(&friend, Some(true), Some("老同学")).await).0,
        0
    );
    let c = one(&p.sync().await, &friend);
    assert_eq!(c["ContactFlag"], 3 | 0x800);
    assert_eq!(c["RemarkName"], "老同学");
    assert_eq!(p.account().pinned, std::slice::from_ref(&friend));
    assert_eq!(
        ret(&p.oplog(&friend, Some(false), Some("老同学")).await).0,
        0
    );
    assert_eq!(one(&p.sync().await, &friend)["ContactFlag"], 3);
    assert!(p.account().pinned.is_empty());

    // A group pinned: the group with its members and owner.
    let group = p.groups()[0].clone();
    assert_eq!(ret(&p.oplog(&group, Some(true), Some("")).await).0, 0);
    let g = one(&p.sync().await, &group);
    assert_eq!(g["ContactFlag"], 2 | 0x800);
    assert_eq!(g["ChatRoomOwner"].as_str(), Some(p.me.as_str()));
    assert!(!g["MemberList"].as_array().unwrap().is_empty());
    let info = p.account();
    assert!(info.groups.iter().any(|x| x.user_name == group && x.pinned));
    assert_eq!(info.pinned, std::slice::from_ref(&group), "once");
    p.expect(&[]);

    // Refused: nobody.
    assert_eq!(
        ret(&p.oplog("@nobody", None, Some("x")).await),
        (1, "no such contact".into())
    );
    p.expect(&[]);

    // A pin without RemarkName clears the remark (wechat4u's note on the real server).
    assert_eq!(ret(&p.oplog(&friend, Some(true), None).await).0, 0);
    let c = one(&p.sync().await, &friend);
    assert_eq!(c["RemarkName"], "");
    assert_eq!(c["ContactFlag"], 3 | 0x800);
    assert!(!p.account().remarks.contains_key(&friend));
    p.expect(&["oplog: webwxoplog a pin without RemarkName (official: the contact's RemarkName; without it the server clears the remark)"]);

    // A remark longer than the page's 18 characters; BaseRequest first.
    let long = "一二三四五六七八九十一二三四五六七八九";
    assert_eq!(ret(&p.oplog(&friend, None, Some(long)).await).0, 0);
    p.expect(&["oplog: webwxoplog RemarkName longer than 18 characters (official: cut to 18)"]);
    let body = ordered(&[
        ("BaseRequest", j(p.base())),
        ("UserName", j(json!(friend))),
        ("CmdId", j(json!(2))),
        ("RemarkName", j(json!("x"))),
    ]);
    assert_eq!(ret(&p.post("webwxoplog", "", body.into_bytes()).await).0, 0);
    p.expect(&["oplog: webwxoplog CmdId 2 body keys BaseRequest,UserName,CmdId,RemarkName (official: UserName,CmdId,RemarkName,BaseRequest)"]);
    assert_eq!(p.account().remarks[&friend], "x");
}

#[tokio::test]
async fn groups_are_created_changed_and_left() {
    let mut s = scenario();
    s.contacts.friends = 45;
    let sim = Simulator::start(s).await.unwrap();
    let p = Page::open(&sim).await;
    let names = seen_names(&p).await;
    let f = p.friends();
    let me = p.me.clone();

    // Created with two friends, owned by the account.
    let created = p.create(&f[0..2]).await;
    assert_eq!(ret(&created).0, 0, "{created}");
    let room = created["ChatRoomName"].as_str().unwrap().to_string();
    assert!(room.starts_with("@@"));
    assert_eq!(created["MemberCount"], 3);
    let members: Vec<&str> = list(&created, "MemberList")
        .iter()
        .map(|m| m["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(members, [me.as_str(), f[0].as_str(), f[1].as_str()]);
    assert!(
        list(&created, "MemberList")
            .iter()
            .all(|m| m["MemberStatus"] == 0)
    );
    assert_eq!(created["Topic"], "");
    let s = p.sync().await;
    let g = &list(&s, "ModContactList")[0];
    assert_eq!(g["UserName"].as_str(), Some(room.as_str()));
    assert_eq!(g["ChatRoomOwner"].as_str(), Some(me.as_str()));
    assert_eq!(g["MemberCount"], 3);
    let line = |s: &Value| {
        let l: Vec<&Value> = list(s, "AddMsgList")
            .iter()
            .filter(|m| m["MsgType"] == 10000)
            .collect();
        assert_eq!(l.len(), 1, "{s}");
        assert_eq!(l[0]["FromUserName"].as_str(), Some(room.as_str()));
        l[0]["Content"].as_str().unwrap().to_string()
    };
    assert_eq!(
        line(&s),
        format!("你邀请\"{}、{}\"加入了群聊", names[&f[0]], names[&f[1]])
    );
    let info = p.account();
    let gi = info.groups.iter().find(|g| g.user_name == room).unwrap();
    assert!(gi.is_owner);
    assert_eq!(gi.owner, me);
    assert_eq!(gi.members, [me.clone(), f[0].clone(), f[1].clone()]);

    // Added, removed, renamed.
    let add = p
        .update("addmember", &room, Some(("AddMemberList", json!(f[2]))))
        .await;
    assert_eq!(ret(&add).0, 0);
    assert_eq!(add["MemberCount"], 4);
    let s = p.sync().await;
    assert_eq!(list(&s, "ModContactList")[0]["MemberCount"], 4);
    assert_eq!(line(&s), format!("你邀请\"{}\"加入了群聊", names[&f[2]]));
    let del = p
        .update("delmember", &room, Some(("DelMemberList", json!(f[2]))))
        .await;
    assert_eq!(ret(&del).0, 0);
    assert_eq!(del["MemberCount"], 3);
    let s = p.sync().await;
    assert_eq!(
        list(&s, "ModContactList")[0]["MemberList"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(line(&s), format!("你将\"{}\"移出了群聊", names[&f[2]]));
    let topic = p
        .update("modtopic", &room, Some(("NewTopic", json!("周末聚餐"))))
        .await;
    assert_eq!(ret(&topic).0, 0);
    let s = p.sync().await;
    assert_eq!(list(&s, "ModContactList")[0]["NickName"], "周末聚餐");
    assert_eq!(line(&s), "你修改群名为“周末聚餐”");
    let info = p.account();
    assert_eq!(
        info.groups
            .iter()
            .find(|g| g.user_name == room)
            .unwrap()
            .topic,
        "周末聚餐"
    );
    p.expect(&[]);

    // Refused: strangers, too few, members already there or not there, not the owner.
    let stranger = "@0123456789abcdef0123456789abcdef";
    let (code, message) = ret(&p.create(&[f[3].clone(), stranger.to_string()]).await);
    assert_eq!(code, 1);
    assert!(message.starts_with("not a friend: "), "{message}");
    assert_eq!(
        ret(&p.create(&f[3..4]).await),
        (1, "a group needs at least 2 other members".into())
    );
    let (code, message) = ret(&p
        .update("addmember", &room, Some(("AddMemberList", json!(stranger))))
        .await);
    assert_eq!(code, 1);
    assert!(message.starts_with("not a friend: "), "{message}");
    assert_eq!(
        ret(&p
            .update("addmember", &room, Some(("AddMemberList", json!(f[0]))))
            .await),
        (1, "already a member".into())
    );
    assert_eq!(
        ret(&p
            .update("delmember", &room, Some(("DelMemberList", json!(f[3]))))
            .await),
        (1, "not a member of the group".into())
    );
    let theirs = info.groups.iter().find(|g| !g.is_owner).unwrap();
    assert_ne!(theirs.owner, me);
    assert_eq!(
        ret(&p
            .update(
                "delmember",
                &theirs.user_name,
                Some(("DelMemberList", json!(theirs.members[2])))
            )
            .await),
        (1, "only the group's owner can remove members".into())
    );
    assert_eq!(
        ret(&p.update("kick", &room, None).await),
        (1, "unknown fun".into())
    );
    assert!(list(&p.sync().await, "AddMsgList").is_empty());
    p.expect(&[]);

    // The 40 rule: addmember below 40 members after it, invitemember from 40.
    let big = p.create(&f[8..45]).await;
    let big = big["ChatRoomName"].as_str().unwrap().to_string();
    let add = p
        .update("addmember", &big, Some(("AddMemberList", json!(f[2]))))
        .await;
    assert_eq!(add["MemberCount"], 39);
    let invite = p
        .update(
            "invitemember",
            &big,
            Some(("InviteMemberList", json!(f[3]))),
        )
        .await;
    assert_eq!(invite["MemberCount"], 40);
    p.expect(&[]);
    let add = p
        .update("addmember", &big, Some(("AddMemberList", json!(f[4]))))
        .await;
    assert_eq!(ret(&add).0, 0);
    p.expect(&["chatroom: webwxupdatechatroom fun=addmember for 40 members + 1 (official: invitemember when members + added >= 40)"]);

    // Other departures, accepted.
    let small = p.create(&f[3..5]).await;
    let small = small["ChatRoomName"].as_str().unwrap().to_string();
    p.update(
        "invitemember",
        &small,
        Some(("InviteMemberList", json!(f[5]))),
    )
    .await;
    p.expect(&["chatroom: webwxupdatechatroom fun=invitemember for 3 members + 1 (official: addmember when members + added < 40)"]);
    let add = p
        .update(
            "addmember",
            &small,
            Some(("AddMemberList", json!([f[6], f[7]]))),
        )
        .await;
    assert_eq!(add["MemberCount"], 6);
    p.expect(&["chatroom: webwxupdatechatroom fun=addmember AddMemberList an array (official: a comma-joined string)"]);
    let del = p
        .update(
            "delmember",
            &small,
            Some(("DelMemberList", json!(format!("{},{}", f[6], f[7])))),
        )
        .await;
    assert_eq!(del["MemberCount"], 4);
    p.expect(&[
        "chatroom: webwxupdatechatroom fun=delmember with 2 names (official: one at a time)",
    ]);
    p.update("modtopic", &small, Some(("NewTopic", json!(""))))
        .await;
    p.expect(&["chatroom: webwxupdatechatroom fun=modtopic with an empty or unchanged NewTopic (official: not sent)"]);
    let body = ordered(&[
        ("MemberCount", j(json!(3))),
        (
            "MemberList",
            j(json!([{"UserName": me}, {"UserName": f[0]}, {"UserName": f[1]}])),
        ),
        ("Topic", j(json!("自己起的名"))),
        ("BaseRequest", j(p.base())),
    ]);
    let odd = p
        .post(
            "webwxcreatechatroom",
            &format!("r={}&", now_ms()),
            body.into_bytes(),
        )
        .await;
    assert_eq!(ret(&odd).0, 0);
    assert_eq!(odd["Topic"], "自己起的名");
    assert_eq!(odd["MemberCount"], 3, "the account once");
    p.expect(&[
        "chatroom: webwxcreatechatroom MemberList with the account itself (official: removed first)",
        "chatroom: webwxcreatechatroom Topic not \"\" (official: always \"\")",
    ]);

    // The account leaves: the group in DelContactList, gone from the account.
    p.sync().await;
    let quit = p.update("quitchatroom", &room, None).await;
    assert_eq!(ret(&quit).0, 0);
    let s = p.sync().await;
    assert_eq!(
        s["DelContactList"],
        json!([{"UserName": room, "ContactFlag": 0}])
    );
    assert!(p.account().groups.iter().all(|g| g.user_name != room));
    assert!(!p.groups().contains(&room));
    assert_eq!(
        ret(&p
            .update("modtopic", &room, Some(("NewTopic", json!("x"))))
            .await),
        (1, "not a group of this account".into())
    );
    p.expect(&[]);
}

#[tokio::test]
async fn search_finds_friends_by_nick_remark_and_alias() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let contacts = p.b.contacts(&p.l).await;
    let friends = p.friends();
    let remarked = contacts
        .iter()
        .find(|c| c["RemarkName"] == "备注3")
        .unwrap();
    let r = p.search("备注3").await;
    assert_eq!(ret(&r).0, 0);
    assert_eq!(r["Count"], 1);
    let hit = &list(&r, "List")[0];
    assert_eq!(hit["UserName"], remarked["UserName"]);
    assert_eq!(hit["EncryUserName"], remarked["UserName"]);
    let plain = contacts
        .iter()
        .find(|c| {
            friends.iter().any(|f| c["UserName"] == f.as_str())
                && !c["NickName"].as_str().unwrap().contains('<')
        })
        .unwrap();
    let nick = plain["NickName"].as_str().unwrap();
    let r = p.search(nick).await;
    assert!(r["Count"].as_u64().unwrap() >= 1);
    assert!(
        list(&r, "List")
            .iter()
            .any(|c| c["UserName"] == plain["UserName"])
    );
    assert!(
        list(&r, "List")
            .iter()
            .all(|c| friends.iter().any(|f| c["UserName"] == f.as_str()))
    );
    let r = p.search("没有这个人").await;
    assert_eq!((r["Count"].as_u64(), list(&r, "List").len()), (Some(0), 0));
    assert_eq!(p.account().searches, ["备注3", nick, "没有这个人"]);
    p.expect(&[]);
    let body = ordered(&[("KeyWord", j(json!("备注"))), ("BaseRequest", j(p.base()))]);
    let r = p.post("webwxsearchcontact", "", body.into_bytes()).await;
    assert!(r["Count"].as_u64().unwrap() >= 2);
    p.expect(&[
        "search: webwxsearchcontact body keys KeyWord,BaseRequest (official: BaseRequest,KeyWord)",
    ]);
    p.sync().await;
}

#[tokio::test]
async fn mentions_in_a_group_text_are_checked_and_recorded() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let group = p.groups()[0].clone();
    let room = p.init["ContactList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["UserName"] == group.as_str())
        .unwrap()
        .clone();
    let m1 = room["MemberList"][1].clone();
    let m2 = room["MemberList"][2].clone();
    assert_eq!(m1["DisplayName"], "群昵称0");
    let (u1, u2) = (
        m1["UserName"].as_str().unwrap().to_string(),
        m2["UserName"].as_str().unwrap().to_string(),
    );
    let source = |users: &str, room: &str| {
        format!(
            "<msgsource><atusername>{users}</atusername><atchatroomname>{room}</atchatroomname></msgsource>"
        )
    };
    let send = |to: &str, content: &str, msg_source: Option<String>| {
        let mut body = p.b.text_body(&p.l, &p.me, to, content);
        if let Some(s) = msg_source {
            body["Msg"]["MsgSource"] = json!(s);
        }
        let path = p.b.api(&p.l, "webwxsendmsg", "");
        let b = &p.b;
        let l = &p.l;
        async move { b.post(l, &path, &body).await.json() }
    };
    let last = || sim.sent(p.uin()).unwrap().pop().unwrap();

    let text = format!("@群昵称0 @{} 开会了", m2["NickName"].as_str().unwrap());
    let r = send(&group, &text, Some(source(&format!("{u1},{u2}"), &group))).await;
    assert_eq!(ret(&r).0, 0);
    let sent = last();
    assert_eq!(sent.mentions, [u1.clone(), u2.clone()]);
    assert_eq!(sent.content, text);
    assert!(!sent.revoked);
    p.expect(&[]);
    // The Msg keys in the official order: MsgSource after Content.
    let keys =
        p.b.text_body(&p.l, &p.me, &group, "x")
            .get("Msg")
            .map(|m| {
                let mut b = json!({"Msg": m});
                b["Msg"]["MsgSource"] = json!("s");
                String::from_utf8(official_json(&b)).unwrap()
            })
            .unwrap();
    assert!(
        keys.starts_with(
            "{\"Msg\":{\"Type\":1,\"Content\":\"x\",\"MsgSource\":\"s\",\"FromUserName\""
        ),
        "{keys}"
    );

    let r = send(&group, "@群昵称0\u{2005}看这里", Some(source(&u1, &group))).await;
    assert_eq!(ret(&r).0, 0);
    p.expect(&["mention: @<name> followed by U+2005 (official: a space, U+0020)"]);
    // The nick name of a member with a group display name is not the picker's.
    let nick = format!("@{} 你好", m1["NickName"].as_str().unwrap());
    send(&group, &nick, Some(source(&u1, &group))).await;
    p.expect(&["mention: Content without @<name> and a space for a named member"]);
    send(&group, "没有名字", Some(source(&u1, &group))).await;
    p.expect(&[]);
    let friend = p.friends()[19].clone();
    send(&group, "@谁 你好", Some(source(&friend, &group))).await;
    p.expect(&["mention: atusername names a user who is not a member of the group"]);
    send("filehelper", "@群昵称0 x", Some(source(&u1, &group))).await;
    p.expect(&[
        "mention: MsgSource on a message to a person (official: only to a group)",
        "mention: atchatroomname not the message's ToUserName (official: the group's @@ name)",
    ]);
    send(&group, "@群昵称0 x", Some("<msgsource/>".into())).await;
    p.expect(&["mention: MsgSource not <msgsource><atusername>u1,u2</atusername>"]);
    assert!(last().mentions.is_empty());

    // Msg keys out of the official order (sorted, as serde_json writes them).
    let body = p.b.text_body(&p.l, &p.me, &group, "排序");
    let headers = Browser::with_cookies(p.b.angular_headers(true), &p.l);
    let r = post_json(
        &p.b.base,
        &p.b.api(&p.l, "webwxsendmsg", ""),
        &headers,
        &body,
    )
    .await
    .json();
    assert_eq!(ret(&r).0, 0);
    p.expect(&["send: webwxsendmsg Msg keys ClientMsgId,Content,FromUserName,LocalID,ToUserName,Type (official: Type,Content,[MsgSource],FromUserName,ToUserName,LocalID,ClientMsgId)"]);
    p.sync().await;
}

#[tokio::test]
async fn an_official_account_pushes_articles_and_init_lists_its_latest() {
    let sim = Simulator::start(scenario()).await.unwrap();
    let p = Page::open(&sim).await;
    let uin = p.uin();
    assert_eq!(p.init["MPSubscribeMsgCount"], 1);
    let mp = &p.init["MPSubscribeMsgList"][0];
    assert_eq!(mp["MPArticleCount"], 2);
    let articles = mp["MPArticleList"].as_array().unwrap();
    assert_eq!(articles.len(), 2);
    for a in articles {
        assert!(a["Cover"].as_str().unwrap().ends_with("|0|0"));
        assert!(
            a["Url"]
                .as_str()
                .unwrap()
                .starts_with("http://mp.weixin.qq.com/s?")
        );
        assert!(a["Title"].is_string() && a["Digest"].is_string());
    }
    assert!(mp["Time"].is_u64() && mp["NickName"].is_string());
    let official = mp["UserName"].as_str().unwrap().to_string();

    let id = sim.inject_article(uin, 3).unwrap();
    assert!(sim.inject_article(uin, 0).is_none());
    let r = post_json(
        &sim.base_url(),
        &format!("/__sim/sessions/{uin}/articles"),
        &[],
        &json!({"count": 1}),
    )
    .await;
    assert_eq!(r.status, 200);
    let s = p.sync().await;
    let msgs = list(&s, "AddMsgList");
    assert_eq!(msgs.len(), 2);
    let m = msgs.iter().find(|m| m["MsgId"] == id.as_str()).unwrap();
    assert_eq!(
        (m["MsgType"].as_i64(), m["AppMsgType"].as_i64()),
        (Some(49), Some(5))
    );
    assert_eq!(m["FromUserName"].as_str(), Some(official.as_str()));
    let content = html_decode(m["Content"].as_str().unwrap());
    assert!(
        content.contains("<mmreader><category type=\"20\" count=\"3\">"),
        "{content}"
    );
    let (_, reader) = content.split_once("<mmreader>").unwrap();
    let (category, _) = reader.split_once("</category>").unwrap();
    assert_eq!(category.matches("<item>").count(), 3);
    for tag in ["title", "url", "pub_time", "cover", "digest"] {
        let n = category
            .split("<item>")
            .skip(1)
            .filter(|item| item.contains(&format!("<{tag}>")))
            .count();
        assert_eq!(n, 3, "{tag}");
    }
    let url = m["Url"].as_str().unwrap();
    assert!(url.starts_with("https://mp.weixin.qq.com/s?__biz="));
    assert!(content.contains(&format!("<url>{}</url>", url.replace('&', "&amp;"))));
    p.expect(&[]);

    // The account's state through the admin API.
    let state = get(
        &sim.base_url(),
        &format!("/__sim/sessions/{uin}/account"),
        &[],
    )
    .await
    .json();
    assert_eq!(state["uin"], uin);
    for key in [
        "revoked",
        "recalled",
        "pending_requests",
        "outgoing_requests",
        "remarks",
        "pinned",
        "groups",
        "searches",
    ] {
        assert!(state.get(key).is_some(), "{key}");
    }
    assert_eq!(state["groups"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn without_official_accounts_there_is_no_push() {
    let mut s = scenario();
    s.contacts.officials = 0;
    let sim = Simulator::start(s).await.unwrap();
    let p = Page::open(&sim).await;
    assert_eq!(p.init["MPSubscribeMsgCount"], 0);
    assert_eq!(p.init["MPSubscribeMsgList"], json!([]));
    assert!(sim.inject_article(p.uin(), 2).is_none());
    assert!(sim.account(1).is_none());
}

#[tokio::test]
async fn a_scheduled_friend_request_can_be_accepted_too() {
    let mut s = scenario();
    // The generator's fifth kind is a friend request.
    s.messages.count = 5;
    s.messages.interval_ms = 5;
    s.messages.start_after_ms = 0;
    let sim = Simulator::start(s).await.unwrap();
    let p = Page::open(&sim).await;
    let mut request = None;
    for _ in 0..50 {
        let s = p.sync().await;
        request = list(&s, "AddMsgList")
            .iter()
            .find(|m| m["MsgType"] == 37)
            .cloned();
        if request.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let info = request.unwrap()["RecommendInfo"].clone();
    let user = info["UserName"].as_str().unwrap();
    assert_eq!(
        ret(&p
            .verify(3, user, info["Ticket"].as_str().unwrap(), "")
            .await)
        .0,
        0
    );
    assert!(p.friends().iter().any(|f| f == user));
    p.expect(&[]);
}
