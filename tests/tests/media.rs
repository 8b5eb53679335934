//! Media through both transports against the simulator: every received kind downloaded, byte for
//! byte what the simulator stored, with the official client's requests (no deviation); a
//! download past the media cap stops at the cap; avatars.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use webwx_core::{DownloadError, Event, Message, Variant};
use webwx_sim::{MediaKind, Scenario, Simulator};
use webwx_tests::{Bot, KINDS, config_for};

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 150;
    s.phone.confirm_after_ms = 100;
    s.synccheck_hold_ms = 600;
    s.messages.count = 0;
    s
}

fn ready(bot: &mut Bot) -> u64 {
    match bot.until(|e| matches!(e, Event::Ready { .. })) {
        Event::Ready { user, .. } => user.uin(),
        _ => unreachable!(),
    }
}

/// The message `msg_id`, waiting for it.
fn message(bot: &mut Bot, msg_id: &str) -> Message {
    if let Some(m) = bot.seen.iter().find_map(|e| match e {
        Event::Message(m) if m.id == msg_id => Some(m.clone()),
        _ => None,
    }) {
        return *m;
    }
    match bot.until(|e| matches!(e, Event::Message(m) if m.id == msg_id)) {
        Event::Message(m) => *m,
        _ => unreachable!(),
    }
}

fn assert_official(sim: &Simulator) {
    for s in sim.sessions() {
        assert!(s.deviations.is_empty(), "departures: {:?}", s.deviations);
    }
}

#[test]
fn every_received_kind_downloads_byte_for_byte() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 21));
        let uin = ready(&mut bot);
        let mut stored = Vec::new();
        for kind in [
            MediaKind::Image,
            MediaKind::Voice,
            MediaKind::Video,
            MediaKind::ShortVideo,
            MediaKind::Sticker,
        ] {
            stored.push(sim.inject_media(uin, kind).unwrap());
        }
        stored.push(
            sim.inject_file(uin, "季度报告 final.pdf", 3 * 1024 * 1024 + 7)
                .unwrap(),
        );
        for s in &stored {
            let m = message(&mut bot, &s.msg_id);
            let media = m
                .media()
                .unwrap_or_else(|| panic!("{:?}: no media", s.kind));
            let got = bot.download(&media, Variant::Full).unwrap();
            assert!(
                got == s.bytes,
                "{transport:?} {:?}: {} bytes, stored {}",
                s.kind,
                got.len(),
                s.bytes.len()
            );
            if let Some(thumb) = &s.thumbnail {
                let got = bot.download(&media, Variant::Thumbnail).unwrap();
                assert!(&got == thumb, "{transport:?} {:?} thumbnail", s.kind);
            }
            if s.kind == MediaKind::File {
                assert_eq!(media.file_name, "季度报告 final.pdf");
                assert_eq!(media.size, Some(3 * 1024 * 1024 + 7));
            }
        }
        assert_official(&sim);
    }
}

#[test]
fn a_download_past_the_cap_stops_at_the_cap() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut config = config_for(&sim, 22);
        config.limits.max_media_bytes = 256 * 1024;
        let mut bot = Bot::start(transport, config);
        let uin = ready(&mut bot);
        let video = sim.inject_media(uin, MediaKind::Video).unwrap();
        assert!(video.bytes.len() > 1024 * 1024);
        let m = message(&mut bot, &video.msg_id);
        let err = bot
            .download(&m.media().unwrap(), Variant::Full)
            .unwrap_err();
        match err {
            DownloadError::TooLarge { limit, written } => {
                assert_eq!(limit, 256 * 1024);
                assert!(written <= limit, "{transport:?}: {written}");
            }
            other => panic!("{transport:?}: {other:?}"),
        }
        // A small one still fits.
        let sticker = sim.inject_media(uin, MediaKind::Sticker).unwrap();
        let m = message(&mut bot, &sticker.msg_id);
        assert_eq!(
            bot.download(&m.media().unwrap(), Variant::Full).unwrap(),
            sticker.bytes
        );
        assert_official(&sim);
    }
}

/// Received media forwarded by MediaId (Scene 2, nothing downloaded or uploaded): the simulator
/// records each with its type and media, and sees nothing the official client would not do.
#[test]
fn received_media_forwarded_by_media_id() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 23));
        let uin = ready(&mut bot);
        let kinds = [
            (MediaKind::Image, 3),
            (MediaKind::Video, 43),
            (MediaKind::ShortVideo, 62),
            (MediaKind::Sticker, 47),
        ];
        let mut want = Vec::new();
        for (kind, msg_type) in kinds {
            let s = sim.inject_media(uin, kind).unwrap();
            let m = message(&mut bot, &s.msg_id);
            bot.forward(&m, "filehelper");
            let id = if kind == MediaKind::Sticker {
                s.md5.clone()
            } else {
                s.media_id.clone()
            };
            want.push((msg_type, id));
        }
        let file = sim.inject_file(uin, "plan.xlsx", 20_000).unwrap();
        let m = message(&mut bot, &file.msg_id);
        bot.forward(&m, "filehelper");
        want.push((6, file.media_id.clone()));
        // Some answers came while the next message was awaited: count every one seen.
        let outcomes = |bot: &Bot| {
            bot.seen
                .iter()
                .filter(|e| matches!(e, Event::Sent { .. } | Event::SendFailed { .. }))
                .count()
        };
        while outcomes(&bot) < want.len() {
            bot.until(|e| matches!(e, Event::Sent { .. } | Event::SendFailed { .. }));
        }
        assert!(
            !bot.seen
                .iter()
                .any(|e| matches!(e, Event::SendFailed { .. })),
            "{transport:?}"
        );
        let recorded: Vec<(i64, String, i64)> = sim
            .sent(uin)
            .unwrap()
            .into_iter()
            .map(|m| (m.msg_type, m.media_id, m.scene))
            .collect();
        let want: Vec<(i64, String, i64)> = want.into_iter().map(|(t, id)| (t, id, 2)).collect();
        assert_eq!(recorded, want, "{transport:?}");
        assert_official(&sim);
    }
}

/// Progress is told as the bytes arrive, with the total the server gave; the callback can cancel.
#[test]
fn progress_and_cancellation() {
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 24));
        let uin = ready(&mut bot);
        let file = sim.inject_file(uin, "big.bin", 2 * 1024 * 1024).unwrap();
        let m = message(&mut bot, &file.msg_id);
        let media = m.media().unwrap();
        let (bytes, reports) = bot.download_until(&media, Variant::Full, u64::MAX).unwrap();
        assert_eq!(bytes.len(), 2 * 1024 * 1024);
        assert!(reports.len() > 1, "{transport:?}: told as it goes");
        assert!(reports.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            reports.last(),
            Some(&(2 * 1024 * 1024, Some(2 * 1024 * 1024)))
        );
        let err = bot
            .download_until(&media, Variant::Full, 64 * 1024)
            .unwrap_err();
        match err {
            DownloadError::Cancelled { written } => {
                assert!((64 * 1024..2 * 1024 * 1024).contains(&written), "{written}");
            }
            other => panic!("{transport:?}: {other:?}"),
        }
        assert_official(&sim);
    }
}
