//! Every cap on what the server (or the application) may make the client hold: exceeding one
//! is a typed error, never a crash or unbounded memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use webwx_core::bytes::Bytes;
use webwx_core::{Endpoint, Error, Event, Limits, UsageError};

fn failed(c: &mut webwx_core::Client) -> Error {
    match events(c).pop() {
        Some(Event::Failed(e)) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn members_of_one_group() {
    let mut limits = Limits::default();
    limits.max_group_members = 2;
    let (mut c, first) = started(config().with_limits(limits));
    // The init answer's family group lists 3 members.
    answer(&mut c, &first, ok(fixture("jslogin.js")), at(1));
    let poll = next(&mut c, Endpoint::LoginPoll);
    answer(&mut c, &poll, ok(fixture("login-200.js")), at(2));
    let ticket = next(&mut c, Endpoint::Ticket);
    answer(&mut c, &ticket, ticket_answer("ticket.xml"), at(3));
    let init = next(&mut c, Endpoint::Init);
    answer(&mut c, &init, ok(fixture("webwxinit.json")), at(4));
    assert_eq!(
        failed(&mut c),
        Error::LimitExceeded {
            what: "members of one group",
            limit: 2
        }
    );
}

#[test]
fn sync_key_entries() {
    let mut limits = Limits::default();
    limits.max_sync_key_entries = 5;
    let (mut c, check) = ready(config().with_limits(limits));
    let sync = to_sync(&mut c, &check, at(7_000));
    // That answer's SyncKey has 6 entries.
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    assert_eq!(
        failed(&mut c),
        Error::LimitExceeded {
            what: "SyncKey entries",
            limit: 5
        }
    );
}

#[test]
fn send_queue_and_message_size() {
    let mut limits = Limits::default();
    limits.max_send_queue = 3;
    limits.max_message_bytes = 10;
    let (mut c, _check) = ready(config().with_limits(limits));
    for i in 0..3 {
        c.send_text("filehelper", &format!("m{i}"), at(10 + i))
            .unwrap();
    }
    assert_eq!(
        c.send_text("filehelper", "m3", at(20)),
        Err(UsageError::QueueFull(3))
    );
    assert_eq!(c.pending_sends(), 3);
    assert!(matches!(
        c.send_text("filehelper", "12345678901", at(21)),
        Err(UsageError::InvalidMessage(_))
    ));
    // One read mark in flight and three waiting: the fifth is refused.
    for i in 0..4 {
        c.mark_read(&format!("@chat{i}"), at(30)).unwrap();
    }
    assert_eq!(c.mark_read("@chat9", at(31)), Err(UsageError::QueueFull(3)));
}

#[test]
fn remembered_message_ids_are_bounded() {
    let mut limits = Limits::default();
    limits.max_remembered_msg_ids = 2;
    let (mut c, check) = ready(config().with_limits(limits));
    let sync = to_sync(&mut c, &check, at(7_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-all-types.json")),
        at(7_100),
    );
    assert_eq!(
        events(&mut c)
            .iter()
            .filter(|e| matches!(e, Event::Message(_)))
            .count(),
        18
    );
    // Only the last two ids are remembered: the redelivery of 1001 (long forgotten) comes out
    // again, the memory stays at two ids whatever the server sends.
    let check = next(&mut c, Endpoint::SyncCheck);
    let sync = to_sync(&mut c, &check, at(8_000));
    answer(
        &mut c,
        &sync,
        ok(sync_fixture("webwxsync-duplicate.json")),
        at(8_100),
    );
    let ids: Vec<String> = events(&mut c)
        .into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["1001", "1019"]);
    let saved = serde_json::to_value(c.save().unwrap()).unwrap();
    assert_eq!(saved["seen"]["order"].as_array().unwrap().len(), 2);
}

#[test]
fn body_size_through_the_transport_cap_too() {
    let mut limits = Limits::default();
    limits.max_body_bytes = 64;
    let (mut c, first) = started(config().with_limits(limits));
    answer(&mut c, &first, ok(Bytes::from(vec![b' '; 65])), at(1));
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Retrying {
            cause: webwx_core::Failure::Parse(webwx_core::ParseError::TooLarge {
                len: 65,
                limit: 64
            }),
            ..
        }]
    ));
}
