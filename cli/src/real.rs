//! The commands for the real service (or, with `--server`, any test server), and what they
//! share: `listen` and `logout` have files of their own.
//!
//! Saving never runs ahead of what was shown: a command saves the running session only at
//! points where every message it has taken from the session has been printed, and relies on the
//! transport's `save()` not saving past messages still waiting to be taken; so a message is
//! never marked as received without having been shown.

use crate::console;
use crate::failure::{CliError, Exit};
use crate::output::Names;
use crate::qr;
use crate::sanitize::{self, for_terminal};
use crate::session_file;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use webwx_core::ContactKind;
use webwx_core::message::decode_text;
use webwx_core::{
    Config, Endpoint, Event, FILE_HELPER, Hosts, RetryPolicy, SavedSession, SendFileError, SendKind,
};
use webwx_hyper::{Session, Transport};

/// A client configuration: a fresh seed from the clock and the process id, the login origin and
/// allowed host of `--server`.
pub(crate) fn config(server: Option<&str>, desktop: bool) -> Config {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // A person at a terminal wants a network failure reported within seconds, not after the
    // minutes of patience a bot gets (`listen` keeps the default).
    let mut config = Config::new(seed ^ (u64::from(std::process::id()) << 32))
        .with_desktop_mode(desktop)
        .with_retry(RetryPolicy::new(
            Duration::from_millis(500),
            Duration::from_secs(4),
            5,
        ));
    if let Some(server) = server {
        config = config
            .with_login_origin(server)
            .with_allowed_host(host_of(server));
    }
    config
}

/// The host of a URL (`http://127.0.0.1:8080/x` → `127.0.0.1`); the text itself if it is no URL.
pub(crate) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// The host an endpoint talks to, for error messages (the core's endpoint table decides).
pub(crate) fn host_for(config: &Config, hosts: Option<&Hosts>, endpoint: Endpoint) -> String {
    host_of(config.origin_of(endpoint, hosts))
}

/// Waits until the session is live. With `interactive`, a QR code is shown (or written to
/// `qr_png`); without, a QR code means the saved session is gone.
async fn until_live(
    session: &mut Session,
    config: &Config,
    hosts: Option<&Hosts>,
    interactive: bool,
    qr_png: Option<&Path>,
) -> Result<(), CliError> {
    while let Some(event) = session.next_event().await {
        match event {
            Event::Ready { .. } | Event::Resumed { .. } => return Ok(()),
            Event::QrCode { payload, .. } if interactive => match qr_png {
                Some(path) => {
                    let png = qr::png(&payload).map_err(|e| {
                        CliError::new(Exit::Failure, format!("cannot draw the QR code: {e}"))
                    })?;
                    std::fs::write(path, png).map_err(|e| {
                        CliError::new(
                            Exit::Failure,
                            format!("cannot write {}: {e}", path.display()),
                        )
                    })?;
                    console::note(&format!(
                        "scan the QR code in {} with WeChat on your phone",
                        path.display()
                    ));
                }
                None => console::note(&format!(
                    "{}\nscan this QR code with WeChat on your phone",
                    qr::terminal(&payload)
                )),
            },
            Event::QrCode { .. } => return Err(CliError::expired()),
            Event::QrExpired { .. } => console::note("the QR code expired; here is a new one"),
            Event::LoginCancelled => console::note("cancelled on the phone; here is a new QR code"),
            Event::Scanned { .. } => console::note("scanned: confirm the login on your phone"),
            Event::PushLoginSent { .. } => {
                console::note("the saved session had ended: confirm the login on your phone")
            }
            Event::ContactsProgress { contacts, .. } if interactive => {
                console::note(&format!("loaded {contacts} contacts"))
            }
            Event::Failed(e) => {
                return Err(CliError::from_core(&e, |ep| host_for(config, hosts, ep)));
            }
            Event::LoggedOut { .. } => return Err(CliError::expired()),
            _ => {}
        }
    }
    Err(CliError::expired())
}

