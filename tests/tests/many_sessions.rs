//! 50 sessions at once in one process, isolated, through each transport.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;
use webwx_core::{Content, Event};
use webwx_sim::{ContactSpec, Scenario, Simulator};
use webwx_tests::config_for;

const SESSIONS: usize = 50;

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 100;
    s.phone.confirm_after_ms = 50;
    s.synccheck_hold_ms = 1_000;
    s.contacts = ContactSpec {
        friends: 10,
        groups: 1,
        members_per_group: 3,
        officials: 1,
        page_size: 100,
    };
    s
}

/// Waits until every session exists in the simulator and returns their uins in login order of
/// the user names the clients report.
fn wait_for_sessions(sim: &Simulator) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while sim.sessions().iter().filter(|s| s.inited).count() < SESSIONS {
        assert!(
            std::time::Instant::now() < deadline,
            "not every session logged in"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn fifty_ureq_sessions_at_once() {
    let sim = Simulator::spawn(scenario()).unwrap();
    let bots: Vec<_> = (0..SESSIONS)
        .map(|i| webwx_ureq::Session::start(config_for(&sim, 100 + i as u64)))
        .collect();
    let mut uins = vec![];
    for bot in &bots {
        loop {
            match bot.next_event_timeout(Duration::from_secs(60)).unwrap() {
                Event::Ready { user, .. } => {
                    uins.push(user.uin());
                    break;
                }
                Event::Failed(e) => panic!("{e}"),
                _ => {}
            }
        }
    }
    wait_for_sessions(&sim);
    for (i, uin) in uins.iter().enumerate() {
        sim.inject_text(*uin, None, &format!("for session {i}"))
            .unwrap();
    }
    for (i, bot) in bots.iter().enumerate() {
        let text = loop {
            if let Event::Message(m) = bot.next_event_timeout(Duration::from_secs(60)).unwrap() {
                break m.content;
            }
        };
        assert_eq!(
            text,
            Content::Text(format!("for session {i}")),
            "each session sees its own message only"
        );
    }
    let mut sorted = uins.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), SESSIONS);
}

#[test]
fn fifty_hyper_sessions_at_once() {
    let sim = Simulator::spawn(scenario()).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let transport = webwx_hyper::Transport::new();
        let mut bots: Vec<_> = (0..SESSIONS)
            .map(|i| {
                webwx_hyper::Session::start_with(
                    config_for(&sim, 200 + i as u64),
                    transport.clone(),
                )
            })
            .collect();
        let mut uins = vec![];
        for bot in &mut bots {
            loop {
                match tokio::time::timeout(Duration::from_secs(60), bot.next_event())
                    .await
                    .unwrap()
                    .unwrap()
                {
                    Event::Ready { user, .. } => {
                        uins.push(user.uin());
                        break;
                    }
                    Event::Failed(e) => panic!("{e}"),
                    _ => {}
                }
            }
        }
        tokio::task::block_in_place(|| wait_for_sessions(&sim));
        for (i, uin) in uins.iter().enumerate() {
            sim.inject_text(*uin, None, &format!("for session {i}"))
                .unwrap();
        }
        for (i, bot) in bots.iter_mut().enumerate() {
            let text = loop {
                let e = tokio::time::timeout(Duration::from_secs(60), bot.next_event())
                    .await
                    .unwrap()
                    .unwrap();
                if let Event::Message(m) = e {
                    break m.content;
                }
            };
            assert_eq!(text, Content::Text(format!("for session {i}")));
        }
        let mut sorted = uins.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), SESSIONS);
    });
}
