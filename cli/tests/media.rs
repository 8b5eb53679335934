//! `webwx send --image/--file/...` and `webwx download` against the simulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::{Account, text};
use webwx_sim::{MediaKind, Scenario};

#[test]
fn send_files_and_download_a_received_image() {
    let mut scenario = Scenario::default();
    scenario.messages.count = 0;
    let account = Account::login("media", scenario);
    let (sim, uin, friend) = (account.sim(), account.uin, account.friend.clone());
    let dir = account.dir.clone();
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| account.run(args);

    // An image (two chunks) and a file card.
    let image: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let png = dir.join("chart.png");
    std::fs::write(&png, &image).unwrap();
    let sent = run(&["send", "--to", &friend, "--image", png.to_str().unwrap()]);
    assert!(sent.status.success(), "{}", text(&sent));
    let doc = dir.join("minutes.txt");
    std::fs::write(&doc, "the minutes").unwrap();
    let sent = run(&["send", "--to", &friend, "--file", doc.to_str().unwrap()]);
    assert!(sent.status.success(), "{}", text(&sent));
    let recorded = sim.sent(uin).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!((recorded[0].msg_type, recorded[0].media_size), (3, 700_000));
    assert_eq!(
        (recorded[1].msg_type, recorded[1].file_name.as_str()),
        (6, "minutes.txt")
    );
    // The extension decides: a text file is no image (refused before connecting).
    let wrong = run(&["send", "--to", &friend, "--image", doc.to_str().unwrap()]);
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(text(&wrong).contains("sent as file"), "{}", text(&wrong));

    // A received image: listen prints its media, download fetches it later.
    let stored = sim.inject_media(uin, MediaKind::Image).unwrap();
    let listen = run(&["listen", "--json", "--count", "1"]);
    assert!(listen.status.success(), "{}", text(&listen));
    let line = String::from_utf8_lossy(&listen.stdout)
        .lines()
        .find(|l| l.contains("\"media\""))
        .unwrap_or_else(|| panic!("{}", text(&listen)))
        .to_string();
    let out = dir.join("got.jpg");
    let got = run(&[
        "download",
        "--message",
        &line,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(got.status.success(), "{}", text(&got));
    assert_eq!(std::fs::read(&out).unwrap(), stored.bytes);
    // Each command is a new process, to the simulator a page reloaded within one session: its
    // jQuery counter starts again (the `underscore:` rule). Nothing else may differ.
    for s in sim.sessions() {
        let other: Vec<&String> = s
            .deviations
            .iter()
            .filter(|d| !d.starts_with("underscore:"))
            .collect();
        assert!(other.is_empty(), "{other:?}");
    }
}
