//! Answers are compressed for clients that accept it, as the real server compresses them for the
//! browser; clients that do not ask get them as they are.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use serde_json::Value;
use std::io::Read;
use webwx_sim::Simulator;

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn inflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn a_large_contact_list_comes_back_gzipped_to_a_browser_and_plain_to_others() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let path = api(
        &l,
        "webwxgetcontact",
        &format!("&r=1&seq=0&skey={}", l.skey),
    );
    let fetch = |encoding: Option<&'static str>| {
        let (base, path, l) = (base.clone(), path.clone(), l.clone());
        async move {
            let mut headers = vec![l.cookie_header()];
            if let Some(e) = encoding {
                headers.push(("accept-encoding", e.to_string()));
            }
            send_raw(&base, "GET", &path, &headers, vec![])
                .await
                .unwrap()
        }
    };

    let plain = fetch(None).await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert!(plain.body.len() > 10_000, "{}", plain.body.len());
    let plain_json: Value = plain.json();
    assert_eq!(plain_json["MemberCount"], 27);

    let browser = fetch(Some("gzip, deflate, br")).await;
    assert_eq!(browser.status, 200);
    assert_eq!(browser.headers["content-encoding"], "gzip");
    assert_eq!(
        browser.headers["content-length"],
        browser.body.len().to_string().as_str()
    );
    assert_eq!(browser.headers["vary"], "Accept-Encoding");
    assert!(browser.body.len() < plain.body.len() / 3);
    let decoded = gunzip(&browser.body);
    assert_eq!(decoded, plain.body);
    assert_eq!(
        serde_json::from_slice::<Value>(&decoded).unwrap(),
        plain_json
    );
    assert_eq!(
        fetch(Some("gzip, deflate, br")).await.body,
        browser.body,
        "deterministic"
    );

    let deflate = fetch(Some("deflate")).await;
    assert_eq!(deflate.headers["content-encoding"], "deflate");
    assert_eq!(inflate(&deflate.body), plain.body, "zlib-wrapped");

    let refused = fetch(Some("gzip;q=0, br")).await;
    assert!(refused.headers.get("content-encoding").is_none());
    assert_eq!(refused.body, plain.body);

    // Small answers and images go out as they are.
    let small = get(
        &base,
        "/jslogin?appid=wx782c26e4c19acffb&fun=new",
        &[("accept-encoding", "gzip".into())],
    )
    .await;
    assert!(small.headers.get("content-encoding").is_none());
    assert!(small.text().starts_with("window.QRLogin.code = 200;"));
    let id = uuid(&base).await;
    let png = get(
        &base,
        &format!("/qrcode/{id}"),
        &[("accept-encoding", "gzip".into())],
    )
    .await;
    assert!(png.headers.get("content-encoding").is_none());
    assert!(png.body.starts_with(b"\x89PNG"));

    // The admin API too: a large state compresses.
    let state = send_raw(
        &base,
        "GET",
        "/__sim/state",
        &[("accept-encoding", "gzip".into())],
        vec![],
    )
    .await
    .unwrap();
    let plain_state = get(&base, "/__sim/state", &[]).await;
    assert!(plain_state.body.len() > 1024);
    assert_eq!(state.headers["content-encoding"], "gzip");
    assert_eq!(gunzip(&state.body), plain_state.body);
}
