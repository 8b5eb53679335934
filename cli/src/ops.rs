//! The commands that change contacts and groups: `revoke`, `accept`, `remark`, `pin`,
//! `group create|add|remove|rename|quit|members`, and the friend requests `listen` keeps for
//! `accept` (`<session>.requests.json`, private like the session file).

use crate::console;
use crate::failure::{CliError, Exit};
use crate::output::Names;
use crate::real::{host_for, resolve, resume, save};
use crate::sanitize::for_terminal;
use crate::session_file;
use std::path::{Path, PathBuf};
use webwx_core::message::decode_text;
use webwx_core::{Event, Outcome, SendHandle, SessionError};
use webwx_hyper::{Session, SessionHandle};

/// A friend request `listen` saw, kept until `accept` uses it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Request {
    pub(crate) user_name: String,
    pub(crate) nick_name: String,
    pub(crate) greeting: String,
    pub(crate) ticket: String,
}

fn requests_path(session: &Path) -> PathBuf {
    let mut name = session.file_name().unwrap_or_default().to_os_string();
    name.push(".requests.json");
    session.with_file_name(name)
}

/// The friend requests kept beside the session file.
pub(crate) fn load_requests(session: &Path) -> Vec<Request> {
    std::fs::read(requests_path(session))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn store_requests(session: &Path, requests: &[Request]) -> Result<(), CliError> {
    let path = requests_path(session);
    let bytes = serde_json::to_vec(requests).unwrap_or_default();
    session_file::write_private(&path, &bytes).map_err(|e| {
        CliError::new(
            Exit::Failure,
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

/// Keeps a friend request (`listen` calls it as one arrives); the latest of a user replaces
/// an earlier one.
pub(crate) fn keep_request(session: &Path, request: Request) -> Result<(), CliError> {
    let mut all = load_requests(session);
    all.retain(|r| r.user_name != request.user_name);
    all.push(request);
    store_requests(session, &all)
}

/// Runs one operation on a resumed session and waits for its outcome: `resolve` reads the names
/// it needs in the session's contacts (as they are after the resume; no copy of them is made),
/// `op` makes the request with what it found.
async fn run_op<T>(
    server: Option<&str>,
    path: &Path,
    resolve: impl FnOnce(&Names) -> Result<T, CliError>,
    op: impl AsyncFnOnce(&SessionHandle, T) -> Result<SendHandle, CliError>,
) -> Result<Outcome, CliError> {
    let (mut session, config, hosts) = resume(server, path, false).await?;
    // What the resume brought (the probe's answer) is kept before anything else happens.
    save(&session, path).await?;
    let found = Names::within(&session.handle(), resolve).await??;
    let handle = op(&session.handle(), found).await?;
    let mut took_message = false;
    wait(&mut session, path, handle, &mut took_message, |ep| {
        host_for(&config, Some(&hosts), ep)
    })
    .await
}

/// Waits for the outcome of `handle`. The session file is written then (the contacts the
/// outcome changed are in it), unless a message was taken meanwhile (`took_message`, kept across
/// waits): `listen` shows it, so the save made before it stays, as `send` does.
async fn wait(
    session: &mut Session,
    path: &Path,
    handle: SendHandle,
    took_message: &mut bool,
    host: impl Fn(webwx_core::Endpoint) -> String,
) -> Result<Outcome, CliError> {
    while let Some(event) = session.next_event().await {
        match event {
            Event::Message(_) => *took_message = true,
            Event::Done { handle: h, outcome } if h == handle => {
                if !*took_message {
                    save(session, path).await?;
                }
                return Ok(outcome);
            }
            Event::SendFailed { handle: h, error } if h == handle => {
                return Err(CliError::from_core(&error, host));
            }
            Event::Failed(e) => return Err(CliError::from_core(&e, host)),
            Event::LoggedOut { .. } => return Err(CliError::expired()),
            _ => {}
        }
    }
    Err(CliError::expired())
}

fn session_error(e: SessionError) -> CliError {
    CliError::new(Exit::Failure, e)
}

/// `webwx revoke`.
pub(crate) async fn revoke(
    server: Option<&str>,
    path: &Path,
    to: &str,
    msg_id: &str,
    local_id: &str,
) -> Result<(), CliError> {
    run_op(
        server,
        path,
        |names| resolve(names, to),
        async |h: &SessionHandle, to: String| {
            h.revoke(&to, msg_id, local_id).await.map_err(session_error)
        },
    )
    .await?;
    console::result("revoked")
}

/// `webwx accept [NAME | --all]`: friend requests `listen` kept.
pub(crate) async fn accept(
    server: Option<&str>,
    path: &Path,
    who: Option<&str>,
    all: bool,
) -> Result<(), CliError> {
    let requests = load_requests(path);
    let chosen: Vec<Request> = match (who, all) {
        (_, true) => requests.clone(),
        (Some(who), false) => requests
            .iter()
            .filter(|r| r.user_name == who || decode_text(&r.nick_name) == who)
            .cloned()
            .collect(),
        (None, false) => {
            for r in &requests {
                console::result(&format!(
                    "{}  {}  {}",
                    for_terminal(&decode_text(&r.nick_name)),
                    for_terminal(&decode_text(&r.greeting)),
                    r.user_name
                ))?;
            }
            return Ok(());
        }
    };
    if chosen.is_empty() {
        return Err(CliError::new(
            Exit::UnknownContact,
            "no such friend request (`webwx listen` keeps them as they arrive; `webwx accept` lists them)",
        ));
    }
    let (mut session, config, hosts) = resume(server, path, false).await?;
    let mut left = requests;
    let mut took_message = false;
    for r in &chosen {
        let handle = session
            .handle()
            .accept_friend(&r.user_name, &r.ticket)
            .await
            .map_err(session_error)?;
        wait(&mut session, path, handle, &mut took_message, |ep| {
            host_for(&config, Some(&hosts), ep)
        })
        .await?;
        left.retain(|k| k.user_name != r.user_name);
        store_requests(path, &left)?;
        console::result(&format!(
            "accepted {}",
            for_terminal(&decode_text(&r.nick_name))
        ))?;
    }
    Ok(())
}

/// `webwx remark`.
pub(crate) async fn remark(
    server: Option<&str>,
    path: &Path,
    to: &str,
    remark: &str,
) -> Result<(), CliError> {
    run_op(
        server,
        path,
        |names| resolve(names, to),
        async |h: &SessionHandle, to: String| {
            h.set_remark(&to, remark).await.map_err(session_error)
        },
    )
    .await?;
    console::result("remark set")
}

/// `webwx pin`.
pub(crate) async fn pin(
    server: Option<&str>,
    path: &Path,
    to: &str,
    pinned: bool,
) -> Result<(), CliError> {
    run_op(
        server,
        path,
        |names| resolve(names, to),
        async |h: &SessionHandle, to: String| {
            h.set_pinned(&to, pinned).await.map_err(session_error)
        },
    )
    .await?;
    console::result(if pinned { "pinned" } else { "unpinned" })
}

/// What `webwx group` does.
pub(crate) enum GroupAction {
    Create { topic: String, members: Vec<String> },
    Add { group: String, members: Vec<String> },
    Remove { group: String, members: Vec<String> },
    Rename { group: String, topic: String },
    Quit { group: String },
}

/// `webwx group ...`.
pub(crate) async fn group(
    server: Option<&str>,
    path: &Path,
    action: GroupAction,
) -> Result<(), CliError> {
    let resolve_all = |names: &Names, list: &[String]| -> Result<Vec<String>, CliError> {
        list.iter().map(|m| resolve(names, m)).collect()
    };
    // The group (when there is one) and the members, as user names.
    let outcome = run_op(
        server,
        path,
        |names| {
            Ok(match &action {
                GroupAction::Create { members, .. } => {
                    (String::new(), resolve_all(names, members)?)
                }
                GroupAction::Add { group, members } | GroupAction::Remove { group, members } => {
                    (resolve(names, group)?, resolve_all(names, members)?)
                }
                GroupAction::Rename { group, .. } | GroupAction::Quit { group } => {
                    (resolve(names, group)?, Vec::new())
                }
            })
        },
        async |h: &SessionHandle, (group, members): (String, Vec<String>)| {
            let r = match &action {
                GroupAction::Create { topic, .. } => h.create_group(&members, topic).await,
                GroupAction::Add { .. } => h.add_members(&group, &members).await,
                GroupAction::Remove { .. } => h.remove_members(&group, &members).await,
                GroupAction::Rename { topic, .. } => h.rename_group(&group, topic).await,
                GroupAction::Quit { .. } => h.quit_group(&group).await,
            };
            r.map_err(session_error)
        },
    )
    .await?;
    console::result(&match outcome {
        Outcome::GroupCreated { group, topic_set } => format!(
            "created {group}{}",
            if topic_set {
                ""
            } else {
                " (its name could not be set)"
            }
        ),
        Outcome::MembersAdded {
            invited, members, ..
        } => format!(
            "{} {} member(s)",
            if invited { "invited" } else { "added" },
            members.len()
        ),
        Outcome::MembersRemoved { members, .. } => format!("removed {} member(s)", members.len()),
        Outcome::GroupRenamed { topic, .. } => format!("renamed to {}", for_terminal(&topic)),
        Outcome::GroupQuit { .. } => "left the group".to_string(),
        other => format!("{other:?}"),
    })
}

/// `webwx group members GROUP`: the members of a group, from the saved session.
pub(crate) fn members(path: &Path, group: &str, json: bool) -> Result<(), CliError> {
    let saved = session_file::load(path)?;
    let names = Names::of_saved(&saved);
    let user_name = resolve(&names, group)?;
    let Some(g) = saved.contacts().get(&user_name) else {
        return Err(CliError::new(Exit::UnknownContact, "no such group"));
    };
    for m in g.members() {
        let line = if json {
            crate::sanitize::json_line(&serde_json::json!({
                "user_name": m.user_name, "nick_name": decode_text(&m.nick_name),
                "display_name": decode_text(&m.display_name)}))
        } else {
            format!(
                "{:<30} {}",
                for_terminal(&decode_text(m.display())),
                for_terminal(&m.user_name)
            )
        };
        console::result(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_kept_beside_the_session_once_per_user() {
        let dir = std::env::temp_dir().join(format!("webwx-req-{}", std::process::id()));
        let session = dir.join("session.json");
        let r = |u: &str, g: &str| Request {
            user_name: u.into(),
            nick_name: "n".into(),
            greeting: g.into(),
            ticket: "t".into(),
        };
        keep_request(&session, r("@a", "hi")).unwrap();
        keep_request(&session, r("@b", "yo")).unwrap();
        keep_request(&session, r("@a", "again")).unwrap();
        let kept = load_requests(&session);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].greeting, "again");
        assert!(requests_path(&session).ends_with("session.json.requests.json"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
