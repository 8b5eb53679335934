//! Contact and profile changes: scripted in the scenario, on by default, and on demand; each
//! delivered in its own `webwxsync` list under its own synccheck selector, and each visible in
//! later answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use serde_json::{Value, json};
use std::time::Duration;
use webwx_sim::{ContactChange, ContactEvent, ContactRef, Scenario, Simulator};

/// Every contact of `webwxgetcontact`, page by page.
async fn contacts(base: &str, l: &Login) -> Vec<Value> {
    let mut seq = 0;
    let mut all = vec![];
    loop {
        let page = get(
            base,
            &api(
                l,
                "webwxgetcontact",
                &format!("&r=1&seq={seq}&skey={}", l.skey),
            ),
            &[l.cookie_header()],
        )
        .await
        .json();
        all.extend(page["MemberList"].as_array().unwrap().clone());
        seq = page["Seq"].as_u64().unwrap();
        if seq == 0 {
            return all;
        }
    }
}

async fn batch(base: &str, l: &Login, name: &str) -> Value {
    let answer = post_json(
        base,
        &api(l, "webwxbatchgetcontact", "&type=ex&r=1"),
        &[l.cookie_header()],
        &json!({"BaseRequest": l.base_request(), "Count": 1,
                "List": [{"UserName": name, "EncryChatRoomId": ""}]}),
    )
    .await
    .json();
    answer["ContactList"][0].clone()
}

fn find<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|c| c["UserName"] == name)
}

fn no_events() -> Scenario {
    let mut s = quick();
    s.contact_events.clear();
    s
}

/// Syncs from `key` and returns the answer and the next key.
async fn sync_once(base: &str, l: &Login, key: &Value) -> (Value, Value) {
    let answer = sync(base, l, key).await.json();
    assert_eq!(answer["BaseResponse"]["Ret"], 0, "{answer}");
    let next = answer["SyncKey"].clone();
    (answer, next)
}

fn counts(answer: &Value) -> [u64; 4] {
    [
        "AddMsgCount",
        "ModContactCount",
        "DelContactCount",
        "ModChatRoomMemberCount",
    ]
    .map(|k| answer[k].as_u64().unwrap())
}

