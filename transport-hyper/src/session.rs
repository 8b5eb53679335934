//! A whole session driven in one tokio task.
//!
//! The application and the driver share the [`Client`] behind a mutex that is never held across
//! an `await`: commands (`send_text`, `save`, ...) are applied directly, so they are answered
//! even while the application is not reading events, and events stay in the core's queue until
//! the application takes them, so the core's back-pressure and its rule that a saved session
//! never runs ahead of what the application has taken hold through this driver as well.

use crate::source::Source;
use crate::{Transport, TransportError};
use bytes::Bytes;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::AsyncWrite;
use tokio::sync::Notify;
use tokio::task::{JoinError, JoinSet};
use webwx_core::{
    Client, Command, Config, ContactStore, DownloadError, Event, FileInfo, Media, MediaRequest,
    Message, RequestId, ResumeError, SavedSession, SendFileError, SendHandle, SendKind,
    SessionError, Timestamp, TransportErrorKind, UsageError, Variant,
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
    /// Where the files being sent are read from, by send (dropped once the send is over).
    sources: Mutex<HashMap<SendHandle, Arc<tokio::sync::Mutex<Source>>>>,
}

impl Shared {
    fn sources(&self) -> MutexGuard<'_, HashMap<SendHandle, Arc<tokio::sync::Mutex<Source>>>> {
        self.sources.lock().unwrap_or_else(PoisonError::into_inner)
    }

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

    /// Queues a text message with a `LocalID` recorded beforehand; see
    /// [`Client::send_text_with_local_id`].
    pub async fn send_text_with_local_id(
        &self,
        to: &str,
        text: &str,
        local_id: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.send_text_with_local_id(to, text, local_id, now))
    }

    /// A new `LocalID` to record before sending; see [`Client::new_local_id`].
    pub async fn new_local_id(&self) -> Result<String, SessionError> {
        self.apply(|client, now| Ok(client.new_local_id(now)))
    }

    /// Forwards a received message (an image, video, sticker or file by its `MediaId`, without
    /// downloading it; a text as a text); see [`Client::forward`]. The outcome arrives as
    /// [`Event::Sent`] or [`Event::SendFailed`].
    pub async fn forward(&self, message: &Message, to: &str) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.forward(message, to, now))
    }

    /// Sends the image at `path` (a bmp, png, jpeg or jpg: the extension decides, as in the
    /// official client). See [`SessionHandle::send_path`].
    pub async fn send_image(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Image).await
    }

    /// Sends the video at `path` (an mp4 under 20 MiB). See [`SessionHandle::send_path`].
    pub async fn send_video(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Video).await
    }

    /// Sends the gif at `path` as a sticker. See [`SessionHandle::send_path`].
    pub async fn send_sticker(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Sticker).await
    }

    /// Sends the file at `path` as a file card (any extension that is not an image's, mp4 or
    /// gif). See [`SessionHandle::send_path`].
    pub async fn send_file(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::File).await
    }

    async fn send_kind(
        &self,
        to: &str,
        path: &Path,
        wanted: SendKind,
    ) -> Result<SendHandle, SendFileError> {
        SendFileError::check_kind(path, wanted)?;
        self.send_path(to, path).await
    }

    /// Sends the file at `path` as what its extension makes it ([`SendKind::of_name`]): it is
    /// read when its turn in the send lane comes, a chunk at a time (once for its MD5, once to
    /// upload it), so memory stays at a chunk whatever its size. [`Event::UploadProgress`]
    /// follows the upload; the outcome arrives as [`Event::Sent`] or [`Event::SendFailed`]. See
    /// [`Client::send_file`].
    pub async fn send_path(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| SendFileError::io(path, &e))?;
        let metadata = file
            .metadata()
            .await
            .map_err(|e| SendFileError::io(path, &e))?;
        let info = FileInfo::of_file(path, &metadata);
        self.send_source(to, info, Source::File(file))
    }

    /// Sends a file read from `reader`, described by `info` (its name decides what it is sent
    /// as; its size must be exact). A stream is read once, so `info` must carry the MD5
    /// ([`FileInfo::md5`]); without it the send fails when the upload would read it again.
    pub async fn send_reader(
        &self,
        to: &str,
        info: FileInfo,
        reader: impl tokio::io::AsyncRead + Send + Unpin + 'static,
    ) -> Result<SendHandle, SendFileError> {
        let source = Source::Stream {
            reader: Box::new(reader),
            position: 0,
        };
        self.send_source(to, info, source)
    }

    fn send_source(
        &self,
        to: &str,
        info: FileInfo,
        source: Source,
    ) -> Result<SendHandle, SendFileError> {
        let shared = &self.shared;
        Ok(self.apply(|client, now| {
            let handle = client.send_file(to, info, now)?;
            // Registered while the client is locked: the driver cannot ask for its bytes first.
            shared
                .sources()
                .insert(handle, Arc::new(tokio::sync::Mutex::new(source)));
            Ok(handle)
        })?)
    }

    /// Stops sending a file, queued or uploading (see [`Client::cancel_file`]); `false` when
    /// it is past that.
    pub async fn cancel_file(&self, handle: SendHandle) -> Result<bool, SessionError> {
        self.apply(|client, now| Ok(client.cancel_file(handle, now)))
    }

    /// Takes back a message this account sent (`to`, `msg_id`, `local_id` from [`Event::Sent`]); see [`Client::revoke`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn revoke(
        &self,
        to: &str,
        msg_id: &str,
        local_id: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.revoke(to, msg_id, local_id, now))
    }

    /// Accepts a friend request (the `user_name` and `ticket` of a friend-request message); see [`Client::accept_friend`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn accept_friend(
        &self,
        user_name: &str,
        ticket: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.accept_friend(user_name, ticket, now))
    }

    /// Asks `user_name` to be friends; see [`Client::request_friend`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn request_friend(
        &self,
        user_name: &str,
        greeting: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.request_friend(user_name, greeting, now))
    }

    /// Sets a contact's remark; see [`Client::set_remark`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn set_remark(
        &self,
        user_name: &str,
        remark: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.set_remark(user_name, remark, now))
    }

    /// Pins or unpins a chat; see [`Client::set_pinned`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn set_pinned(
        &self,
        user_name: &str,
        pinned: bool,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.set_pinned(user_name, pinned, now))
    }

    /// Creates a group (its topic set right after); see [`Client::create_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn create_group(
        &self,
        members: &[String],
        topic: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.create_group(members, topic, now))
    }

    /// Adds (or invites) members to a group; see [`Client::add_members`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn add_members(
        &self,
        group: &str,
        members: &[String],
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.add_members(group, members, now))
    }

    /// Removes members from a group; see [`Client::remove_members`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn remove_members(
        &self,
        group: &str,
        members: &[String],
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.remove_members(group, members, now))
    }

    /// Renames a group; see [`Client::rename_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn rename_group(&self, group: &str, topic: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.rename_group(group, topic, now))
    }

    /// Leaves a group; see [`Client::quit_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn quit_group(&self, group: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.quit_group(group, now))
    }

    /// Searches the server's contacts; see [`Client::search_contacts`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn search_contacts(&self, keyword: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.search_contacts(keyword, now))
    }

    /// Sends a group text that mentions members; see [`Client::send_text_mentioning`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub async fn send_text_mentioning(
        &self,
        group: &str,
        text: &str,
        members: &[String],
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.send_text_mentioning(group, text, members, now))
    }

    /// Accepts the friend request a message carries; see [`Client::accept_request`]. The
    /// outcome arrives as [`Event::Done`] or [`Event::SendFailed`].
    pub async fn accept_request(&self, message: &Message) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.accept_request(message, now))
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

    /// The [`revision`](webwx_core::ContactStore::revision) of the session's contacts: save
    /// them again (with [`with_contacts`](Self::with_contacts)) when it moved since the last
    /// write. Contacts are saved apart from [`save`](Self::save)'s session state.
    pub async fn contacts_revision(&self) -> Result<u64, SessionError> {
        Ok(self.shared.client().contacts().revision())
    }

    /// Runs `f` on the session's contacts (to save them, or look names up) without copying
    /// them. The session waits meanwhile: keep `f` short.
    pub async fn with_contacts<R>(
        &self,
        f: impl FnOnce(&ContactStore) -> R,
    ) -> Result<R, SessionError> {
        Ok(f(self.shared.client().contacts()))
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
            transport,
            wake: Notify::new(),
            events: Notify::new(),
            stopped: AtomicBool::new(false),
            sources: Mutex::new(HashMap::new()),
        });
        let task = tokio::spawn(run(Arc::clone(&shared)));
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
                let due = client.poll_timeout();
                if let Some(event) = client.poll_event() {
                    // Taking events may let a paused message loop go on (it is then due at
                    // once): only that needs the driver.
                    let resumed = client.poll_timeout() != due;
                    drop(client);
                    if resumed {
                        shared.wake.notify_one();
                    }
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

    /// See [`SessionHandle::contacts_revision`].
    pub async fn contacts_revision(&self) -> Result<u64, SessionError> {
        self.handle.contacts_revision().await
    }

    /// See [`SessionHandle::with_contacts`].
    pub async fn with_contacts<R>(
        &self,
        f: impl FnOnce(&ContactStore) -> R,
    ) -> Result<R, SessionError> {
        self.handle.with_contacts(f).await
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.handle.shared.stop();
        self.task.abort();
    }
}

