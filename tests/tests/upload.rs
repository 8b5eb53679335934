//! Sending files through both transports against the simulator: a 3-chunk image, a 30 MiB file
//! through webwxcheckupload, a video, a sticker, a stream with its MD5; each received by the
//! simulator byte for byte (by MD5 and size) with no deviation from the official client; a
//! connection dropped in the middle of chunk 2 goes on from chunk 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use webwx_core::{CHUNK_SIZE, Endpoint, Error, Event, FileInfo, SendFileError, SendHandle};
use webwx_sim::{Fault, FaultRule, Scenario, Simulator};
use webwx_tests::{Bot, KINDS, config_for};

fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 100;
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

fn assert_official(sim: &Simulator) {
    for s in sim.sessions() {
        assert!(s.deviations.is_empty(), "departures: {:?}", s.deviations);
    }
}

/// Deterministic bytes, different for each `seed`.
fn bytes_of(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + usize::from(seed) * 7) % 251) as u8)
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("webwx-upload-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits for the outcome of `handle`: the server's MsgID, or the error.
fn outcome(bot: &mut Bot, handle: SendHandle) -> Result<String, Error> {
    let done = |e: &Event| matches!(e, Event::Sent { handle: h, .. } | Event::SendFailed { handle: h, .. } if *h == handle);
    let event = match bot.seen.iter().find(|e| done(e)) {
        Some(e) => e.clone(),
        None => bot.until(done),
    };
    match event {
        Event::Sent { msg_id, .. } => Ok(msg_id),
        Event::SendFailed { error, .. } => Err(error),
        _ => unreachable!(),
    }
}

/// The progress reported for `handle`, in order.
fn progress(bot: &Bot, handle: SendHandle) -> Vec<u64> {
    bot.seen
        .iter()
        .filter_map(|e| match e {
            Event::UploadProgress {
                handle: h, sent, ..
            } if *h == handle => Some(*sent),
            _ => None,
        })
        .collect()
}

#[test]
fn every_kind_is_uploaded_and_received_byte_for_byte() {
    let dir = Dir::new("kinds");
    let image = bytes_of(2 * CHUNK_SIZE + 4321, 1);
    let video = bytes_of(CHUNK_SIZE + 99, 2);
    let sticker = bytes_of(40_000, 3);
    let big = bytes_of(30 * 1024 * 1024, 4);
    let files = [
        ("chart.png", &image, 3, 3),
        ("clip.mp4", &video, 43, 2),
        ("party.gif", &sticker, 47, 1),
        ("archive 2026.tar.gz", &big, 6, 60),
    ];
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, bytes, ..)| dir.file(name, bytes))
        .collect();
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 31));
        let uin = ready(&mut bot);
        let friend = sim.sessions()[0].friends[1].clone();
        let handles: Vec<SendHandle> = paths
            .iter()
            .map(|p| bot.send_path(&friend, p).unwrap())
            .collect();
        for (h, (name, bytes, _, chunks)) in handles.iter().zip(&files) {
            outcome(&mut bot, *h).unwrap_or_else(|e| panic!("{transport:?} {name}: {e}"));
            let p = progress(&bot, *h);
            assert_eq!(
                p.last(),
                Some(&(bytes.len() as u64)),
                "{transport:?} {name}"
            );
            assert_eq!(
                p.len(),
                *chunks,
                "{transport:?} {name}: one report per chunk"
            );
        }
        let sent = sim.sent(uin).unwrap();
        assert_eq!(sent.len(), files.len(), "{transport:?}");
        for (m, (name, bytes, msg_type, _)) in sent.iter().zip(&files) {
            assert_eq!(m.msg_type, *msg_type, "{transport:?} {name}");
            assert_eq!(m.to, friend);
            assert_eq!(m.media_md5, md5_hex(bytes), "{transport:?} {name}");
            assert_eq!(m.media_size, bytes.len() as u64, "{transport:?} {name}");
            let upload = sim.upload(uin, &m.media_id).unwrap();
            assert_eq!(upload.file_name, *name);
            assert_eq!(upload.bytes.as_deref(), Some(bytes.as_slice()));
            assert_eq!(upload.checked, bytes.len() > 25 * 1024 * 1024, "{name}");
        }
        assert_official(&sim);
    }
}

#[test]
fn a_connection_dropped_in_chunk_2_goes_on_from_chunk_2() {
    let dir = Dir::new("drop");
    let image = bytes_of(3 * CHUNK_SIZE - 10, 5);
    let path = dir.file("photo.jpg", &image);
    for transport in KINDS {
        let mut s = scenario();
        s.faults.push(FaultRule {
            endpoint: "webwxuploadmedia".into(),
            nth: 2,
            fault: Fault::DropMidBody,
        });
        let sim = Simulator::spawn(s).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 32));
        let uin = ready(&mut bot);
        let h = bot.send_path("filehelper", &path).unwrap();
        outcome(&mut bot, h).unwrap();
        // Chunk 1 (the second) was retried once; chunk 0 was never sent again.
        let c = CHUNK_SIZE as u64;
        assert_eq!(progress(&bot, h), [c, 2 * c, image.len() as u64]);
        let retries = bot
            .seen
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Retrying {
                        endpoint: Endpoint::UploadMedia,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(retries, 1, "{transport:?}");
        let sent = sim.sent(uin).unwrap();
        assert_eq!(sent[0].media_md5, md5_hex(&image));
        assert_official(&sim);
    }
}

#[test]
fn a_stream_needs_its_md5() {
    let data = bytes_of(CHUNK_SIZE + 5, 6);
    for transport in KINDS {
        let sim = Simulator::spawn(scenario()).unwrap();
        let mut bot = Bot::start(transport, config_for(&sim, 33));
        let uin = ready(&mut bot);
        let md5 = webwx_core::parse_md5(&md5_hex(&data)).unwrap();
        let info = FileInfo::new("stream.bin", data.len() as u64).md5(md5);
        let h = bot.send_stream("filehelper", info, data.clone()).unwrap();
        outcome(&mut bot, h).unwrap();
        assert_eq!(sim.sent(uin).unwrap()[0].media_md5, md5_hex(&data));
        // Without the MD5 a stream would have to be read twice.
        let info = FileInfo::new("again.bin", data.len() as u64);
        let h = bot.send_stream("filehelper", info, data.clone()).unwrap();
        match outcome(&mut bot, h) {
            Err(Error::Upload { file, reason, .. }) => {
                assert_eq!(file, "again.bin");
                assert!(reason.contains("MD5"), "{reason}");
            }
            other => panic!("{transport:?}: {other:?}"),
        }
        // A missing file.
        assert!(matches!(
            bot.send_path("filehelper", Path::new("/nonexistent/x.png")),
            Err(SendFileError::Io { .. })
        ));
        assert_eq!(sim.sent(uin).unwrap().len(), 1);
        assert_official(&sim);
    }
}
