//! Load runs: messages at a fixed rate over every live session, stamped for latency, and the
//! long-poll gauge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use webwx_sim::{LoadError, LoadSpec, Scenario, Simulator};

/// [`quick`], with synccheck held long enough to see it in the gauge.
fn held() -> Scenario {
    let mut s = quick();
    s.synccheck_hold_ms = 2_000;
    s
}

async fn wait_until_done(sim: &Simulator) {
    for _ in 0..500 {
        if !sim.load_status().running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the load run did not end");
}

#[tokio::test]
async fn a_load_run_spreads_stamped_messages_over_the_live_sessions() {
    let sim = Simulator::start(held()).await.unwrap();
    let base = sim.base_url();
    assert_eq!(
        sim.start_load(LoadSpec {
            rate_per_s: 100,
            duration_ms: 100,
            seed: 1
        }),
        Err(LoadError::NoSessions),
        "nobody to send to yet"
    );
    let mut logins = vec![];
    for _ in 0..4 {
        let l = login(&base).await;
        let key = init(&base, &l).await["SyncKey"].clone();
        logins.push((l, key));
    }
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let spec = LoadSpec {
        rate_per_s: 2_000,
        duration_ms: 100,
        seed: 7,
    };
    sim.start_load(spec).unwrap();
    assert_eq!(sim.start_load(spec), Err(LoadError::Busy));
    wait_until_done(&sim).await;
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros();
    let status = sim.load_status();
    assert_eq!(
        (status.queued, status.skipped, status.sessions),
        (200, 0, 4)
    );

    let mut numbers = vec![];
    for (l, key) in &logins {
        // Every session got some (a seeded spread of 200 over 4), with a stamp from the run.
        let mut got = 0;
        let mut key = key.clone();
        loop {
            let answer = sync(&base, l, &key).await.json();
            for m in answer["AddMsgList"].as_array().unwrap() {
                let text = m["Content"].as_str().unwrap();
                let mut words = text.split(' ');
                assert_eq!(words.next(), Some("load"));
                numbers.push(words.next().unwrap().parse::<u64>().unwrap());
                let stamp: u128 = words.next().unwrap().parse().unwrap();
                assert!((before..=after).contains(&stamp), "{stamp} not in the run");
                got += 1;
            }
            key = answer["SyncKey"].clone();
            if answer["ContinueFlag"] == 0 {
                break;
            }
        }
        assert!(got > 20, "a fair share, got {got}");
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (0..200).collect::<Vec<_>>(), "each number once");
}

#[tokio::test]
async fn the_admin_api_runs_load_and_counts_long_polls() {
    let sim = Simulator::start(held()).await.unwrap();
    let base = sim.base_url();
    let l = login(&base).await;
    let key = init(&base, &l).await["SyncKey"].clone();
    let bad = send(
        &base,
        "POST",
        "/__sim/load",
        &[],
        br#"{"rate_per_s":0,"duration_ms":5}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(bad.status, 409);
    let bad = send(&base, "POST", "/__sim/load", &[], b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(bad.status, 400);

    // A held synccheck shows in the gauge, and the load run answers it.
    let poll = {
        let (base, l, key) = (base.clone(), l.clone(), key.clone());
        tokio::spawn(async move { synccheck(&base, &l, &key).await })
    };
    for _ in 0..200 {
        if sim.load_status().long_polls == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(get(&base, "/__sim/load", &[]).await.json()["long_polls"], 1);
    let started = send(
        &base,
        "POST",
        "/__sim/load",
        &[],
        serde_json::to_vec(&json!({"rate_per_s": 1000, "duration_ms": 10})).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(started.status, 200);
    assert_eq!(
        poll.await.unwrap(),
        "window.synccheck={retcode:\"0\",selector:\"2\"}"
    );
    wait_until_done(&sim).await;
    let status = get(&base, "/__sim/load", &[]).await.json();
    assert_eq!(status["queued"], 10);
    assert_eq!(status["long_polls"], 0);
    assert_eq!(status["running"], false);
}

#[tokio::test]
async fn bytes_answers_that_many_bytes_uncompressed_and_capped() {
    let sim = Simulator::start(quick()).await.unwrap();
    let base = sim.base_url();
    let gzip = [("accept-encoding", "gzip".to_string())];
    let r = get(&base, "/__sim/bytes/65536", &gzip).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 65_536);
    assert!(r.headers.get("content-encoding").is_none());
    assert_eq!(get(&base, "/__sim/bytes/0", &[]).await.body.len(), 0);
    let r = get(&base, "/__sim/bytes/999999999", &[]).await;
    assert_eq!(r.body.len(), 1024 * 1024, "capped at 1 MiB");
    assert_eq!(get(&base, "/__sim/bytes/many", &[]).await.status, 400);
    assert_eq!(
        get(&base, "/__sim/bytes/1?hold_ms=x", &[]).await.status,
        400
    );
    let held = tokio::spawn({
        let base = base.clone();
        async move { get(&base, "/__sim/bytes/3072?hold_ms=500", &[]).await }
    });
    let mut seen = false;
    for _ in 0..40 {
        if sim.load_status().long_polls == 1 {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen, "a held answer is counted in the long-poll gauge");
    assert_eq!(held.await.unwrap().body.len(), 3072);
    assert_eq!(sim.load_status().long_polls, 0);
}