/// Resumes the session at `path` and waits until it is live.
pub(crate) async fn resume(
    server: Option<&str>,
    path: &Path,
    patient: bool,
) -> Result<(Session, Config, Hosts), CliError> {
    let saved = session_file::load(path)?;
    let hosts = saved.hosts().clone();
    let mut config = config(server, false);
    if patient {
        config.retry = RetryPolicy::default();
    }
    let mut session = Session::resume(config.clone(), saved, Transport::new())
        .map_err(|e| CliError::new(Exit::SessionExpired, format!("{e}: run `webwx login`")))?;
    until_live(&mut session, &config, Some(&hosts), false, None).await?;
    Ok((session, config, hosts))
}

/// Saves the running session to `path`: its contacts first when they changed since they were
/// last written or read (see [`session_file`]), then the session state.
pub(crate) async fn save(session: &Session, path: &Path) -> Result<SavedSession, CliError> {
    let saved = session
        .save()
        .await
        .ok()
        .flatten()
        .ok_or_else(CliError::expired)?;
    let revision = session
        .contacts_revision()
        .await
        .map_err(|_| CliError::expired())?;
    if !session_file::contacts_current(path, revision) {
        session
            .with_contacts(|contacts| session_file::save_contacts(path, contacts, revision))
            .await
            .map_err(|_| CliError::expired())??;
    }
    session_file::save(path, &saved)?;
    Ok(saved)
}

/// `webwx login`.
pub(crate) async fn login(
    server: Option<&str>,
    path: &Path,
    qr_png: Option<&Path>,
    desktop: bool,
) -> Result<(), CliError> {
    if desktop {
        console::note(
            "warning: desktop mode imitates the desktop client to get past the web-login refusal (1203). \
             Since 2025 accounts using it have reported warnings and temporary bans. Use it at your own risk.",
        );
    }
    let config = config(server, desktop);
    let mut session = Session::start(config.clone());
    until_live(&mut session, &config, None, true, qr_png).await?;
    // Saved at `Ready` and stopped there: `login` shows no messages, so it takes none; whatever
    // arrives from here on is for `listen`, which resumes from this point.
    let saved = save(&session, path).await?;
    let contacts = session
        .with_contacts(|c| c.len())
        .await
        .map_err(|_| CliError::expired())?;
    drop(session);
    console::result(&format!(
        "logged in as {} ({contacts} contacts); session saved to {}",
        for_terminal(&decode_text(saved.user().nick_name())),
        path.display()
    ))
}

/// The user name `to` stands for: a user name itself, or a contact's display name.
pub(crate) fn resolve(names: &Names, to: &str) -> Result<String, CliError> {
    if names.0.get(to).is_some() || to == FILE_HELPER {
        return Ok(to.to_string());
    }
    let found = names.0.find_by_name(to);
    if let Some(c) = found.first() {
        return Ok(c.user_name().to_string());
    }
    let decoded: Vec<(String, &str)> = names
        .0
        .iter()
        .map(|c| (decode_text(c.display()), c.user_name()))
        .collect();
    if let Some((_, user)) = decoded.iter().find(|(name, _)| name == to) {
        return Ok((*user).to_string());
    }
    let mut closest: Vec<(f64, &String)> = decoded
        .iter()
        .map(|(name, _)| (strsim::normalized_levenshtein(name, to), name))
        .filter(|(score, _)| *score > 0.3)
        .collect();
    closest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let suggestions: Vec<String> = closest
        .iter()
        .take(5)
        .map(|(_, n)| for_terminal(n))
        .collect();
    let hint = if suggestions.is_empty() {
        "; `webwx contacts` lists them".to_string()
    } else {
        format!("; the closest names: {}", suggestions.join(", "))
    };
    Err(CliError::new(
        Exit::UnknownContact,
        format!("no contact is called {to:?}{hint}"),
    ))
}

