//! Friends, groups and revoking through both transports against the simulator: each operation
//! checked in what the simulator recorded and in what the client's store shows afterwards, with
//! no deviation from the official client; refusals arrive as typed errors with the server's
//! message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use webwx_core::{Content, Error, Event, Message, Outcome, SendHandle};
use webwx_sim::{Scenario, Simulator};
use webwx_tests::{Bot, KINDS, config_for};

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 100;
    s.phone.confirm_after_ms = 100;
    s.synccheck_hold_ms = 500;
    s.messages.count = 0;
    s.friend_requests = 1;
    s
}

fn ready(bot: &mut Bot) -> u64 {
    match bot.until(|e| matches!(e, Event::Ready { .. })) {
        Event::Ready { user, .. } => user.uin(),
        _ => unreachable!(),
    }
}

/// The outcome of `handle`, waiting for it.
fn outcome(bot: &mut Bot, handle: SendHandle) -> Result<Outcome, Error> {
    let done = |e: &Event| matches!(e, Event::Done { handle: h, .. } | Event::SendFailed { handle: h, .. } if *h == handle);
    let event = match bot.seen.iter().find(|e| done(e)) {
        Some(e) => e.clone(),
        None => bot.until(done),
    };
    match event {
        Event::Done { outcome, .. } => Ok(outcome),
        Event::SendFailed { error, .. } => Err(error),
        _ => unreachable!(),
    }
}

fn message(bot: &mut Bot, pick: impl Fn(&Message) -> bool) -> Message {
    if let Some(m) = bot.seen.iter().find_map(|e| match e {
        Event::Message(m) if pick(m) => Some(m.clone()),
        _ => None,
    }) {
        return *m;
    }
    match bot.until(|e| matches!(e, Event::Message(m) if pick(m))) {
        Event::Message(m) => *m,
        _ => unreachable!(),
    }
}

fn refused(result: Result<Outcome, Error>) -> String {
    match result {
        Err(Error::Refused { message, .. }) => message,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn friends_remarks_pins_revokes_and_recalls() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 41));
        let uin = ready(&mut bot);
        let friend = sim.sessions()[0].friends[1].clone();

        // A friend request arrives and is accepted; the new friend is in the store.
        let request = message(&mut bot, |m| {
            matches!(m.content, Content::FriendRequest { .. })
        });
        let Content::FriendRequest { user_name, .. } = &request.content else {
            unreachable!()
        };
        let h = bot.accept_request(&request);
        assert_eq!(
            outcome(&mut bot, h).unwrap(),
            Outcome::FriendAccepted {
                user_name: user_name.clone()
            }
        );
        bot.until(|e| matches!(e, Event::ContactChanged(c) if c.user_name() == *user_name));
        assert!(
            bot.contacts().get(user_name).unwrap().is_friend(),
            "{transport:?}"
        );
        assert!(sim.account(uin).unwrap().pending_requests.is_empty());
        // Asking someone, with a greeting.
        let h = bot.request_friend("@stranger_1", "我是测试");
        outcome(&mut bot, h).unwrap();
        assert_eq!(
            sim.account(uin).unwrap().outgoing_requests[0].verify_content,
            "我是测试"
        );

        // Remark, then pin: both in the store and at the server, the remark kept by the pin.
        let h = bot.set_remark(&friend, "老同学");
        outcome(&mut bot, h).unwrap();
        let h = bot.set_pinned(&friend, true);
        outcome(&mut bot, h).unwrap();
        let stored = bot.contacts().get(&friend).unwrap().clone();
        assert_eq!(stored.remark_name(), "老同学");
        assert!(stored.is_pinned());
        let account = sim.account(uin).unwrap();
        assert_eq!(
            account.remarks.get(&friend).map(String::as_str),
            Some("老同学")
        );
        assert!(account.pinned.contains(&friend));

        // A sent message taken back with the ids its Sent event gave.
        let h = bot.send_text(&friend, "sent by mistake");
        let (msg_id, local_id, to) =
            match bot.until(|e| matches!(e, Event::Sent { handle, .. } if *handle == h)) {
                Event::Sent {
                    msg_id,
                    local_id,
                    to,
                    ..
                } => (msg_id, local_id, to),
                _ => unreachable!(),
            };
        let h = bot.revoke(&to, &msg_id, &local_id);
        assert_eq!(
            outcome(&mut bot, h).unwrap(),
            Outcome::Revoked {
                msg_id: msg_id.clone()
            }
        );
        assert!(
            sim.sent(uin)
                .unwrap()
                .iter()
                .any(|m| m.msg_id == msg_id && m.revoked)
        );
        // Someone else's message cannot be revoked: the server's words.
        let h = bot.revoke(&friend, "123456", "17000000000000123");
        assert!(refused(outcome(&mut bot, h)).contains("not a message this account sent"));

        // A friend recalls a message this session saw: the notice names it.
        let injected = sim.inject_text(uin, Some(&friend), "oops").unwrap();
        message(&mut bot, |m| m.id == injected);
        sim.recall(uin, &injected).unwrap();
        // (Our own revoke above comes back as a notice too.)
        let notice = message(
            &mut bot,
            |m| matches!(&m.content, Content::Recalled { msg_id, .. } if *msg_id == injected),
        );
        assert!(
            matches!(&notice.content, Content::Recalled { msg_id, seen: true, .. } if *msg_id == injected),
            "{transport:?}: {:?}",
            notice.content
        );

        for s in sim.sessions() {
            assert!(s.deviations.is_empty(), "{transport:?}: {:?}", s.deviations);
        }
    }
}

