//! What the session files hold and when they are written: the small session file whenever a
//! command saves, the contacts file beside it only when the contacts changed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::{Account, text};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use webwx_sim::Scenario;

/// When the file was last written (an atomic write makes a new file, with the time of its
/// writing, to nanoseconds).
fn written(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn contacts_file(account: &Account) -> PathBuf {
    let mut name = account.file.as_os_str().to_owned();
    name.push(".contacts.json");
    PathBuf::from(name)
}

#[test]
fn contacts_are_written_apart_and_only_when_they_changed() {
    let mut scenario = Scenario::default();
    scenario.messages.count = 0;
    let account = Account::login("saving", scenario);
    let contacts = contacts_file(&account);

    // Both files are private; the session file is small and holds no contacts.
    for file in [&account.file, &contacts] {
        let meta = std::fs::metadata(file).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600, "{}", file.display());
    }
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&account.file).unwrap()).unwrap();
    assert_eq!(session["version"], 2);
    assert!(session.get("contacts").is_none());
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&contacts).unwrap()).unwrap();
    let friend = &account.friend;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|c| c["UserName"] == friend.as_str()),
        "the contacts file lists the friends"
    );

    // A send saves the session, not the unchanged contacts.
    let (session_before, contacts_before) = (written(&account.file), written(&contacts));
    let sent = account.run(&["send", "--to", friend, "你好"]);
    assert!(sent.status.success(), "{}", text(&sent));
    assert_ne!(
        written(&account.file),
        session_before,
        "the session was saved"
    );
    assert_eq!(
        written(&contacts),
        contacts_before,
        "the contacts were not written again"
    );

    // A remark changes a contact: the contacts are written again, with it.
    let remarked = account.run(&["remark", "--to", friend, "老同学"]);
    assert!(remarked.status.success(), "{}", text(&remarked));
    assert_ne!(written(&contacts), contacts_before);
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&contacts).unwrap()).unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["UserName"] == friend.as_str())
        .unwrap();
    assert_eq!(entry["RemarkName"], "老同学");

    // A session whose contacts file is gone still resumes (with the contacts it learns) and
    // writes the file again.
    std::fs::remove_file(&contacts).unwrap();
    let sent = account.run(&["send", "--to", "filehelper", "hi"]);
    assert!(sent.status.success(), "{}", text(&sent));
    assert!(contacts.exists(), "written again at the next save");
}
