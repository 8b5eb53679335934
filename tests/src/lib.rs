//! End-to-end tests across the webwx crates: whole sessions through both transports
//! (`webwx-ureq`, `webwx-hyper`) against the simulator (`webwx-sim`).
//!
//! The library part is the harness: [`Bot`] puts both transports behind one blocking interface,
//! so every scenario in `tests/` runs through each of them unchanged.

#![forbid(unsafe_code)]
// Test code: a failed expectation is a panic.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod child_sim;
pub mod hostile;
pub mod login_floor;
pub mod procfs;

use std::time::Duration;
use webwx_core::{Config, ConnectTo, Event, SavedSession, SendHandle};
use webwx_sim::Simulator;

/// Which transport a [`Bot`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `webwx-ureq`.
    Ureq,
    /// `webwx-hyper`.
    Hyper,
}

/// Both transports.
pub const KINDS: [Kind; 2] = [Kind::Ureq, Kind::Hyper];

/// How long a test waits for one event before it fails.
pub const EVENT_WAIT: Duration = Duration::from_secs(30);

enum Inner {
    Ureq(webwx_ureq::Session),
    Hyper(tokio::runtime::Runtime, Option<webwx_hyper::Session>),
}

/// A session through one transport, with a blocking interface.
pub struct Bot {
    inner: Inner,
    /// Every event seen so far.
    pub seen: Vec<Event>,
}

/// A client configuration for the simulator: its origin allowed, short timeouts and pacing so
/// tests run fast.
pub fn config_for(sim: &Simulator, seed: u64) -> Config {
    config_for_origin(&sim.base_url(), seed)
}

/// [`config_for`] for any server on loopback at `origin` (`http://127.0.0.1:PORT`).
pub fn config_for_origin(origin: &str, seed: u64) -> Config {
    let mut config = Config::new(seed)
        .with_login_origin(origin)
        .with_allowed_host("127.0.0.1")
        .with_min_send_interval(Duration::from_millis(5));
    config.request_timeout = Duration::from_secs(3);
    config.long_poll_timeout = Duration::from_secs(10);
    config.retry.base = Duration::from_millis(50);
    config.retry.cap = Duration::from_millis(400);
    config
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"))
}

/// A [`Bot`] method for a session-handle operation of both transports (the same name and
/// arguments), returning the handle or panicking with why it was refused.
macro_rules! op {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) -> SendHandle {
            let result = match &self.inner {
                Inner::Ureq(s) => s.handle().$name($($arg),*).map_err(|e| e.to_string()),
                Inner::Hyper(rt, Some(s)) => rt
                    .block_on(s.handle().$name($($arg),*))
                    .map_err(|e| e.to_string()),
                Inner::Hyper(_, None) => Err("stopped".to_string()),
            };
            result.unwrap_or_else(|e| panic!("{}: {e}", stringify!($name)))
        }
    };
}

impl Bot {
    op!(/// Takes back a sent message.
        revoke(to: &str, msg_id: &str, local_id: &str));
    op!(/// Accepts the friend request a message carries.
        accept_request(m: &webwx_core::Message));
    op!(/// Asks someone to be friends.
        request_friend(user_name: &str, greeting: &str));
    op!(/// Sets a remark.
        set_remark(user_name: &str, remark: &str));
    op!(/// Pins or unpins a chat.
        set_pinned(user_name: &str, pinned: bool));
    op!(/// Creates a group.
        create_group(members: &[String], topic: &str));
    op!(/// Adds members to a group.
        add_members(group: &str, members: &[String]));
    op!(/// Removes members from a group.
        remove_members(group: &str, members: &[String]));
    op!(/// Renames a group.
        rename_group(group: &str, topic: &str));
    op!(/// Leaves a group.
        quit_group(group: &str));
    op!(/// Searches the server's contacts.
        search_contacts(keyword: &str));
    op!(/// Sends a group text mentioning members.
        send_text_mentioning(group: &str, text: &str, members: &[String]));

    /// A copy of the session's contact store.
    pub fn contacts(&self) -> webwx_core::ContactStore {
        let copy = match &self.inner {
            Inner::Ureq(s) => s.with_contacts(webwx_core::ContactStore::clone).ok(),
            Inner::Hyper(rt, s) => s.as_ref().and_then(|s| {
                rt.block_on(s.with_contacts(webwx_core::ContactStore::clone))
                    .ok()
            }),
        };
        copy.unwrap_or_default()
    }