#[test]
fn groups_created_changed_and_left_with_mentions_and_search() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 42));
        let uin = ready(&mut bot);
        let info = sim.sessions()[0].clone();
        let friends: Vec<String> = info.friends[1..5].to_vec();

        // Created and named right after.
        let h = bot.create_group(&friends[..2], "周末徒步");
        let group = match outcome(&mut bot, h).unwrap() {
            Outcome::GroupCreated {
                group,
                topic_set: true,
            } => group,
            other => panic!("{other:?}"),
        };
        let stored = bot.contacts().get(&group).unwrap().clone();
        assert_eq!(stored.nick_name(), "周末徒步");
        assert_eq!(stored.members().len(), 3, "two friends and the account");
        let at_server = |sim: &Simulator| {
            sim.account(uin)
                .unwrap()
                .groups
                .into_iter()
                .find(|g| g.user_name == group)
                .unwrap()
        };
        assert_eq!(at_server(&sim).topic, "周末徒步");

        // Grown, shrunk, renamed.
        let h = bot.add_members(&group, &friends[2..4]);
        assert!(matches!(
            outcome(&mut bot, h).unwrap(),
            Outcome::MembersAdded { invited: false, .. }
        ));
        let h = bot.remove_members(&group, &friends[..1]);
        outcome(&mut bot, h).unwrap();
        let h = bot.rename_group(&group, "徒步群");
        outcome(&mut bot, h).unwrap();
        let g = at_server(&sim);
        assert_eq!(g.topic, "徒步群");
        assert!(g.members.contains(&friends[3]) && !g.members.contains(&friends[0]));
        let stored = bot.contacts().get(&group).unwrap().clone();
        assert_eq!(stored.nick_name(), "徒步群");
        assert!(stored.member(&friends[3]).is_some() && stored.member(&friends[0]).is_none());

        // A text mentioning a member.
        let h = bot.send_text_mentioning(&group, "周六见", &friends[1..2]);
        bot.until(|e| matches!(e, Event::Sent { handle, .. } if *handle == h));
        let last = sim.sent(uin).unwrap().pop().unwrap();
        assert_eq!(last.mentions, friends[1..2]);
        assert!(last.content.ends_with(" 周六见"), "{}", last.content);

        // Refusals: someone else's group, a stranger in a new group.
        let others = &info.groups[1];
        let theirs = sim
            .account(uin)
            .unwrap()
            .groups
            .into_iter()
            .find(|g| g.user_name == *others)
            .unwrap();
        assert!(!theirs.is_owner);
        let member = theirs
            .members
            .iter()
            .find(|m| **m != info.user_name)
            .unwrap()
            .clone();
        let h = bot.remove_members(others, &[member]);
        assert!(refused(outcome(&mut bot, h)).contains("only the group's owner"));
        let h = bot.create_group(&[friends[0].clone(), "@not_a_friend".to_string()], "");
        assert!(refused(outcome(&mut bot, h)).contains("not a friend"));

        // Search, then leave.
        let h = bot.search_contacts(bot.contacts().get(&friends[0]).unwrap().nick_name());
        assert!(
            matches!(outcome(&mut bot, h).unwrap(), Outcome::Found(list) if list.iter().any(|c| c.user_name() == friends[0]))
        );
        let h = bot.quit_group(&group);
        outcome(&mut bot, h).unwrap();
        assert!(bot.contacts().get(&group).is_none());

        for s in sim.sessions() {
            assert!(s.deviations.is_empty(), "{transport:?}: {:?}", s.deviations);
        }
    }
}