/// What `webwx send` sends.
pub(crate) enum What {
    /// A text, mentioning these members (in a group).
    Text(String, Vec<String>),
    /// A file, checked to be of this kind (none: whatever its extension makes it).
    File(std::path::PathBuf, Option<SendKind>),
}

/// Files above this size get a progress bar.
const PROGRESS_ABOVE: u64 = 4 * 1024 * 1024;

/// `webwx send`.
pub(crate) async fn send(
    server: Option<&str>,
    path: &Path,
    to: &str,
    what: What,
) -> Result<(), CliError> {
    if let What::File(file, wanted) = &what {
        // Checked before anything talks to the server.
        if let Some(Err(e)) = wanted.map(|w| SendFileError::check_kind(file, w)) {
            return Err(CliError::new(
                Exit::Usage,
                format!(
                    "{} (the official client decides by extension; --file sends it as what it is)",
                    for_terminal(&e.to_string())
                ),
            ));
        }
        let size = std::fs::metadata(file)
            .map_err(|e| CliError::new(Exit::Usage, format!("{}: {e}", file.display())))?
            .len();
        if size == 0 {
            return Err(CliError::new(
                Exit::Usage,
                format!("{}: an empty file cannot be sent", file.display()),
            ));
        }
    }
    let (mut session, config, hosts) = resume(server, path, false).await?;
    // What the resume brought (the probe's answer) is kept before anything else happens.
    save(&session, path).await?;
    // The names looked up in the session's contacts, in place.
    let (user_name, members, shown) = Names::within(&session.handle(), |names| {
        let user_name = resolve(names, to)?;
        let members = match &what {
            What::Text(_, at) => at
                .iter()
                .map(|m| resolve_member(names, &user_name, m))
                .collect::<Result<Vec<_>, _>>()?,
            What::File(..) => Vec::new(),
        };
        let shown = names.of(&user_name);
        Ok::<_, CliError>((user_name, members, shown))
    })
    .await??;
    let mut bar = None;
    let handle = match &what {
        What::Text(text, at) if at.is_empty() => session
            .send_text(&user_name, text)
            .await
            .map_err(|e| CliError::new(Exit::Failure, e))?,
        What::Text(text, _) => session
            .handle()
            .send_text_mentioning(&user_name, text, &members)
            .await
            .map_err(|e| CliError::new(Exit::Failure, e))?,
        What::File(file, _) => {
            let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            if size > PROGRESS_ABOVE {
                let b = ProgressBar::new(size);
                b.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                b.set_message("uploading");
                bar = Some(b);
            }
            session
                .handle()
                .send_path(&user_name, file)
                .await
                .map_err(|e| match e {
                    SendFileError::Io { .. } | SendFileError::WrongKind { .. } => {
                        CliError::new(Exit::Usage, e)
                    }
                    other => CliError::new(Exit::Failure, other),
                })?
        }
    };
    // `send` shows no messages: once it has taken one, it keeps the save made before it (the
    // message comes again to `listen`) instead of saving past it.
    let mut took_message = false;
    while let Some(event) = session.next_event().await {
        match event {
            Event::Message(_) => took_message = true,
            Event::UploadProgress {
                handle: h, sent, ..
            } if h == handle => {
                if let Some(b) = &bar {
                    b.set_position(sent);
                }
            }
            Event::Sent {
                handle: h,
                msg_id,
                local_id,
                ..
            } if h == handle => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
                if !took_message {
                    save(&session, path).await?;
                }
                drop(session);
                return console::result(&format!(
                    "sent to {} (msg id {msg_id}, local id {local_id})",
                    for_terminal(&shown)
                ));
            }
            Event::SendFailed { handle: h, error } if h == handle => {
                if let Some(b) = bar.take() {
                    b.abandon();
                }
                return Err(CliError::from_core(&error, |ep| {
                    host_for(&config, Some(&hosts), ep)
                }));
            }
            Event::Failed(e) => {
                return Err(CliError::from_core(&e, |ep| {
                    host_for(&config, Some(&hosts), ep)
                }));
            }
            Event::LoggedOut { .. } => return Err(CliError::expired()),
            _ => {}
        }
    }
    Err(CliError::expired())
}

