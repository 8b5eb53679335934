//! Whole sessions through both transports against a small hostile server (issue 12): a huge
//! answer never stops commands, a server that keeps saying "sync" cannot make the client spin,
//! and an outage does not end a ready session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use webwx_core::Event;
use webwx_tests::hostile::{Answer, HostileServer, sync_body};
use webwx_tests::{Bot, KINDS, config_for_origin};

const CONTACTS: usize = 5_000;
const MESSAGES: u64 = 2_000;

#[test]
fn a_huge_answer_never_stops_commands_and_every_message_arrives_once() {
    for kind in KINDS {
        let served = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&served);
        let server = HostileServer::start(move |hit| {
            if hit.is("synccheck") && !flag.load(Ordering::SeqCst) {
                return Some(Answer::ok(r#"window.synccheck={retcode:"0",selector:"2"}"#));
            }
            if hit.is("webwxsync") && !flag.swap(true, Ordering::SeqCst) {
                // One answer: 5,000 contact changes and 2,000 messages.
                let contacts: Vec<String> = (0..CONTACTS).map(|i| format!("@c{i}")).collect();
                let ids: Vec<u64> = (1..=MESSAGES).map(|i| 10_000 + i).collect();
                return Some(Answer::ok(sync_body(&ids, &contacts, 0, 2)));
            }
            None
        });
        let mut bot = Bot::start(kind, config_for_origin(&server.base_url(), 3));
        bot.until(|e| matches!(e, Event::Ready { .. }));
        let mut ids = HashSet::new();
        let mut changes = 0;
        let mut sends = HashSet::new();
        while ids.len() < MESSAGES as usize {
            match bot.next_event().expect("the session goes on") {
                Event::Message(m) => {
                    assert!(ids.insert(m.id.clone()), "{kind:?}: message {} twice", m.id);
                    // The application awaits a command inside its event loop, and saves.
                    if ids.len() % 100 == 0 {
                        sends.insert(bot.send_text("filehelper", &format!("got {}", m.id)));
                        assert!(bot.save().is_some());
                    }
                }
                Event::ContactChanged(_) => changes += 1,
                _ => {}
            }
        }
        assert_eq!(changes, CONTACTS, "{kind:?}");
        // Every send is answered.
        while !sends.is_empty() {
            if let Some(Event::Sent { handle, .. }) = bot.next_event() {
                sends.remove(&handle);
            }
        }
        assert_eq!(server.count("webwxsendmsg"), (MESSAGES / 100) as usize);
        bot.seen.clear();
    }
}

#[test]
fn a_server_that_keeps_saying_sync_cannot_make_the_client_spin() {
    for kind in KINDS {
        let server = HostileServer::start(|hit| {
            if hit.is("synccheck") {
                return Some(Answer::ok(r#"window.synccheck={retcode:"0",selector:"2"}"#));
            }
            if hit.is("webwxsync") {
                return Some(Answer::ok(sync_body(&[], &[], 1, 1)));
            }
            None
        });
        let mut config = config_for_origin(&server.base_url(), 4);
        config.long_poll_min_interval = Duration::from_millis(200);
        let mut bot = Bot::start(kind, config);
        bot.until(|e| matches!(e, Event::Ready { .. }));
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs(2));
        let elapsed = start.elapsed().as_secs_f64();
        let requests = server.count("synccheck") + server.count("webwxsync");
        // Paced at one call per 200 ms (unpaced: hundreds a second).
        assert!(
            (requests as f64) <= elapsed / 0.2 + 4.0,
            "{kind:?}: {requests} requests in {elapsed:.1} s"
        );
        assert!(requests >= 3, "{kind:?}: the loop goes on ({requests})");
    }
}

#[test]
fn an_outage_longer_than_the_retry_budget_does_not_end_a_ready_session() {
    for kind in KINDS {
        let down = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&down);
        let server = HostileServer::start(move |hit| {
            if (hit.is("synccheck") || hit.is("webwxsync")) && flag.load(Ordering::SeqCst) {
                return Some(Answer::status(503));
            }
            None
        });
        let mut config = config_for_origin(&server.base_url(), 5);
        config.retry.max_attempts = 3;
        config.retry.offline_after = 2;
        config.retry.cap = Duration::from_millis(100);
        let mut bot = Bot::start(kind, config);
        bot.until(|e| matches!(e, Event::Ready { .. }));
        down.store(true, Ordering::SeqCst);
        bot.until(|e| matches!(e, Event::Offline { .. }));
        // Far more failures than the budget of 3.
        let before = server.count("synccheck");
        while server.count("synccheck") < before + 10 {
            std::thread::sleep(Duration::from_millis(50));
        }
        down.store(false, Ordering::SeqCst);
        bot.until(|e| matches!(e, Event::Online));
        assert!(
            !bot.seen
                .iter()
                .any(|e| matches!(e, Event::Failed(_) | Event::LoggedOut { .. })),
            "{kind:?}"
        );
        bot.send_text("filehelper", "back");
        bot.until(|e| matches!(e, Event::Sent { .. }));
    }
}
