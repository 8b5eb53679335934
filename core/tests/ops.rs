//! Operations as the official page makes them (`/work` notes: webwxApp.js `revokemsg`,
//! `verifyUser`, `setTopContact`, `chatroomFactory`, `remoteSearch`, `postTextMessage`): each
//! request snapshotted, each outcome and refusal checked, the store following.
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
use webwx_core::{Client, Endpoint, Error, Event, Outcome, Transmit};

const FRIEND: &str = "@3a9f2c7e1b5d8f0a4c6e2b9d7f1a3c5e";

fn ok_ret(ret: i64, extra: &str) -> Response<Bytes> {
    ok(Bytes::from(format!(
        r#"{{"BaseResponse":{{"Ret":{ret},"ErrMsg":"{}"}}{extra}}}"#,
        if ret == 0 { "" } else { "refused here" }
    )))
}

fn json(t: &Transmit) -> String {
    String::from_utf8(t.request.body().to_vec()).unwrap()
}

fn query(t: &Transmit) -> String {
    t.request.uri().query().unwrap_or_default().to_string()
}

/// The one request the client sends now (pacing fired if needed).
fn sent(c: &mut Client) -> Transmit {
    if let Some(t) = c.poll_transmit() {
        return t;
    }
    let wake = c.poll_timeout().unwrap();
    c.handle_timeout(wake);
    c.poll_transmit().unwrap()
}

fn done(c: &mut Client) -> Vec<Event> {
    events(c)
        .into_iter()
        .filter(|e| matches!(e, Event::Done { .. } | Event::SendFailed { .. }))
        .collect()
}

