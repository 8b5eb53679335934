//! The ureq transport against the simulator: answers, 3xx not followed, each error kind, caps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;
use webwx_core::TransportErrorKind;
use webwx_core::bytes::Bytes;
use webwx_sim::{Fault, FaultRule, Scenario, Simulator};
use webwx_ureq::Transport;

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[test]
fn answers_and_error_kinds() {
    let mut s = Scenario::default();
    let rule = |nth, fault| FaultRule {
        endpoint: "jslogin".into(),
        nth,
        fault,
    };
    s.faults = vec![
        rule(2, Fault::DelayMs(1_500)),
        rule(3, Fault::Drop),
        rule(4, Fault::Truncate),
        rule(5, Fault::Status(503)),
    ];
    let sim = Simulator::spawn(s).unwrap();
    let t = Transport::new();
    let js = format!("{}/jslogin?appid=wx782c26e4c19acffb", sim.base_url());
    let ok = t.execute(get(&js), Duration::from_secs(5)).unwrap();
    assert!(ok.body().starts_with(b"window.QRLogin.code = 200;"));
    let kind = |r: Result<_, webwx_ureq::TransportError>| r.err().map(|e| e.kind());
    assert_eq!(
        kind(t.execute(get(&js), Duration::from_millis(300))),
        Some(TransportErrorKind::Timeout)
    );
    assert_eq!(
        kind(t.execute(get(&js), Duration::from_secs(5))),
        Some(TransportErrorKind::Reset),
        "dropped"
    );
    assert_eq!(
        kind(t.execute(get(&js), Duration::from_secs(5))),
        Some(TransportErrorKind::Reset),
        "truncated"
    );
    assert_eq!(
        t.execute(get(&js), Duration::from_secs(5))
            .unwrap()
            .status(),
        503,
        "a 5xx is an answer"
    );

    // A 3xx comes back as it is.
    let out = t
        .execute(
            get(&format!(
                "{}/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1",
                sim.base_url()
            )),
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(out.status(), 302);

    // Bodies are capped.
    let small = Transport::new().with_max_body(100);
    let png = format!("{}/qrcode/abc", sim.base_url());
    assert_eq!(
        kind(small.execute(get(&png), Duration::from_secs(5))),
        Some(TransportErrorKind::BodyTooLarge)
    );

    // Nothing listens: a connect error.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = t
        .execute(
            get(&format!("http://127.0.0.1:{port}/")),
            Duration::from_secs(5),
        )
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
}