#[tokio::test]
async fn each_change_on_demand_has_its_list_its_selector_and_its_effect() {
    let sim = Simulator::start(no_events()).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let init1 = init(&base, &l).await;
    let me = init1["User"]["UserName"].as_str().unwrap().to_string();
    let key = init1["SyncKey"].clone();
    let info = sim.sessions()[0].clone();

    // A friend renamed: ModContactList, selector 4.
    let friend = info.friends[2].clone();
    assert_eq!(
        sim.rename_friend(l.uin, friend.as_str(), "新名字", Some("新备注"))
            .as_deref(),
        Some(friend.as_str())
    );
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"4\"}"
    );
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [0, 1, 0, 0]);
    let modified = &answer["ModContactList"][0];
    assert_eq!(modified["UserName"], friend.as_str());
    assert_eq!(modified["NickName"], "新名字");
    assert_eq!(modified["RemarkName"], "新备注");
    assert_eq!(answer["Profile"]["BitFlag"], 0);
    let all = contacts(&base, &l).await;
    assert_eq!(find(&all, &friend).unwrap()["NickName"], "新名字");
    assert_eq!(batch(&base, &l, &friend).await["RemarkName"], "新备注");

    // A friend deleted: DelContactList, selector 6; gone from the contact list.
    let gone = info.friends[0].clone();
    sim.delete_friend(l.uin, 0).unwrap();
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"6\"}"
    );
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [0, 0, 1, 0]);
    assert_eq!(answer["DelContactList"], json!([{"UserName": gone}]));
    let all = contacts(&base, &l).await;
    assert!(find(&all, &gone).is_none());
    assert_eq!(all.len(), 20 - 1 + 3 + 2 + 2);
    assert!(!sim.sessions()[0].friends.contains(&gone));
    assert_eq!(
        sim.delete_friend(l.uin, gone.as_str()),
        None,
        "not a friend any more"
    );

    // Members join and leave a group: ModChatRoomMemberList, selector 4.
    let group = info.groups[1].clone();
    let before = batch(&base, &l, &group).await["MemberList"]
        .as_array()
        .unwrap()
        .clone();
    sim.change_group_members(l.uin, group.as_str(), 2, 1)
        .unwrap();
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"4\"}"
    );
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [0, 0, 0, 1]);
    let room = &answer["ModChatRoomMemberList"][0];
    assert_eq!(room["UserName"], group.as_str());
    let after = room["MemberList"].as_array().unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(room["MemberCount"], before.len() + 1);
    assert!(
        find(after, before.last().unwrap()["UserName"].as_str().unwrap()).is_none(),
        "the last member left"
    );
    assert_eq!(&after[..before.len() - 1], &before[..before.len() - 1]);
    assert_eq!(
        batch(&base, &l, &group).await["MemberList"],
        room["MemberList"]
    );
    assert_eq!(
        find(&contacts(&base, &l).await, &group).unwrap()["MemberCount"],
        before.len() + 1
    );

    // The account's own nick name: Profile with BitFlag 190, selector 4.
    assert_eq!(
        sim.rename_self(l.uin, "新的我").as_deref(),
        Some(me.as_str())
    );
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"4\"}"
    );
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [0, 0, 0, 0]);
    let profile = &answer["Profile"];
    assert_eq!(profile["BitFlag"], 190);
    assert_eq!(profile["NickName"]["Buff"], "新的我");
    assert_eq!(profile["UserName"]["Buff"], me.as_str());
    for field in ["Signature", "HeadImgUrl", "Alias"] {
        assert!(profile[field].is_string(), "{field}: {profile}");
    }
    assert_eq!(init(&base, &l).await["User"]["NickName"], "新的我");
    assert_eq!(sim.sessions()[0].nick_name, "新的我");
    // The next answer's Profile is unchanged again.
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(answer["Profile"]["BitFlag"], 0);

    // A message waiting with a change: selector 2, and both in one answer.
    sim.rename_friend(l.uin, 0, "又改了", None).unwrap();
    sim.inject_text(l.uin, None, "hi").unwrap();
    assert_eq!(
        synccheck(&base, &l, &key).await,
        "window.synccheck={retcode:\"0\",selector:\"2\"}"
    );
    let (answer, _) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [1, 1, 0, 0]);
    let s = &sim.sessions()[0];
    assert_eq!((s.messages, s.changes), (1, 5));

    // Nothing to change: None.
    assert_eq!(sim.rename_friend(l.uin, 99, "x", None), None);
    assert_eq!(sim.change_group_members(l.uin, "@@nobody", 1, 0), None);
    assert_eq!(sim.rename_self(1, "x"), None);
}