/// A member of `group` named `name` (a display name, nick name, remark or user name).
fn resolve_member(names: &Names, group: &str, name: &str) -> Result<String, CliError> {
    let Some(g) = names.0.get(group).filter(|g| g.is_group()) else {
        return Err(CliError::new(Exit::Usage, "--at is for groups"));
    };
    // The store's lookup (group display name, then nick name), then a user name or the remark
    // of a member who is a friend.
    names
        .0
        .find_member(group, name)
        .or_else(|| {
            g.members().iter().find(|m| {
                m.user_name == name
                    || names
                        .0
                        .get(&m.user_name)
                        .is_some_and(|c| decode_text(c.remark_name()) == name)
            })
        })
        .map(|m| m.user_name.clone())
        .ok_or_else(|| {
            CliError::new(
                Exit::UnknownContact,
                format!(
                    "no member of the group is called {name:?} (`webwx group members` lists them)"
                ),
            )
        })
}

/// Which contacts `webwx contacts` lists.
pub(crate) struct Filter {
    pub(crate) groups: bool,
    pub(crate) friends: bool,
    pub(crate) officials: bool,
    pub(crate) search: Option<String>,
}

impl Filter {
    /// The contacts of `store` it lets through: the store's own search, then the kinds.
    fn select<'a>(&self, store: &'a webwx_core::ContactStore) -> Vec<&'a webwx_core::Contact> {
        let found: Vec<&webwx_core::Contact> = match self.search.as_deref() {
            Some(text) => store.search(text).collect(),
            None => store.iter().collect(),
        };
        let kinds = self.groups || self.friends || self.officials;
        found
            .into_iter()
            .filter(|c| {
                !kinds
                    || (self.groups && c.kind() == ContactKind::Group)
                    || (self.friends && c.kind() == ContactKind::Friend)
                    || (self.officials && c.kind() == ContactKind::Official)
            })
            .collect()
    }
}

/// `webwx contacts`.
pub(crate) async fn contacts(
    server: Option<&str>,
    path: &Path,
    json: bool,
    filter: &Filter,
) -> Result<(), CliError> {
    let (session, ..) = resume(server, path, false).await?;
    save(&session, path).await?;
    let kind = |k: ContactKind| match k {
        ContactKind::Friend => "friend",
        ContactKind::Group => "group",
        ContactKind::Official => "official",
        ContactKind::Special => "special",
    };
    // The lines made from the session's contacts in place, printed once the session is let go.
    let lines = Names::within(&session.handle(), |names| {
        let selected = filter.select(&names.0);
        if json {
            let list: Vec<serde_json::Value> = selected
                .into_iter()
                .map(|c| {
                    serde_json::json!({"user_name": c.user_name(), "name": decode_text(c.display()), "kind": kind(c.kind()),
                        "remark_name": decode_text(c.remark_name()), "nick_name": decode_text(c.nick_name()),
                        "members": c.members().len()})
                })
                .collect();
            vec![sanitize::json_line(&serde_json::Value::Array(list))]
        } else {
            std::iter::once(format!("{:<9} {:<30} user name", "kind", "name"))
                .chain(selected.into_iter().map(|c| {
                    format!(
                        "{:<9} {:<30} {}",
                        kind(c.kind()),
                        for_terminal(&decode_text(c.display())),
                        for_terminal(c.user_name())
                    )
                }))
                .collect()
        }
    })
    .await?;
    drop(session);
    for line in lines {
        console::result(&line)?;
    }
    Ok(())
}
