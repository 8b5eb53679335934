//! The `webwx` program, run as a person would: the demo end to end, and every real-service
//! command against the simulator through `--server`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Output};
use webwx_sim::{Refusal, Scenario, Simulator};

fn webwx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_webwx"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn summary(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("summary: "))
        .unwrap_or_else(|| panic!("no summary in:\n{}", text(out)))
        .to_string()
}

#[test]
fn the_demo_runs_a_whole_session() {
    let out = webwx(&["demo", "--contacts", "40", "--messages", "18"]);
    assert!(out.status.success(), "{}", text(&out));
    let s = summary(&out);
    assert!(
        s.starts_with("summary: 18 messages received (15 kinds: "),
        "{s}"
    );
    assert!(s.contains(" 0 retries"), "{s}");
    // Every received media is saved in the folder the summary names; an image went back.
    assert!(s.contains("(1 an image sent back)"), "{s}");
    assert!(s.contains(", 1 friend requests accepted,"), "{s}");
    let saved: usize = s
        .split(" media saved in ")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{s}"));
    let dir = s
        .split(" media saved in ")
        .nth(1)
        .and_then(|rest| rest.split(", ").next())
        .unwrap_or_else(|| panic!("{s}"));
    assert!(saved >= 5, "{s}");
    let files = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(files, saved, "{dir}");
    let _ = std::fs::remove_dir_all(dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ready as "), "{stdout}");
    assert!(stdout.contains("40 friends"), "{stdout}");
    assert!(
        stdout.contains("logged out: logged out on request"),
        "{stdout}"
    );
    assert!(stdout.contains("▀"), "the QR code is drawn");
}

#[test]
fn the_demo_stops_quietly_when_its_reader_goes_away() {
    use std::io::{BufRead, Read};
    let mut child = Command::new(env!("CARGO_BIN_EXE_webwx"))
        .args(["demo", "--contacts", "20", "--messages", "30"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("simulator listening on "), "{first}");
    // As `webwx demo | head -1`: the reader has what it wanted.
    drop(out);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_demo_survives_the_fault_schedule() {
    let out = webwx(&["demo", "--contacts", "30", "--messages", "24", "--faults"]);
    assert!(out.status.success(), "{}", text(&out));
    let s = summary(&out);
    // The 24 of the schedule, and what accepting a friend request brings (a system line).
    let received: usize = s
        .strip_prefix("summary: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{s}"));
    assert!((24..=27).contains(&received), "{s}");
    let retries: usize = s
        .split(" retries")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retries >= 4, "{s}");
}

#[test]
fn login_listen_send_contacts_logout_against_a_server() {
    let mut scenario = Scenario::default();
    scenario.phone.scan_after_ms = 100;
    scenario.phone.confirm_after_ms = 100;
    scenario.synccheck_hold_ms = 500;
    let sim = Simulator::spawn(scenario).unwrap();
    let base = sim.base_url();
    let dir = std::env::temp_dir().join(format!("webwx-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("session.json");
    let session = file.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--server", base.as_str(), "--session", session];
        all.extend_from_slice(args);
        webwx(&all)
    };

    let login = run(&["login"]);
    assert!(login.status.success(), "{}", text(&login));
    assert!(
        text(&login).contains("session saved to"),
        "{}",
        text(&login)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the session file is private");
    }
    let uin = sim.sessions()[0].uin;
    let friend = sim.sessions()[0].friends[1].clone();

    sim.inject_text(uin, Some(&friend), "第一条").unwrap();
    sim.inject_text(uin, Some(&friend), "second").unwrap();
    let listen = run(&["listen", "--json", "--count", "2"]);
    assert!(listen.status.success(), "{}", text(&listen));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&listen.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let messages: Vec<&serde_json::Value> =
        lines.iter().filter(|v| v["event"] == "message").collect();
    assert_eq!(messages.len(), 2, "{lines:?}");
    assert_eq!(messages[0]["text"], "第一条");
    assert_eq!(messages[0]["chat"], friend.as_str());

    // Send by display name (the friend's remark or nick name, as `contacts` shows it).
    let contacts = run(&["contacts", "--json"]);
    assert!(contacts.status.success(), "{}", text(&contacts));
    let list: serde_json::Value = serde_json::from_slice(&contacts.stdout).unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_name"] == friend.as_str())
        .unwrap();
    let name = entry["name"].as_str().unwrap().to_string();
    let sent = run(&["send", "--to", &name, "你好 from the CLI"]);
    assert!(sent.status.success(), "{}", text(&sent));
    let recorded = sim.sent(uin).unwrap();
    assert_eq!(
        recorded.last().map(|m| (m.to.as_str(), m.content.as_str())),
        Some((friend.as_str(), "你好 from the CLI"))
    );

    let unknown = run(&["send", "--to", &format!("{name}x"), "hi"]);
    assert_eq!(unknown.status.code(), Some(5), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("closest names"),
        "{}",
        text(&unknown)
    );
    assert!(text(&unknown).contains(&name), "{}", text(&unknown));

    let table = run(&["contacts"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("filehelper"));

    let logout = run(&["logout"]);
    assert!(logout.status.success(), "{}", text(&logout));
    assert!(!file.exists());
    assert!(!sim.sessions().iter().any(|s| s.uin == uin && s.live));
    let after = run(&["send", "--to", &name, "hi"]);
    assert_eq!(after.status.code(), Some(4), "{}", text(&after));
    assert!(
        text(&after).contains("run `webwx login`"),
        "{}",
        text(&after)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_refused_login_says_what_to_try() {
    let mut scenario = Scenario::default();
    scenario.phone.scan_after_ms = 50;
    scenario.phone.confirm_after_ms = 50;
    scenario.phone.refuse = Some(Refusal::web_login_blocked());
    let sim = Simulator::spawn(scenario).unwrap();
    let file = std::env::temp_dir().join(format!("webwx-cli-refused-{}.json", std::process::id()));
    let out = webwx(&[
        "--server",
        &sim.base_url(),
        "--session",
        file.to_str().unwrap(),
        "login",
        "--qr-png",
        std::env::temp_dir()
            .join(format!("webwx-qr-{}.png", std::process::id()))
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("1203") && t.contains(&Refusal::web_login_blocked().message),
        "{t}"
    );
    assert!(t.contains("--desktop"), "{t}");
    assert!(!file.exists());
}

#[test]
fn an_unreachable_server_is_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let file = std::env::temp_dir().join(format!("webwx-cli-down-{}.json", std::process::id()));
    let out = webwx(&[
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "--session",
        file.to_str().unwrap(),
        "login",
    ]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        text(&out).contains("could not reach 127.0.0.1"),
        "{}",
        text(&out)
    );
}