#[tokio::test]
async fn scripted_events_happen_at_their_time_and_the_admin_api_triggers_changes() {
    let mut s = no_events();
    s.contact_events = vec![
        ContactEvent {
            at_ms: 100,
            change: ContactChange::RenameSelf {
                nick_name: "脚本改名".into(),
            },
        },
        ContactEvent {
            at_ms: 50,
            change: ContactChange::DeleteFriend {
                friend: ContactRef::Index(-1),
            },
        },
    ];
    let sim = Simulator::start(s).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let key = init(&base, &l).await["SyncKey"].clone();
    let last = sim.sessions()[0].friends.last().unwrap().clone();
    assert_eq!(sim.sessions()[0].changes, 0, "nothing before its time");
    tokio::time::sleep(Duration::from_millis(250)).await;
    let (answer, key) = sync_once(&base, &l, &key).await;
    assert_eq!(answer["DelContactList"], json!([{"UserName": last}]));
    assert_eq!(answer["Profile"]["NickName"]["Buff"], "脚本改名");

    let admin = |path: String, body: Value| {
        let base = base.clone();
        async move {
            send(
                &base,
                "POST",
                &path,
                &[],
                serde_json::to_vec(&body).unwrap(),
            )
            .await
            .unwrap()
        }
    };
    let path = format!("/__sim/sessions/{}/changes", l.uin);
    let friend = sim.sessions()[0].friends[0].clone();
    let r = admin(
        path.clone(),
        json!({"rename_friend": {"friend": friend, "nick_name": "经由管理接口"}}),
    )
    .await;
    assert_eq!(r.json(), json!({"changed": friend}));
    let r = admin(
        path.clone(),
        json!({"change_group_members": {"group": 0, "join": 1}}),
    )
    .await;
    assert_eq!(r.json()["changed"], sim.sessions()[0].groups[0].as_str());
    assert_eq!(
        admin(path.clone(), json!({"delete_friend": {"friend": 1}}))
            .await
            .status,
        200
    );
    assert_eq!(
        admin(path.clone(), json!({"rename_self": {"nick_name": "管理"}}))
            .await
            .status,
        200
    );
    let (answer, _) = sync_once(&base, &l, &key).await;
    assert_eq!(counts(&answer), [0, 1, 1, 1]);
    assert_eq!(answer["ModContactList"][0]["NickName"], "经由管理接口");
    assert_eq!(answer["Profile"]["NickName"]["Buff"], "管理");

    assert_eq!(
        admin(
            path.clone(),
            json!({"rename_friend": {"friend": 500, "nick_name": "x"}})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        admin(path.clone(), json!({"no_such_change": {}}))
            .await
            .status,
        400
    );
    assert_eq!(
        admin(
            "/__sim/sessions/1/changes".into(),
            json!({"rename_self": {"nick_name": "x"}})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn the_default_scenario_changes_each_kind_once_a_few_seconds_after_login() {
    let events = Scenario::default().contact_events;
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| (1_000..=5_000).contains(&e.at_ms)));
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let mut key = init(&base, &l).await["SyncKey"].clone();
    let info = sim.sessions()[0].clone();
    let started = std::time::Instant::now();
    let mut seen = Vec::new();
    let mut totals = [0; 4];
    while started.elapsed() < Duration::from_secs(8)
        && (totals[1..] != [1, 1, 1] || seen.is_empty())
    {
        let check = synccheck(&base, &l, &key).await;
        let selector = between(&check, "selector:\"", "\"").unwrap().to_string();
        if selector == "0" {
            continue;
        }
        let (answer, next) = sync_once(&base, &l, &key).await;
        key = next;
        for (t, c) in totals.iter_mut().zip(counts(&answer)) {
            *t += c;
        }
        if answer["Profile"]["BitFlag"] == 190 {
            seen.push(
                answer["Profile"]["NickName"]["Buff"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        if answer["ModContactCount"] == 1 {
            assert_eq!(
                answer["ModContactList"][0]["UserName"],
                info.friends[1].as_str()
            );
        }
        if answer["DelContactCount"] == 1 {
            assert_eq!(
                answer["DelContactList"][0]["UserName"],
                info.friends.last().unwrap().as_str()
            );
        }
        if answer["ModChatRoomMemberCount"] == 1 {
            assert_eq!(
                answer["ModChatRoomMemberList"][0]["UserName"],
                info.groups.last().unwrap().as_str()
            );
        }
    }
    assert_eq!(totals, [0, 1, 1, 1], "one of each, no messages");
    assert_eq!(seen, ["改了名的我"]);
    assert!(
        started.elapsed() >= Duration::from_millis(2_500),
        "not before its time"
    );
    assert_eq!(sim.sessions()[0].changes, 4);
}

#[test]
fn contact_events_read_from_json() {
    let s = Scenario::from_json(
        r#"{"contact_events": [
            {"at_ms": 10, "change": {"rename_friend": {"friend": 0, "nick_name": "a", "remark_name": ""}}},
            {"at_ms": 20, "change": {"delete_friend": {"friend": "@abc"}}},
            {"at_ms": 30, "change": {"change_group_members": {"group": -1, "join": 2}}},
            {"at_ms": 40, "change": {"rename_self": {"nick_name": "b"}}}
        ]}"#,
    )
    .unwrap();
    assert_eq!(s.contact_events.len(), 4);
    assert_eq!(
        s.contact_events[1].change,
        ContactChange::DeleteFriend {
            friend: ContactRef::UserName("@abc".into())
        }
    );
    assert_eq!(
        s.contact_events[2].change,
        ContactChange::ChangeGroupMembers {
            group: ContactRef::Index(-1),
            join: 2,
            leave: 0
        }
    );
    assert!(
        Scenario::from_json(r#"{"contact_events": []}"#)
            .unwrap()
            .contact_events
            .is_empty()
    );
    assert!(
        Scenario::from_json(
            r#"{"contact_events": [{"at_ms": 1, "change": {"rename_self": {"nick": "x"}}}]}"#
        )
        .is_err(),
        "unknown fields are refused"
    );
}

#[test]
fn the_default_scenario_file_spells_out_the_default_events() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/scenarios/default.json"
    );
    let s = Scenario::from_json(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(s.contact_events, Scenario::default().contact_events);
}
