//! The commands that change contacts and groups, run as a person would against the simulator:
//! `accept`, `remark`, `pin`, `group ...`, `send --at`, `revoke`, `contacts` filters.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::{Account, text};
use std::process::Output;
use webwx_sim::Scenario;

#[test]
fn operations_from_the_command_line() {
    let mut scenario = Scenario::default();
    scenario.messages.count = 0;
    scenario.friend_requests = 1;
    let account = Account::login("ops", scenario);
    let (sim, uin) = (account.sim(), account.uin);
    let run = |args: &[&str]| account.run(args);
    let ok = |out: &Output| assert!(out.status.success(), "{}", text(out));
    let info = sim.sessions()[0].clone();
    let (f1, f2, f3) = (&info.friends[1], &info.friends[2], &info.friends[3]);

    // listen keeps the friend request; accept lists it, then accepts it.
    ok(&run(&["listen", "--json", "--count", "1"]));
    let listed = run(&["accept"]);
    ok(&listed);
    let requester = sim.account(uin).unwrap().pending_requests[0]
        .user_name
        .clone();
    assert!(text(&listed).contains(&requester), "{}", text(&listed));
    let accepted = run(&["accept", "--all"]);
    ok(&accepted);
    assert!(sim.account(uin).unwrap().pending_requests.is_empty());
    let again = run(&["accept", "--all"]);
    assert_eq!(
        again.status.code(),
        Some(5),
        "nothing left: {}",
        text(&again)
    );

    ok(&run(&["remark", "--to", f1, "老同学"]));
    ok(&run(&["pin", "--to", f1]));
    let at_server = sim.account(uin).unwrap();
    assert_eq!(
        at_server.remarks.get(f1.as_str()).map(String::as_str),
        Some("老同学")
    );
    assert!(at_server.pinned.contains(f1));
    // The remark is a name now.
    let contacts = run(&["contacts", "--friends", "--search", "老同"]);
    ok(&contacts);
    assert!(String::from_utf8_lossy(&contacts.stdout).contains(f1.as_str()));
    let groups = run(&["contacts", "--groups", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&groups.stdout).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "group")
    );

    let created = run(&["group", "create", "--name", "周末", f1, f2]);
    ok(&created);
    let group = sim
        .account(uin)
        .unwrap()
        .groups
        .into_iter()
        .find(|g| g.topic == "周末")
        .unwrap();
    ok(&run(&["group", "add", &group.user_name, f3]));
    ok(&run(&["group", "rename", &group.user_name, "徒步"]));
    let members = run(&["group", "members", &group.user_name]);
    ok(&members);
    assert!(String::from_utf8_lossy(&members.stdout).contains(f3.as_str()));
    let sent = run(&["send", "--to", &group.user_name, "--at", f2, "周六见"]);
    ok(&sent);
    let last = sim.sent(uin).unwrap().pop().unwrap();
    assert_eq!(last.mentions, std::slice::from_ref(f2));
    // send prints the ids revoke needs.
    let line = String::from_utf8_lossy(&sent.stdout).to_string();
    let msg_id = line
        .split("msg id ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let local_id = line
        .split("local id ")
        .nth(1)
        .unwrap()
        .trim_end_matches([')', '\n'])
        .to_string();
    ok(&run(&[
        "revoke",
        "--to",
        &group.user_name,
        "--msg-id",
        &msg_id,
        "--local-id",
        &local_id,
    ]));
    assert!(
        sim.sent(uin)
            .unwrap()
            .iter()
            .any(|m| m.msg_id == msg_id && m.revoked)
    );
    ok(&run(&["group", "remove", &group.user_name, f3]));
    ok(&run(&["group", "quit", &group.user_name]));
    assert!(
        !sim.account(uin)
            .unwrap()
            .groups
            .iter()
            .any(|g| g.user_name == group.user_name)
    );

    // Someone else's group: the server's refusal, named.
    let theirs = &info.groups[1];
    let member = sim
        .account(uin)
        .unwrap()
        .groups
        .into_iter()
        .find(|g| g.user_name == *theirs)
        .unwrap()
        .members
        .into_iter()
        .find(|m| *m != info.user_name)
        .unwrap();
    let refused = run(&["group", "remove", theirs, &member]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("only the group's owner"),
        "{}",
        text(&refused)
    );
}
