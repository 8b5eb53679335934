//! The hyper transport against the simulator: answers, 3xx not followed, each error kind, caps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;
use webwx_core::TransportErrorKind;
use webwx_core::bytes::Bytes;
use webwx_hyper::Transport;
use webwx_sim::{Fault, FaultRule, Scenario, Simulator};

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn answers_and_error_kinds() {
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
    let sim = Simulator::start(s).await.unwrap();
    let t = Transport::new();
    let js = format!("{}/jslogin?appid=wx782c26e4c19acffb", sim.base_url());
    let ok = t.execute(get(&js), Duration::from_secs(5)).await.unwrap();
    assert!(ok.body().starts_with(b"window.QRLogin.code = 200;"));
    let timed_out = t
        .execute(get(&js), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(timed_out.kind(), TransportErrorKind::Timeout);
    assert_eq!(
        t.execute(get(&js), Duration::from_secs(5))
            .await
            .unwrap_err()
            .kind(),
        TransportErrorKind::Reset,
        "dropped"
    );
    assert_eq!(
        t.execute(get(&js), Duration::from_secs(5))
            .await
            .unwrap_err()
            .kind(),
        TransportErrorKind::Reset,
        "truncated"
    );
    assert_eq!(
        t.execute(get(&js), Duration::from_secs(5))
            .await
            .unwrap()
            .status(),
        503,
        "a 5xx is an answer"
    );

    let out = t
        .execute(
            get(&format!(
                "{}/cgi-bin/mmwebwx-bin/webwxlogout?redirect=1",
                sim.base_url()
            )),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(out.status(), 302, "a 3xx comes back as it is");

    let small = Transport::new().with_max_body(100);
    let png = format!("{}/qrcode/abc", sim.base_url());
    assert_eq!(
        small
            .execute(get(&png), Duration::from_secs(5))
            .await
            .unwrap_err()
            .kind(),
        TransportErrorKind::BodyTooLarge
    );

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
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
}
