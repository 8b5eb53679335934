//! The `webwx-sim` program: first line of output, options, serving until killed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn prints_its_address_first_and_serves_a_login() {
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/scenarios/qr-expiry.json"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_webwx-sim"))
        .args([
            "--port",
            "0",
            "--contacts",
            "3",
            "--messages",
            "2",
            "--scenario",
            scenario,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(stream, "GET /jslogin?appid=wx782c26e4c19acffb HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    assert!(out.contains("window.QRLogin.code = 200;"), "{out}");
    child.kill().unwrap();
    child.wait().unwrap();
}