type Answer = (RequestId, Result<http::Response<Bytes>, TransportError>);

/// Bytes read for a [`webwx_core::ChunkRequest`].
type Chunk = (SendHandle, u64, std::io::Result<Bytes>);

/// The next bytes read for an upload; never ready while no read was started.
async fn next_read(reads: &mut Option<JoinSet<Chunk>>) -> Option<Result<Chunk, JoinError>> {
    match reads {
        Some(reads) if !reads.is_empty() => reads.join_next().await,
        _ => std::future::pending().await,
    }
}

/// The driver: send what the core asks for (all in flight at once), feed back answers and
/// timeouts, and wake the application when events are waiting, until the session ends.
///
/// What it keeps for an idle session is small: one task of its own, one task per request in
/// flight, one timer moved when the core's next timeout moves (not a timer made afresh on every
/// turn), and the set of file reads only once a file is sent.
async fn run(shared: Arc<Shared>) {
    if shared.client().start(now()).is_err() {
        return shared.stop();
    }
    let transport = &shared.transport;
    let mut in_flight: JoinSet<Answer> = JoinSet::new();
    // The request of each task, so that a task that dies (a panic in the HTTP stack) is
    // reported to the core as a failed request instead of leaving it waiting.
    let mut tasks: Vec<(tokio::task::Id, RequestId)> = Vec::new();
    let mut reads: Option<JoinSet<Chunk>> = None;
    let timer = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(timer);
    // The core's timeout the timer is set for; `None`: the timer is not set.
    let mut armed: Option<Timestamp> = None;
    loop {
        let (timeout, terminal, events) = {
            let mut client = shared.client();
            while let Some(t) = client.poll_transmit() {
                let transport = transport.clone();
                let id = t.id;
                let task = in_flight
                    .spawn(async move { (t.id, transport.execute(t.request, t.timeout).await) });
                tasks.push((task.id(), id));
            }
            while let Some(r) = client.poll_chunk_request() {
                let source = shared.sources().get(&r.handle).cloned();
                reads.get_or_insert_with(JoinSet::new).spawn(async move {
                    let bytes = match source {
                        Some(source) => source.lock().await.read_at(r.offset, r.len).await,
                        None => Err(std::io::Error::other("the file's source is gone")),
                    };
                    (r.handle, r.offset, bytes)
                });
            }
            // A send that is over needs its file no more.
            let mut sources = shared.sources();
            if !sources.is_empty() {
                sources.retain(|h, _| client.is_send_pending(*h));
            }
            drop(sources);
            (
                client.poll_timeout(),
                client.state().is_terminal(),
                client.has_event(),
            )
        };
        if terminal {
            return shared.stop();
        }
        if events {
            shared.events.notify_waiters();
        }
        if timeout != armed {
            if let Some(at) = timeout {
                let after = at.saturating_since(now());
                timer.as_mut().reset(tokio::time::Instant::now() + after);
            }
            armed = timeout;
        }
        tokio::select! {
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                let (task, result) = match done {
                    Ok((task, answer)) => (task, Ok(answer)),
                    Err(join_error) => (join_error.id(), Err(join_error)),
                };
                let request = tasks.iter().position(|(t, _)| *t == task).map(|at| tasks.swap_remove(at).1);
                // Room for what is in flight, not for the most that ever was (the login's).
                if tasks.capacity() > tasks.len().max(1) {
                    tasks.shrink_to(tasks.len().max(1));
                }
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
            Some(Ok((handle, offset, bytes))) = next_read(&mut reads) => {
                let mut client = shared.client();
                match bytes {
                    // Refused only when the send ended meanwhile: nothing to do.
                    Ok(bytes) => { let _ = client.handle_chunk(handle, offset, bytes, now()); }
                    Err(error) => client.handle_chunk_error(handle, &error.to_string(), now()),
                }
            },
            () = shared.wake.notified() => {}
            () = &mut timer, if armed.is_some() => {
                armed = None;
                shared.client().handle_timeout(now());
            }
        }
    }
}
