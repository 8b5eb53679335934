//! A whole session driven in one tokio task.
//!
//! The application and the driver share the [`Client`] behind a mutex that is never held across
//! an `await`: commands (`send_text`, `save`, ...) are applied directly, so they are answered
//! even while the application is not reading events, and events stay in the core's queue until
//! the application takes them, so the core's back-pressure and its rule that a saved session
//! never runs ahead of what the application has taken hold through this driver as well.

use crate::{Transport, TransportError};
use bytes::Bytes;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Instant, SystemTime};
use tokio::io::AsyncWrite;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use webwx_core::{
    Client, Command, Config, DownloadError, Event, Media, MediaRequest, Message, RequestId,
    ResumeError, SavedSession, SendHandle, SessionError, Timestamp, TransportErrorKind, UsageError,
    Variant,
};

/// The time for the core: the wall clock read once per process, then a monotonic clock, so a
/// step of the system clock never stalls or fires the session's timers.
fn now() -> Timestamp {
    static START: OnceLock<(Timestamp, Instant)> = OnceLock::new();
    let (wall, mono) = START.get_or_init(|| {
        (
            Timestamp::from_system_time(SystemTime::now()),
            Instant::now(),
        )
    });
    wall.after(mono.elapsed())
}

/// What the application and the driver share.
struct Shared {
    client: Mutex<Box<Client>>,
    /// The driver's transport (its connection pool), for downloads.
    transport: Transport,
    /// Wakes the driver: a command queued requests, or the application took events.
    wake: Notify,
    /// Wakes the application: events may be waiting, or the driver stopped.
    events: Notify,
    /// The driver has stopped (the session ended, or the [`Session`] was dropped).
    stopped: AtomicBool,
}

impl Shared {
    fn client(&self) -> MutexGuard<'_, Box<Client>> {
        // A panic elsewhere while holding the lock leaves a client that is still consistent
        // between calls: keep using it.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.events.notify_waiters();
    }
}

/// Commands to a running [`Session`], from any task. Each is applied to the core at once: it is
/// answered whatever the application is doing with its events (awaiting a send inside the
/// event loop cannot hang).
#[derive(Clone)]
pub struct SessionHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle").finish_non_exhaustive()
    }
}

impl SessionHandle {
    /// Applies a command to the core, then wakes the driver to send what it queued.
    fn apply<R>(
        &self,
        command: impl FnOnce(&mut Client, Timestamp) -> Result<R, UsageError>,
    ) -> Result<R, SessionError> {
        let outcome = {
            let mut client = self.shared.client();
            if self.shared.stopped.load(Ordering::Acquire) {
                return Err(SessionError::Stopped);
            }
            command(&mut client, now())
        };
        self.shared.wake.notify_one();
        Ok(outcome?)
    }

    /// Applies a [`Command`] (for applications that carry commands as values), with its typed
    /// reply.
    pub async fn command<C: Command>(&self, command: C) -> Result<C::Reply, SessionError> {
        self.apply(|client, now| client.apply(command, now))
    }

    /// Queues a text message; its outcome arrives as [`Event::Sent`] or [`Event::SendFailed`].
    pub async fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.send_text(to, text, now))
    }

    /// Forwards a received message (an image, video, sticker or file by its `MediaId`, without
    /// downloading it; a text as a text); see [`Client::forward`]. The outcome arrives as
    /// [`Event::Sent`] or [`Event::SendFailed`].
    pub async fn forward(&self, message: &Message, to: &str) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.forward(message, to, now))
    }

    /// Marks a chat read on the phone.
    pub async fn mark_read(&self, chat: &str) -> Result<(), SessionError> {
        self.apply(|client, now| client.mark_read(chat, now))
    }

    /// Logs out; [`Event::LoggedOut`] follows.
    pub async fn logout(&self) -> Result<(), SessionError> {
        self.apply(|client, now| client.logout(now))
    }

    /// The session state, to resume it later with [`Session::resume`]; `None` before login.
    ///
    /// It never runs ahead of the application: messages not yet taken from
    /// [`Session::next_event`] are fetched again by a session resumed from it.
    pub async fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        Ok(self.shared.client().save())
    }

    /// Downloads `variant` of `media` (from [`Message::media`](webwx_core::Message::media))
    /// into `writer`, streamed, with the session's current skey and cookies; see
    /// [`Transport::download`]. Returns the bytes written.
    pub async fn download<W: AsyncWrite + Unpin>(
        &self,
        media: &Media,
        variant: Variant,
        writer: &mut W,
        progress: impl FnMut(u64, Option<u64>) -> ControlFlow<()>,
    ) -> Result<u64, DownloadError> {
        let request = self.media_request(|client| client.media_request(media, variant))?;
        self.shared
            .transport
            .download(request, writer, progress)
            .await
    }

    /// Downloads the avatar of `user_name` (a contact, a group or the self user) into `writer`;
    /// `big` for the large one. Returns the bytes written.
    pub async fn download_avatar<W: AsyncWrite + Unpin>(
        &self,
        user_name: &str,
        big: bool,
        writer: &mut W,
    ) -> Result<u64, DownloadError> {
        let request = self.media_request(|client| client.avatar_request(user_name, big))?;
        self.shared
            .transport
            .download(request, writer, |_, _| ControlFlow::Continue(()))
            .await
    }

    fn media_request(
        &self,
        build: impl FnOnce(&Client) -> Result<MediaRequest, UsageError>,
    ) -> Result<MediaRequest, DownloadError> {
        if self.shared.stopped.load(Ordering::Acquire) {
            return Err(DownloadError::Usage(UsageError::Ended));
        }
        Ok(build(&self.shared.client())?)
    }
}

