//! Sends with a LocalID the application recorded beforehand: a second send with the same
//! LocalID (a service that made the send again after a crash) arrives once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;
use webwx_core::Event;
use webwx_hyper::{Session, Transport};
use webwx_sim::{Scenario, Simulator};
use webwx_tests::config_for;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_local_id_is_one_message() {
    let mut scenario = Scenario::default();
    scenario.phone.scan_after_ms = 50;
    scenario.phone.confirm_after_ms = 50;
    scenario.synccheck_hold_ms = 500;
    let sim = Simulator::start(scenario).await.unwrap();
    let mut session = Session::start_with(config_for(&sim, 7), Transport::new());
    let handle = session.handle();
    let wait = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match session.next_event().await {
                Some(Event::Ready { .. }) => break,
                Some(_) => {}
                None => panic!("the session ended before it was ready"),
            }
        }
    });
    wait.await.unwrap();
    let uin = sim.sessions()[0].uin;

    let local_id = handle.new_local_id().await.unwrap();
    assert_eq!(local_id.len(), 17, "{local_id}");
    assert!(
        handle
            .send_text_with_local_id("filehelper", "x", "12a")
            .await
            .is_err(),
        "a LocalID that is not digits is refused"
    );
    let mut sent = Vec::new();
    for _ in 0..2 {
        handle
            .send_text_with_local_id("filehelper", "once", &local_id)
            .await
            .unwrap();
    }
    tokio::time::timeout(Duration::from_secs(20), async {
        while sent.len() < 2 {
            match session.next_event().await {
                Some(Event::Sent {
                    local_id: l,
                    msg_id,
                    ..
                }) => sent.push((l, msg_id)),
                Some(Event::SendFailed { error, .. }) => panic!("{error}"),
                Some(_) => {}
                None => panic!("the session ended"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(sent[0], sent[1], "both sends are the same message");
    assert_eq!(sent[0].0, local_id);
    let recorded = sim.sent(uin).unwrap();
    let once: Vec<_> = recorded.iter().filter(|m| m.content == "once").collect();
    assert_eq!(once.len(), 1, "{recorded:?}");
    assert_eq!(once[0].local_id, local_id);
    assert!(
        sim.sessions()[0].deviations.is_empty(),
        "{:?}",
        sim.sessions()[0].deviations
    );
}
