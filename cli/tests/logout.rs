//! `webwx logout` when the logout does not go through: it says so, keeps the session file and
//! fails; a later try that goes through deletes it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Account, text};
use webwx_sim::{Fault, FaultRule, Scenario};

fn live(account: &Account) -> bool {
    account
        .sim()
        .sessions()
        .iter()
        .any(|s| s.uin == account.uin && s.live)
}

#[test]
fn a_logout_the_server_fails_keeps_the_session_file() {
    let mut scenario = Scenario::default();
    scenario.faults.push(FaultRule {
        endpoint: "webwxlogout".into(),
        nth: 1,
        fault: Fault::Status(500),
    });
    let account = Account::login("logout-500", scenario);

    let failed = account.run(&["logout"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    let said = text(&failed);
    assert!(said.contains("logout failed"), "{said}");
    assert!(said.contains("HTTP 500"), "{said}");
    assert!(!said.contains("logged out;"), "{said}");
    assert!(account.file.exists(), "the session file is kept");
    assert!(live(&account));

    let again = account.run(&["logout"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("logged out;"), "{}", text(&again));
    assert!(!account.file.exists());
    assert!(!live(&account));
}

#[test]
fn a_logout_that_cannot_reach_the_server_keeps_the_session_file() {
    let mut scenario = Scenario::default();
    scenario.faults.push(FaultRule {
        endpoint: "webwxlogout".into(),
        nth: 1,
        fault: Fault::Drop,
    });
    let mut account = Account::login("logout-down", scenario);

    let dropped = account.run(&["logout"]);
    assert_eq!(dropped.status.code(), Some(1), "{}", text(&dropped));
    assert!(
        text(&dropped).contains("logout failed"),
        "{}",
        text(&dropped)
    );
    assert!(account.file.exists(), "the session file is kept");

    // The server is gone altogether.
    account.stop_server();
    let down = account.run(&["logout"]);
    assert_eq!(down.status.code(), Some(6), "{}", text(&down));
    let said = text(&down);
    assert!(
        said.contains("logout failed: could not reach 127.0.0.1"),
        "{said}"
    );
    assert!(said.contains("is kept"), "{said}");
    assert!(account.file.exists(), "the session file is kept");
}