/// A session driven in its own task: events from [`Session::next_event`], commands through
/// [`Session::handle`]. Dropping it stops the task (requests in flight are abandoned).
///
/// Events wait in the core until the application takes them; while
/// [`Config::max_queued_events`] wait, the message loop pauses (commands do not).
#[derive(Debug)]
pub struct Session {
    handle: SessionHandle,
    task: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Starts a QR login with a new [`Transport`]. Must be called within a tokio runtime.
    pub fn start(config: Config) -> Session {
        Session::drive(Client::new(config), Transport::new())
    }

    /// Starts a QR login with `transport` (share one transport, and its connection pool, between
    /// many sessions).
    pub fn start_with(config: Config, transport: Transport) -> Session {
        Session::drive(Client::new(config), transport)
    }

    /// Resumes a saved session (the saved session first, then a push login, then a QR login).
    pub fn resume(
        config: Config,
        saved: SavedSession,
        transport: Transport,
    ) -> Result<Session, ResumeError> {
        Ok(Session::drive(Client::resume(config, saved)?, transport))
    }

    /// Drives `client` (not yet started) with `transport` in a new task.
    pub fn drive(client: Client, transport: Transport) -> Session {
        let shared = Arc::new(Shared {
            // Boxed: the client is large and the mutex is moved into the Arc's allocation once.
            client: Mutex::new(Box::new(client)),
            transport: transport.clone(),
            wake: Notify::new(),
            events: Notify::new(),
            stopped: AtomicBool::new(false),
        });
        let task = tokio::spawn(run(Arc::clone(&shared), transport));
        Session {
            handle: SessionHandle { shared },
            task,
        }
    }

    /// A handle for commands, usable from any task.
    pub fn handle(&self) -> SessionHandle {
        self.handle.clone()
    }

    /// The next event; `None` once the session has ended and every event was read.
    ///
    /// Cancel-safe: an event is taken from the core only when this returns it, so using it in
    /// `tokio::select!` loses nothing.
    pub async fn next_event(&mut self) -> Option<Event> {
        let shared = &self.handle.shared;
        loop {
            let notified = shared.events.notified();
            tokio::pin!(notified);
            // Registered before looking, so a wake-up between the look and the wait is kept.
            notified.as_mut().enable();
            {
                let mut client = shared.client();
                if let Some(event) = client.poll_event() {
                    drop(client);
                    // Taking events may let a paused message loop go on.
                    shared.wake.notify_one();
                    return Some(event);
                }
                if client.state().is_terminal() || shared.stopped.load(Ordering::Acquire) {
                    return None;
                }
            }
            notified.await;
        }
    }

    /// See [`SessionHandle::send_text`].
    pub async fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        self.handle.send_text(to, text).await
    }

    /// See [`SessionHandle::logout`].
    pub async fn logout(&self) -> Result<(), SessionError> {
        self.handle.logout().await
    }

    /// See [`SessionHandle::save`].
    pub async fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        self.handle.save().await
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.handle.shared.stop();
        self.task.abort();
    }
}

type Answer = (RequestId, Result<http::Response<Bytes>, TransportError>);

/// The driver: send what the core asks for (all in flight at once), feed back answers and
/// timeouts, and wake the application when events may be waiting, until the session ends.
async fn run(shared: Arc<Shared>, transport: Transport) {
    if shared.client().start(now()).is_err() {
        return shared.stop();
    }
    let mut in_flight: JoinSet<Answer> = JoinSet::new();
    // The request of each task, so that a task that dies (a panic in the HTTP stack) is
    // reported to the core as a failed request instead of leaving it waiting.
    let mut tasks: Vec<(tokio::task::Id, RequestId)> = Vec::new();
    loop {
        let (timeout, terminal) = {
            let mut client = shared.client();
            while let Some(t) = client.poll_transmit() {
                let transport = transport.clone();
                let id = t.id;
                let task = in_flight
                    .spawn(async move { (t.id, transport.execute(t.request, t.timeout).await) });
                tasks.push((task.id(), id));
            }
            (client.poll_timeout(), client.state().is_terminal())
        };
        shared.events.notify_waiters();
        if terminal {
            return shared.stop();
        }
        let sleep = timeout.map(|at| tokio::time::sleep(at.saturating_since(now())));
        tokio::select! {
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                let (task, result) = match done {
                    Ok((task, answer)) => (task, Ok(answer)),
                    Err(join_error) => (join_error.id(), Err(join_error)),
                };
                let request = tasks.iter().position(|(t, _)| *t == task).map(|at| tasks.swap_remove(at).1);
                let mut client = shared.client();
                match result {
                    Ok((id, Ok(response))) => client.handle_response(id, response, now()),
                    Ok((id, Err(error))) => {
                        tracing::debug!(%error, "request failed");
                        client.handle_transport_error(id, error.kind(), now());
                    }
                    Err(join_error) => {
                        tracing::warn!(%join_error, "a request task failed");
                        if let Some(id) = request {
                            client.handle_transport_error(id, TransportErrorKind::Other, now());
                        }
                    }
                }
            },
            () = shared.wake.notified() => {}
            () = async { if let Some(s) = sleep { s.await } else { std::future::pending().await } } => {
                shared.client().handle_timeout(now());
            }
        }
    }
}