#[test]
fn revoke_what_was_sent_with_its_ids() {
    let (mut c, _) = ready(config());
    c.send_text(FRIEND, "oops", at(20_000)).unwrap();
    let t = next(&mut c, Endpoint::SendMsg);
    answer(
        &mut c,
        &t,
        ok(sync_fixture("webwxsendmsg.json")),
        at(20_100),
    );
    let (msg_id, local_id, to) = match &events(&mut c)[..] {
        [
            Event::Sent {
                msg_id,
                local_id,
                to,
                ..
            },
        ] => (msg_id.clone(), local_id.clone(), to.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(to, FRIEND);
    let h = c.revoke(&to, &msg_id, &local_id, at(21_000)).unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::RevokeMsg);
    assert!(
        query(&t).starts_with("lang=zh_CN&pass_ticket="),
        "{}",
        query(&t)
    );
    let body = json(&t);
    assert!(body.starts_with(r#"{"BaseRequest":{"Uin":"#));
    assert!(
        body.ends_with(&format!(
            r#""SvrMsgId":"{msg_id}","ToUserName":"{FRIEND}","ClientMsgId":"{local_id}"}}"#
        )),
        "{body}"
    );
    answer(
        &mut c,
        &t,
        ok_ret(0, r#","Introduction":"","SysWording":"""#),
        at(21_100),
    );
    assert_eq!(
        done(&mut c),
        [Event::Done {
            handle: h,
            outcome: Outcome::Revoked { msg_id }
        }]
    );
}

#[test]
fn friend_requests_remarks_and_pins() {
    let (mut c, _) = ready(config());
    let h = c
        .accept_friend("@new1", "v1_ticket@stranger", at(20_000))
        .unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::VerifyUser);
    insta::assert_snapshot!("verify_accept", render(&t));
    answer(&mut c, &t, ok_ret(0, ""), at(20_100));
    assert!(
        matches!(&done(&mut c)[..], [Event::Done { handle, outcome: Outcome::FriendAccepted { user_name } }] if *handle == h && user_name == "@new1")
    );

    c.request_friend("@stranger2", "我是bot", at(21_000))
        .unwrap();
    let t = sent(&mut c);
    let body = json(&t);
    assert!(body.contains(r#""Opcode":2,"VerifyUserListSize":1,"VerifyUserList":[{"Value":"@stranger2","VerifyUserTicket":""}],"VerifyContent":"我是bot","SceneListCount":1,"SceneList":[33],"skey":"@crypt_"#), "{body}");
    answer(&mut c, &t, ok_ret(0, ""), at(21_100));
    done(&mut c);

    // A refusal is final at once, with the server's code and message.
    let h = c.accept_friend("@new2", "expired", at(22_000)).unwrap();
    let t = sent(&mut c);
    answer(&mut c, &t, ok_ret(-1, ""), at(22_100));
    assert!(matches!(&done(&mut c)[..],
        [Event::SendFailed { handle, error: Error::Refused { endpoint: Endpoint::VerifyUser, code: -1, message } }]
        if *handle == h && message == "refused here"));

    // Remark, then pin: the pin carries the remark (or the server clears it).
    c.set_remark(
        FRIEND,
        "大客户 Zhang 先生 with a very long remark",
        at(23_000),
    )
    .unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::OpLog);
    insta::assert_snapshot!("oplog_remark", json(&t));
    answer(&mut c, &t, ok_ret(0, ""), at(23_100));
    let remark = c.contacts().get(FRIEND).unwrap().remark_name().to_string();
    assert_eq!(remark.chars().count(), 18);
    done(&mut c);
    c.set_pinned(FRIEND, true, at(24_000)).unwrap();
    let t = sent(&mut c);
    let body = json(&t);
    assert!(
        body.starts_with(&format!(
            r#"{{"UserName":"{FRIEND}","CmdId":3,"OP":1,"RemarkName":"{remark}","BaseRequest":"#
        )),
        "{body}"
    );
    answer(&mut c, &t, ok_ret(0, ""), at(24_100));
    assert!(c.contacts().get(FRIEND).unwrap().contact_flag() & 0x800 != 0);
}

#[test]
fn groups_created_named_grown_and_left() {
    let (mut c, _) = ready(config());
    let members = vec![FRIEND.to_string(), "@b2".to_string()];
    let h = c.create_group(&members, "周末徒步", at(20_000)).unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::CreateChatRoom);
    assert!(
        query(&t).starts_with(&format!("r={}&lang=zh_CN&pass_ticket=", T0 + 20_000)),
        "{}",
        query(&t)
    );
    let body = json(&t);
    assert!(body.starts_with(&format!(r#"{{"MemberCount":2,"MemberList":[{{"UserName":"{FRIEND}"}},{{"UserName":"@b2"}}],"Topic":"","BaseRequest":"#)), "{body}");
    answer(
        &mut c,
        &t,
        ok_ret(
            0,
            &format!(
                r#","ChatRoomName":"@@newroom","Topic":"","MemberCount":3,"MemberList":[{{"UserName":"{FRIEND}","NickName":"A","MemberStatus":0}},{{"UserName":"@b2","NickName":"B","MemberStatus":0}}]"#
            ),
        ),
        at(20_100),
    );
    // The topic right after, in the same slot.
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::UpdateChatRoom);
    assert!(query(&t).starts_with("fun=modtopic&lang=zh_CN&pass_ticket="));
    assert!(
        json(&t).starts_with(r#"{"NewTopic":"周末徒步","ChatRoomName":"@@newroom","BaseRequest":"#)
    );
    answer(&mut c, &t, ok_ret(0, ""), at(20_200));
    assert!(
        matches!(&done(&mut c)[..], [Event::Done { handle, outcome: Outcome::GroupCreated { group, topic_set: true } }] if *handle == h && group == "@@newroom")
    );
    let g = c.contacts().get("@@newroom").unwrap();
    assert_eq!((g.nick_name(), g.members().len()), ("周末徒步", 2));

    // addmember while small, -2013 taken as done; invitemember once it would reach 40.
    c.add_members("@@newroom", &["@c3".to_string()], at(21_000))
        .unwrap();
    let t = sent(&mut c);
    assert!(query(&t).starts_with("fun=addmember&"));
    assert!(
        json(&t).starts_with(r#"{"AddMemberList":"@c3","ChatRoomName":"@@newroom","BaseRequest":"#)
    );
    answer(&mut c, &t, ok_ret(-2013, ""), at(21_100));
    assert!(matches!(
        &done(&mut c)[..],
        [Event::Done {
            outcome: Outcome::MembersAdded { invited: false, .. },
            ..
        }]
    ));
    assert_eq!(c.contacts().get("@@newroom").unwrap().members().len(), 3);
    let many: Vec<String> = (0..37).map(|i| format!("@m{i}")).collect();
    c.add_members("@@newroom", &many, at(22_000)).unwrap();
    let t = sent(&mut c);
    assert!(query(&t).starts_with("fun=invitemember&"), "3 + 37 = 40");
    assert!(json(&t).starts_with(r#"{"InviteMemberList":"@m0,@m1,"#));
    answer(&mut c, &t, ok_ret(0, ""), at(22_100));
    done(&mut c);

    // Not the owner: refused with the server's words.
    c.remove_members("@@newroom", &["@c3".to_string()], at(23_000))
        .unwrap();
    let t = sent(&mut c);
    assert!(
        json(&t).starts_with(r#"{"DelMemberList":"@c3","ChatRoomName":"@@newroom","BaseRequest":"#)
    );
    answer(&mut c, &t, ok_ret(1, ""), at(23_100));
    assert!(matches!(
        &done(&mut c)[..],
        [Event::SendFailed {
            error: Error::Refused { code: 1, .. },
            ..
        }]
    ));

    c.quit_group("@@newroom", at(24_000)).unwrap();
    let t = sent(&mut c);
    assert!(query(&t).starts_with("fun=quitchatroom&"));
    assert!(json(&t).starts_with(r#"{"ChatRoomName":"@@newroom","BaseRequest":"#));
    answer(&mut c, &t, ok_ret(0, ""), at(24_100));
    assert!(c.contacts().get("@@newroom").is_none());
}

#[test]
fn a_group_text_mentions_members_and_search_finds_contacts() {
    let (mut c, _) = ready(config());
    let group = c.contacts().groups().next().unwrap().clone();
    let member = group.members().first().unwrap().clone();
    c.send_text_mentioning(
        group.user_name(),
        "lunch?",
        std::slice::from_ref(&member.user_name),
        at(20_000),
    )
    .unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::SendMsg);
    let body: serde_json::Value = serde_json::from_slice(t.request.body()).unwrap();
    let text = json(&t);
    assert!(text.contains(r#""Msg":{"Type":1,"Content":"@"#), "{text}");
    assert!(
        body["Msg"]["Content"]
            .as_str()
            .unwrap()
            .ends_with(" lunch?")
    );
    assert_eq!(
        body["Msg"]["MsgSource"],
        format!(
            "<msgsource><atusername>{}</atusername><atchatroomname>{}</atchatroomname></msgsource>",
            member.user_name,
            group.user_name()
        )
    );
    assert!(
        text.contains(r#"</msgsource>","FromUserName":"#),
        "MsgSource before FromUserName"
    );
    answer(
        &mut c,
        &t,
        ok(sync_fixture("webwxsendmsg.json")),
        at(20_100),
    );
    events(&mut c);

    c.search_contacts("zhang", at(21_000)).unwrap();
    let t = sent(&mut c);
    assert_eq!(t.endpoint, Endpoint::SearchContact);
    assert!(json(&t).ends_with(r#","KeyWord":"zhang"}"#));
    answer(
        &mut c,
        &t,
        ok_ret(
            0,
            r#","Count":1,"List":[{"UserName":"@z1","NickName":"Zhang"}]"#,
        ),
        at(21_100),
    );
    assert!(
        matches!(&done(&mut c)[..], [Event::Done { outcome: Outcome::Found(list), .. }] if list.len() == 1 && list[0].nick_name() == "Zhang")
    );
}

#[test]
fn a_queued_operation_survives_a_restart() {
    let (mut c, _) = ready(config());
    c.send_text(FRIEND, "first", at(20_000)).unwrap();
    c.rename_group("@@room", "新名字", at(20_001)).unwrap();
    let saved = c.save().unwrap();
    assert_eq!(saved.pending_sends(), 2);
    let json = serde_json::to_string(&saved).unwrap();
    assert!(json.contains(r#""op":"group","fun":"modtopic""#), "{json}");
}
