//! On the wire, a webwx session is the official web client's session: the simulator checks every
//! request against the official client's rules (`core/PROTOCOL.md`, `sim/src/official.rs`) and
//! records each difference; through both transports the list stays empty, over a login with the
//! page's set-up (contact pages with their timing reports, the ChatSet groups), compressed
//! answers, contact changes, sends, read marks, and the logout form the page posts when
//! synccheck says the session is over.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;
use webwx_core::{Event, LogoutReason};
use webwx_sim::{ContactSpec, Scenario, SessionInfo, Simulator};
use webwx_tests::{Bot, KINDS, config_for};

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 150;
    s.phone.confirm_after_ms = 100;
    s.synccheck_hold_ms = 600;
    // Three contact pages (a timing report after each), groups beyond the ChatSet's.
    s.contacts = ContactSpec {
        friends: 120,
        groups: 4,
        members_per_group: 12,
        officials: 3,
        page_size: 50,
    };
    s
}

fn session(sim: &Simulator) -> SessionInfo {
    sim.sessions().into_iter().next().expect("a session")
}

fn assert_official(sim: &Simulator) {
    for s in sim.sessions() {
        assert!(
            s.deviations.is_empty(),
            "the client departed from the official client: {:?}",
            s.deviations
        );
    }
}

/// The whole session, then synccheck says `code`: the page's logout form goes out with `kind`.
fn session_ended_by(code: i64, reason: LogoutReason, kind: u8) {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 11));
        let uin = match bot.until(|e| matches!(e, Event::Ready { .. })) {
            Event::Ready { user, .. } => user.uin(),
            _ => unreachable!(),
        };
        // One timing report per contact page (the contact list over pages of 50: three pages).
        let pages = bot
            .seen
            .iter()
            .filter(|e| matches!(e, Event::ContactsProgress { .. }))
            .count();
        assert_eq!(pages, 3);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while session(&sim).stat_reports < pages && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(session(&sim).stat_reports, pages, "{transport:?}");
        // Traffic of every kind: a message in, a reply, a read mark, the default scenario's
        // contact and profile changes (a few seconds after init).
        sim.inject_text(uin, None, "ping").unwrap();
        let chat = match bot.until(|e| matches!(e, Event::Message(_))) {
            Event::Message(m) => m.chat.clone(),
            _ => unreachable!(),
        };
        bot.send_text(&chat, "pong");
        bot.until(|e| matches!(e, Event::Sent { .. }));
        bot.until(|e| matches!(e, Event::ProfileChanged(_)));
        assert!(sim.end_session(uin, code));
        assert_eq!(
            bot.until(|e| matches!(e, Event::LoggedOut { .. })),
            Event::LoggedOut { reason },
            "{transport:?}"
        );
        assert_eq!(session(&sim).logouts, [kind], "{transport:?}");
        assert_official(&sim);
    }
}

#[test]
fn logged_in_elsewhere_posts_the_logout_form_of_type_1() {
    session_ended_by(1101, LogoutReason::LoggedInElsewhere, 1);
}

#[test]
fn logged_out_on_the_phone_posts_the_logout_form_of_type_0() {
    session_ended_by(1100, LogoutReason::LoggedOutOnPhone, 0);
}