    /// Starts a QR login.
    pub fn start(kind: Kind, config: Config) -> Bot {
        Bot::start_routed(kind, config, ConnectTo::default())
    }

    /// Starts a QR login through a transport with `routes` (host families on one simulator).
    pub fn start_routed(kind: Kind, config: Config, routes: ConnectTo) -> Bot {
        let inner = match kind {
            Kind::Ureq => {
                let transport = webwx_ureq::Transport::new().with_connect_to(routes);
                Inner::Ureq(webwx_ureq::Session::start_with(config, transport))
            }
            Kind::Hyper => {
                let rt = runtime();
                let session = rt.block_on(async {
                    let transport = webwx_hyper::Transport::new().with_connect_to(routes);
                    webwx_hyper::Session::start_with(config, transport)
                });
                Inner::Hyper(rt, Some(session))
            }
        };
        Bot {
            inner,
            seen: Vec::new(),
        }
    }

    /// Resumes a saved session.
    pub fn resume(kind: Kind, config: Config, saved: SavedSession) -> Bot {
        let inner = match kind {
            Kind::Ureq => Inner::Ureq(
                webwx_ureq::Session::resume(config, saved, webwx_ureq::Transport::new())
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
            Kind::Hyper => {
                let rt = runtime();
                let session = rt.block_on(async {
                    webwx_hyper::Session::resume(config, saved, webwx_hyper::Transport::new())
                        .unwrap_or_else(|e| panic!("{e}"))
                });
                Inner::Hyper(rt, Some(session))
            }
        };
        Bot {
            inner,
            seen: Vec::new(),
        }
    }

    /// The next event, or `None` when the session ended; panics after [`EVENT_WAIT`].
    pub fn next_event(&mut self) -> Option<Event> {
        let event = match &mut self.inner {
            Inner::Ureq(s) => match s.next_event_timeout(EVENT_WAIT) {
                Ok(e) => Some(e),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "no event within {EVENT_WAIT:?}; last: {:?}",
                        self.seen.last()
                    )
                }
            },
            Inner::Hyper(rt, s) => {
                let s = s.as_mut()?;
                let last = self.seen.last();
                rt.block_on(async { tokio::time::timeout(EVENT_WAIT, s.next_event()).await })
                    .unwrap_or_else(|_| panic!("no event within {EVENT_WAIT:?}; last: {last:?}"))
            }
        };
        if let Some(e) = &event {
            self.seen.push(e.clone());
        }
        event
    }

    /// Events until `stop` says so (inclusive); panics if the session ends first.
    pub fn until(&mut self, mut stop: impl FnMut(&Event) -> bool) -> Event {
        loop {
            match self.next_event() {
                Some(e) if stop(&e) => return e,
                Some(Event::Failed(e)) => panic!("failed: {e}"),
                Some(_) => {}
                None => panic!("the session ended; seen: {:?}", self.seen.last()),
            }
        }
    }

    /// Every remaining event until the session ends.
    pub fn drain(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.next_event()).collect()
    }

    /// Queues a text.
    pub fn send_text(&self, to: &str, text: &str) -> SendHandle {
        let result = match &self.inner {
            Inner::Ureq(s) => s.send_text(to, text).map_err(|e| e.to_string()),
            Inner::Hyper(rt, Some(s)) => rt
                .block_on(s.send_text(to, text))
                .map_err(|e| e.to_string()),
            Inner::Hyper(_, None) => Err("stopped".to_string()),
        };
        result.unwrap_or_else(|e| panic!("send_text: {e}"))
    }

    /// Forwards a received message.
    pub fn forward(&self, m: &webwx_core::Message, to: &str) -> SendHandle {
        let result = match &self.inner {
            Inner::Ureq(s) => s.handle().forward(m, to).map_err(|e| e.to_string()),
            Inner::Hyper(rt, Some(s)) => rt
                .block_on(s.handle().forward(m, to))
                .map_err(|e| e.to_string()),
            Inner::Hyper(_, None) => Err("stopped".to_string()),
        };
        result.unwrap_or_else(|e| panic!("forward: {e}"))
    }

    /// Sends the file at `path` (what its extension makes it); the send's handle, or why it
    /// was refused.
    pub fn send_path(
        &self,
        to: &str,
        path: &std::path::Path,
    ) -> Result<SendHandle, webwx_core::SendFileError> {
        match &self.inner {
            Inner::Ureq(s) => s.handle().send_path(to, path),
            Inner::Hyper(rt, Some(s)) => rt.block_on(s.handle().send_path(to, path)),
            Inner::Hyper(_, None) => Err(webwx_core::SessionError::Stopped.into()),
        }
    }

    /// Sends a file of `info` read once from `bytes` as a stream (so `info` needs the MD5).
    pub fn send_stream(
        &self,
        to: &str,
        info: webwx_core::FileInfo,
        bytes: Vec<u8>,
    ) -> Result<SendHandle, webwx_core::SendFileError> {
        match &self.inner {
            Inner::Ureq(s) => s
                .handle()
                .send_reader(to, info, std::io::Cursor::new(bytes)),
            Inner::Hyper(rt, Some(s)) => rt.block_on(s.handle().send_reader(
                to,
                info,
                std::io::Cursor::new(bytes),
            )),
            Inner::Hyper(_, None) => Err(webwx_core::SessionError::Stopped.into()),
        }
    }

    /// Stops sending a file (see `Client::cancel_file`).
    pub fn cancel_file(&self, handle: SendHandle) -> bool {
        let result = match &self.inner {
            Inner::Ureq(s) => s.handle().cancel_file(handle),
            Inner::Hyper(rt, Some(s)) => rt.block_on(s.handle().cancel_file(handle)),
            Inner::Hyper(_, None) => Err(webwx_core::SessionError::Stopped),
        };
        result.unwrap_or_else(|e| panic!("cancel_file: {e}"))
    }

    /// Downloads `variant` of `media` into memory through the transport's streaming download
    /// (the bytes written, or why not).
    pub fn download(
        &self,
        media: &webwx_core::Media,
        variant: webwx_core::Variant,
    ) -> Result<Vec<u8>, webwx_core::DownloadError> {
        self.download_until(media, variant, u64::MAX)
            .map(|(bytes, _)| bytes)
    }

    /// [`Bot::download`], cancelled (through the progress callback) once `stop_after` bytes were
    /// written; also returns every progress report `(written, total)`.
    #[allow(clippy::type_complexity)]
    pub fn download_until(
        &self,
        media: &webwx_core::Media,
        variant: webwx_core::Variant,
        stop_after: u64,
    ) -> Result<(Vec<u8>, Vec<(u64, Option<u64>)>), webwx_core::DownloadError> {
        let mut out = Vec::new();
        let mut reports = Vec::new();
        let go_on = |written: u64, total: Option<u64>| {
            reports.push((written, total));
            if written >= stop_after {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        match &self.inner {
            Inner::Ureq(s) => s.handle().download(media, variant, &mut out, go_on)?,
            Inner::Hyper(rt, Some(s)) => {
                rt.block_on(s.handle().download(media, variant, &mut out, go_on))?
            }
            Inner::Hyper(_, None) => {
                return Err(webwx_core::DownloadError::Usage(
                    webwx_core::UsageError::Ended,
                ));
            }
        };
        Ok((out, reports))
    }

    /// Logs out.
    pub fn logout(&self) {
        let result = match &self.inner {
            Inner::Ureq(s) => s.logout().map_err(|e| e.to_string()),
            Inner::Hyper(rt, Some(s)) => rt.block_on(s.logout()).map_err(|e| e.to_string()),
            Inner::Hyper(_, None) => Err("stopped".to_string()),
        };
        result.unwrap_or_else(|e| panic!("logout: {e}"));
    }

    /// Saves the session, with its contacts (saved apart, as an application does).
    pub fn save(&self) -> Option<SavedSession> {
        let saved = match &self.inner {
            Inner::Ureq(s) => s.save().ok().flatten(),
            Inner::Hyper(rt, s) => rt.block_on(s.as_ref()?.save()).ok().flatten(),
        }?;
        Some(saved.with_contacts(self.contacts()))
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Inner::Hyper(rt, s) = &mut self.inner {
            let session = s.take();
            // Drop the session inside its runtime.
            rt.block_on(async move { drop(session) });
        }
    }
}
