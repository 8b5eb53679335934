//! `webwx listen`: prints events until stopped, and saves the session whenever everything it
//! has taken is shown.
//!
//! When it saves: after each batch of events it has printed (as soon as no further event is
//! waiting), within two seconds of the cursor moving without an event to show (an answer with
//! nothing new), when `--count` is reached, and when it is stopped by Ctrl-C, SIGTERM or a reader
//! closing standard output (see [`crate::stops`]); those stops exit with 0. A message that
//! could not be printed (the reader went away just then) is not saved past: the session keeps
//! the last save, so the next `listen` shows it (and, at worst, a few shown just before it)
//! again rather than never.

use crate::console;
use crate::failure::{CliError, Exit};
use crate::media;
use crate::output::{self, Names};
use crate::real::{host_for, resume, save};
use crate::sanitize;
use crate::stops::{Stop, Stops};
use std::path::Path;
use std::time::Duration;
use webwx_core::Event;
use webwx_hyper::Session;

/// How often `listen` looks whether the cursor moved without an event to show (a save costs
/// tens of microseconds and a small file write, and is made only when it moved).
const CURSOR_CHECK: Duration = Duration::from_secs(2);

/// The next event if one is already waiting (`Some(None)`: the session has ended), without
/// waiting for one.
async fn waiting_event(session: &mut Session) -> Option<Option<Event>> {
    tokio::select! {
        biased;
        event = session.next_event() => Some(event),
        () = std::future::ready(()) => None,
    }
}

/// The line `event` prints, if any: every event a program needs as JSON with `json`, messages
/// only for a person; with where the message's media went (`saved` or `save_error` in JSON, a
/// second line for a person).
fn line(event: &Event, names: &Names, json: bool, saved: Option<&media::Saved>) -> Option<String> {
    if json {
        let mut value = output::event_json(event, names)?;
        if let (Some(saved), serde_json::Value::Object(fields)) = (saved, &mut value) {
            let (key, text) = match saved {
                media::Saved::At(path) => ("saved", path.display().to_string()),
                media::Saved::Failed(why) => ("save_error", why.clone()),
            };
            fields.insert(key.to_string(), text.into());
        }
        Some(sanitize::json_line(&value))
    } else if let Event::Message(m) = event {
        let line = output::human(m, names);
        Some(match saved {
            None => line,
            Some(media::Saved::At(path)) => format!("{line}\n  saved: {}", path.display()),
            Some(media::Saved::Failed(why)) => {
                format!("{line}\n  not saved: {}", sanitize::for_terminal(why))
            }
        })
    } else {
        None
    }
}

/// `webwx listen`.
pub(crate) async fn listen(
    server: Option<&str>,
    path: &Path,
    json: bool,
    count: Option<usize>,
    save_media: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(dir) = save_media {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::new(
                Exit::Failure,
                format!("--save-media {}: {e}", dir.display()),
            )
        })?;
    }
    // Installed first: a stop while the session resumes ends the command at once (nothing was
    // taken yet, so there is nothing to save).
    let mut stops = Stops::install();
    let resumed = tokio::select! {
        resumed = resume(server, path, true) => resumed?,
        _ = stops.next() => return Ok(()),
    };
    let (mut session, config, hosts) = resumed;
    // The SyncKey of the last save: the cursor can also move without an event to show (an
    // answer with nothing new in it), and is saved then too, within `CURSOR_CHECK`.
    let mut saved_key = save(&session, path).await?.sync_key().clone();
    let mut cursor_check = tokio::time::interval(CURSOR_CHECK);
    cursor_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut names = Names::of_running(&session.handle()).await?;
    if !json {
        console::note("listening (Ctrl-C to stop)");
    }
    let mut received = 0;
    // Events taken (and shown) since the last save.
    let mut unsaved = false;
    loop {
        if count.is_some_and(|n| received >= n) {
            break;
        }
        let event = match waiting_event(&mut session).await {
            Some(event) => event,
            None => {
                // The batch is over and all of it is shown: keep it.
                if std::mem::take(&mut unsaved) {
                    saved_key = save(&session, path).await?.sync_key().clone();
                }
                tokio::select! {
                    event = session.next_event() => event,
                    _ = cursor_check.tick() => {
                        let moved = session
                            .save()
                            .await
                            .ok()
                            .flatten()
                            .is_some_and(|now| *now.sync_key() != saved_key);
                        if moved {
                            saved_key = save(&session, path).await?.sync_key().clone();
                        }
                        continue;
                    }
                    stop = stops.next() => {
                        if let (Stop::Signal(name), false) = (stop, json) {
                            console::note(&format!("stopped by {name}"));
                        }
                        break;
                    }
                }
            }
        };
        let Some(event) = event else {
            return Err(CliError::expired());
        };
        match &event {
            Event::Message(m) => {
                received += 1;
                if let webwx_core::Content::FriendRequest {
                    user_name,
                    nick_name,
                    greeting,
                    ticket,
                } = &m.content
                {
                    // Kept for `webwx accept`.
                    crate::ops::keep_request(
                        path,
                        crate::ops::Request {
                            user_name: user_name.clone(),
                            nick_name: nick_name.clone(),
                            greeting: greeting.clone(),
                            ticket: ticket.expose().clone(),
                        },
                    )?;
                }
            }
            Event::ContactChanged(_)
            | Event::ContactRemoved { .. }
            | Event::GroupMembersChanged { .. } => {
                names.follow(&event, &session.handle()).await;
            }
            Event::Failed(e) => {
                return Err(CliError::from_core(e, |ep| {
                    host_for(&config, Some(&hosts), ep)
                }));
            }
            Event::LoggedOut { reason } => {
                let _ = std::fs::remove_file(path);
                return Err(CliError::new(
                    Exit::SessionExpired,
                    format!("{reason}: run `webwx login`"),
                ));
            }
            _ => {}
        }
        if let (Some(note), false) = (output::connection_note(&event), json) {
            console::note(&note);
        }
        let saved = match (&event, save_media) {
            (Event::Message(m), Some(dir)) => media::save(&session.handle(), m, dir).await,
            _ => None,
        };
        if let Some(line) = line(&event, &names, json, saved.as_ref())
            && let Err(e) = console::print(&line)
        {
            // Not shown. Anything but a message may be saved past; a message must come again.
            if !matches!(event, Event::Message(_)) {
                save(&session, path).await?;
            }
            return Err(CliError::output(e));
        }
        unsaved = true;
    }
    save(&session, path).await?;
    Ok(())
}
