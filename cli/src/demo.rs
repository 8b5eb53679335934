//! `webwx demo`: a whole session against the embedded simulator, with no phone and no network.

use crate::console;
use crate::failure::{CliError, Exit};
use crate::media;
use crate::output::{self, Names};
use crate::qr;
use crate::sanitize::for_terminal;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use webwx_core::message::decode_text;
use webwx_core::{Config, Content, Event, Outcome};
use webwx_hyper::Session;
use webwx_sim::{ContactSpec, MessageSpec, Scenario, Simulator};

/// The fault schedule of `--faults`.
const FAULTS: &str = include_str!("../../fixtures/scenarios/faults.json");

/// Every how many messages the demo answers one.
const ECHO_EVERY: usize = 3;

pub(crate) async fn run(contacts: usize, messages: usize, faults: bool) -> Result<(), CliError> {
    let started = Instant::now();
    let mut scenario = if faults {
        Scenario::from_json(FAULTS).map_err(|e| CliError::new(Exit::Failure, e))?
    } else {
        Scenario::default()
    };
    scenario.contacts = ContactSpec {
        friends: contacts,
        ..scenario.contacts
    };
    scenario.messages = MessageSpec {
        count: messages,
        interval_ms: 40,
        start_after_ms: 300,
    };
    scenario.phone.scan_after_ms = 800;
    scenario.phone.confirm_after_ms = 500;
    scenario.synccheck_hold_ms = 2_000;
    let sim = Simulator::start(scenario)
        .await
        .map_err(|e| CliError::new(Exit::Failure, format!("cannot start the simulator: {e}")))?;
    say(&format!("simulator listening on {}", sim.base_url()))?;

    let mut config = Config::new(7)
        .with_login_origin(sim.base_url())
        .with_allowed_host("127.0.0.1")
        .with_min_send_interval(Duration::from_millis(50));
    config.retry.base = Duration::from_millis(100);
    config.retry.cap = Duration::from_secs(1);
    config.request_timeout = Duration::from_secs(5);
    let mut session = Session::start(config);
    let handle = session.handle();

    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let mut names = Names::default();
    // Everything received is saved here; named in the summary.
    let media_dir = std::env::temp_dir().join(format!("webwx-demo-{}", std::process::id()));
    std::fs::create_dir_all(&media_dir).map_err(|e| {
        CliError::new(
            Exit::Failure,
            format!("cannot create {}: {e}", media_dir.display()),
        )
    })?;
    let (mut saved_media, mut images_back, mut failed) = (0usize, 0usize, 0usize);
    let (mut received, mut echoed, mut sent, mut retries) = (0usize, 0usize, 0usize, 0usize);
    let mut kinds = BTreeSet::new();
    let mut me = String::new();
    let mut logging_out = false;
    // Friend requests being accepted (each then greeted), and how many were.
    let (mut accepting, mut accepted) = (Vec::new(), 0usize);
    while let Some(event) = session.next_event().await {
        match event {
            Event::QrCode { payload, .. } => {
                say(&qr::terminal(&payload))?;
                say(&format!(
                    "scan with WeChat (the simulated phone scans in a moment): {}",
                    for_terminal(&payload)
                ))?;
            }
            Event::Scanned { .. } => say("scanned; the phone confirms…")?,
            Event::LoggedIn { uin } => {
                say(&format!("logged in (uin {uin}); loading contacts…"))?;
                spinner.enable_steady_tick(Duration::from_millis(80));
            }
            Event::ContactsProgress { contacts, pages } => {
                spinner.set_message(format!("{contacts} contacts loaded ({pages} pages)"));
            }
            Event::Ready { user, counts } => {
                spinner.finish_and_clear();
                me = for_terminal(&decode_text(user.nick_name()));
                say(&format!(
                    "ready as {me}: {} friends, {} groups ({} members), {} official accounts",
                    counts.friends, counts.groups, counts.group_members, counts.officials
                ))?;
                if let Ok(current) = Names::of_running(&handle).await {
                    names = current;
                }
            }
            Event::Message(m) => {
                received += 1;
                kinds.insert(m.content.kind());
                say(&output::human(&m, &names))?;
                if let (Content::Text(text), false) = (&m.content, m.outgoing)
                    && received % ECHO_EVERY == 1
                {
                    let reply = format!("echo: {text}");
                    if handle.send_text(&m.chat, &reply).await.is_ok() {
                        echoed += 1;
                    }
                }
                match media::save(&handle, &m, &media_dir).await {
                    Some(media::Saved::At(path)) => {
                        saved_media += 1;
                        say(&format!("  saved {}", path.display()))?;
                    }
                    Some(media::Saved::Failed(why)) => {
                        say(&format!("  not saved: {}", for_terminal(&why)))?;
                    }
                    None => {}
                }
                // A friend request is accepted; the new friend is greeted once it is done.
                if let (Content::FriendRequest { nick_name, .. }, false) = (&m.content, m.outgoing)
                    && let Ok(h) = handle.accept_request(&m).await
                {
                    accepting.push((h, decode_text(nick_name)));
                }
                // The first image from a friend goes back to them, forwarded by its MediaId.
                if let (Content::Image, false, false, 0) =
                    (&m.content, m.outgoing, m.is_group, images_back)
                    && handle.forward(&m, &m.chat).await.is_ok()
                {
                    images_back += 1;
                    echoed += 1;
                }
            }
            Event::Sent { .. } => sent += 1,
            Event::Done {
                handle: h,
                outcome: Outcome::FriendAccepted { user_name },
            } => {
                let nick = accepting
                    .iter()
                    .find(|(a, _)| *a == h)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                accepting.retain(|(a, _)| *a != h);
                accepted += 1;
                say(&format!(
                    "accepted the friend request of {}; greeting them",
                    for_terminal(&nick)
                ))?;
                if handle
                    .send_text(&user_name, "你好！很高兴认识你 (hello from webwx)")
                    .await
                    .is_ok()
                {
                    echoed += 1;
                }
            }
            Event::SendFailed { handle: h, error } => {
                accepting.retain(|(a, _)| *a != h);
                failed += 1;
                say(&format!(
                    "a reply failed: {}",
                    for_terminal(&error.to_string())
                ))?;
            }
            Event::Retrying {
                endpoint,
                delay,
                cause,
                ..
            } => {
                retries += 1;
                say(&format!(
                    "  (fault: {endpoint} {}; retrying in {} ms)",
                    for_terminal(&cause.to_string()),
                    delay.as_millis()
                ))?;
            }
            Event::LoggedOut { reason } => {
                say(&format!("logged out: {reason}"))?;
                break;
            }
            Event::Failed(e) => return Err(CliError::new(Exit::Failure, e)),
            _ => {}
        }
        if !logging_out
            && received >= messages
            && sent + failed >= echoed
            && accepting.is_empty()
            && !me.is_empty()
        {
            logging_out = true;
            say(&format!("all {messages} messages received; logging out"))?;
            handle
                .logout()
                .await
                .map_err(|e| CliError::new(Exit::Failure, e))?;
        }
    }
    let kinds: Vec<&str> = kinds.into_iter().collect();
    say(&format!(
        "summary: {received} messages received ({} kinds: {}), {sent} replies sent ({images_back} an image sent back), {accepted} friend requests accepted, {saved_media} media saved in {}, {} requests to the simulator, {retries} retries, {:.1} s",
        kinds.len(),
        kinds.join(", "),
        media_dir.display(),
        sim.requests(),
        started.elapsed().as_secs_f64()
    ))
}

/// Prints a line of the demo; a reader that has gone ends the demo quietly.
fn say(line: &str) -> Result<(), CliError> {
    console::result(line)
}
