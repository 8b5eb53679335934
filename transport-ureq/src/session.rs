//! A whole session on a driver thread.
//!
//! The application and the driver share the [`Client`] behind a mutex: commands (`send_text`,
//! `save`, ...) are applied directly, so they are answered even while the application is not
//! reading events, and events stay in the core's queue until the application takes them, so the
//! core's back-pressure and its rule that a saved session never runs ahead of what the
//! application has taken hold through this driver as well.

use crate::Transport;
use crate::source::Source;
use bytes::Bytes;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};
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

/// What wakes the driver.
enum Input {
    /// A request thread finished.
    Done(
        RequestId,
        Result<http::Response<Bytes>, crate::TransportError>,
    ),
    /// A file's bytes were read (for a [`webwx_core::ChunkRequest`]).
    Chunk(SendHandle, u64, std::io::Result<Bytes>),
    /// A command queued requests, or the application took events.
    Wake,
    /// The [`Session`] was dropped.
    Stop,
}

/// What the application and the driver share.
struct Shared {
    client: Mutex<Client>,
    /// The driver's transport (its agent and connection pool), for downloads.
    transport: Transport,
    /// Signalled when events may be waiting, or the driver stopped.
    events: Condvar,
    /// The driver has stopped (the session ended, or the [`Session`] was dropped).
    stopped: AtomicBool,
    /// Where the files being sent are read from, by send (dropped once the send is over).
    sources: Mutex<HashMap<SendHandle, Arc<Mutex<Source>>>>,
}

impl Shared {
    fn sources(&self) -> MutexGuard<'_, HashMap<SendHandle, Arc<Mutex<Source>>>> {
        self.sources.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        // A panic elsewhere while holding the lock leaves a client that is still consistent
        // between calls: keep using it.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.events.notify_all();
    }

    fn ended(&self, client: &Client) -> bool {
        client.state().is_terminal() || self.stopped.load(Ordering::Acquire)
    }
}

/// Commands to a running [`Session`], from any thread. Each is applied to the core at once: it
/// is answered whatever the application is doing with its events (sending from inside the event
/// loop cannot hang).
#[derive(Clone)]
pub struct SessionHandle {
    shared: Arc<Shared>,
    driver: mpsc::Sender<Input>,
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
        let _ = self.driver.send(Input::Wake);
        Ok(outcome?)
    }

    /// Applies a [`Command`] (for applications that carry commands as values), with its typed
    /// reply.
    pub fn command<C: Command>(&self, command: C) -> Result<C::Reply, SessionError> {
        self.apply(|client, now| client.apply(command, now))
    }

    /// Queues a text message; its outcome arrives as [`Event::Sent`] or [`Event::SendFailed`].
    pub fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.send_text(to, text, now))
    }

    /// Downloads `variant` of `media` (from [`Message::media`](webwx_core::Message::media))
    /// into `writer`, streamed, with the session's current skey and cookies, in the calling
    /// thread; see [`Transport::download`]. Returns the bytes written.
    pub fn download<W: std::io::Write>(
        &self,
        media: &Media,
        variant: Variant,
        writer: &mut W,
        progress: impl FnMut(u64, Option<u64>) -> ControlFlow<()>,
    ) -> Result<u64, DownloadError> {
        let request = self.media_request(|client| client.media_request(media, variant))?;
        self.shared.transport.download(request, writer, progress)
    }

    /// Downloads the avatar of `user_name` (a contact, a group or the self user) into `writer`;
    /// `big` for the large one. Returns the bytes written.
    pub fn download_avatar<W: std::io::Write>(
        &self,
        user_name: &str,
        big: bool,
        writer: &mut W,
    ) -> Result<u64, DownloadError> {
        let request = self.media_request(|client| client.avatar_request(user_name, big))?;
        self.shared
            .transport
            .download(request, writer, |_, _| ControlFlow::Continue(()))
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

    /// Forwards a received message (an image, video, sticker or file by its `MediaId`, without
    /// downloading it; a text as a text); see [`Client::forward`]. The outcome arrives as
    /// [`Event::Sent`] or [`Event::SendFailed`].
    pub fn forward(&self, message: &Message, to: &str) -> Result<SendHandle, SessionError> {
        self.apply(|client, now| client.forward(message, to, now))
    }

    /// Sends the image at `path` (a bmp, png, jpeg or jpg: the extension decides, as in the
    /// official client). See [`SessionHandle::send_path`].
    pub fn send_image(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Image)
    }

    /// Sends the video at `path` (an mp4 under 20 MiB). See [`SessionHandle::send_path`].
    pub fn send_video(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Video)
    }

    /// Sends the gif at `path` as a sticker. See [`SessionHandle::send_path`].
    pub fn send_sticker(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::Sticker)
    }

    /// Sends the file at `path` as a file card (any extension that is not an image's, mp4 or
    /// gif). See [`SessionHandle::send_path`].
    pub fn send_file(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        self.send_kind(to, path, SendKind::File)
    }

    fn send_kind(
        &self,
        to: &str,
        path: &Path,
        wanted: SendKind,
    ) -> Result<SendHandle, SendFileError> {
        SendFileError::check_kind(path, wanted)?;
        self.send_path(to, path)
    }

    /// Sends the file at `path` as what its extension makes it ([`SendKind::of_name`]): it is
    /// read when its turn in the send lane comes, a chunk at a time (once for its MD5, once to
    /// upload it), so memory stays at a chunk whatever its size. [`Event::UploadProgress`]
    /// follows the upload; the outcome arrives as [`Event::Sent`] or [`Event::SendFailed`]. See
    /// [`Client::send_file`].
    pub fn send_path(&self, to: &str, path: &Path) -> Result<SendHandle, SendFileError> {
        let file = std::fs::File::open(path).map_err(|e| SendFileError::io(path, &e))?;
        let metadata = file.metadata().map_err(|e| SendFileError::io(path, &e))?;
        let info = FileInfo::of_file(path, &metadata);
        self.send_source(to, info, Source::File(file))
    }

    /// Sends a file read from `reader`, described by `info` (its name decides what it is sent
    /// as; its size must be exact). A stream is read once, so `info` must carry the MD5
    /// ([`FileInfo::md5`]); without it the send fails when the upload would read it again.
    pub fn send_reader(
        &self,
        to: &str,
        info: FileInfo,
        reader: impl std::io::Read + Send + 'static,
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
                .insert(handle, Arc::new(Mutex::new(source)));
            Ok(handle)
        })?)
    }

    /// Stops sending a file, queued or uploading (see [`Client::cancel_file`]); `false` when
    /// it is past that.
    pub fn cancel_file(&self, handle: SendHandle) -> Result<bool, SessionError> {
        self.apply(|client, now| Ok(client.cancel_file(handle, now)))
    }

    /// Takes back a message this account sent (`to`, `msg_id`, `local_id` from [`Event::Sent`]); see [`Client::revoke`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn revoke(
        &self,
        to: &str,
        msg_id: &str,
        local_id: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.revoke(to, msg_id, local_id, now))
    }

    /// Accepts a friend request (the `user_name` and `ticket` of a friend-request message); see [`Client::accept_friend`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn accept_friend(&self, user_name: &str, ticket: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.accept_friend(user_name, ticket, now))
    }

    /// Asks `user_name` to be friends; see [`Client::request_friend`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn request_friend(
        &self,
        user_name: &str,
        greeting: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.request_friend(user_name, greeting, now))
    }

    /// Sets a contact's remark; see [`Client::set_remark`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn set_remark(&self, user_name: &str, remark: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.set_remark(user_name, remark, now))
    }

    /// Pins or unpins a chat; see [`Client::set_pinned`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn set_pinned(&self, user_name: &str, pinned: bool) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.set_pinned(user_name, pinned, now))
    }

    /// Creates a group (its topic set right after); see [`Client::create_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn create_group(
        &self,
        members: &[String],
        topic: &str,
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.create_group(members, topic, now))
    }

    /// Adds (or invites) members to a group; see [`Client::add_members`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn add_members(&self, group: &str, members: &[String]) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.add_members(group, members, now))
    }

    /// Removes members from a group; see [`Client::remove_members`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn remove_members(
        &self,
        group: &str,
        members: &[String],
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.remove_members(group, members, now))
    }

    /// Renames a group; see [`Client::rename_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn rename_group(&self, group: &str, topic: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.rename_group(group, topic, now))
    }

    /// Leaves a group; see [`Client::quit_group`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn quit_group(&self, group: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.quit_group(group, now))
    }

    /// Searches the server's contacts; see [`Client::search_contacts`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn search_contacts(&self, keyword: &str) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.search_contacts(keyword, now))
    }

    /// Sends a group text that mentions members; see [`Client::send_text_mentioning`]. The outcome arrives as [`Event::Done`] (or [`Event::Sent`] for a text) or
    /// [`Event::SendFailed`].
    pub fn send_text_mentioning(
        &self,
        group: &str,
        text: &str,
        members: &[String],
    ) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.send_text_mentioning(group, text, members, now))
    }

    /// Accepts the friend request a message carries; see [`Client::accept_request`]. The
    /// outcome arrives as [`Event::Done`] or [`Event::SendFailed`].
    pub fn accept_request(&self, message: &Message) -> Result<SendHandle, SessionError> {
        self.apply(|c, now| c.accept_request(message, now))
    }

    /// Marks a chat read on the phone.
    pub fn mark_read(&self, chat: &str) -> Result<(), SessionError> {
        self.apply(|client, now| client.mark_read(chat, now))
    }

    /// Logs out; [`Event::LoggedOut`] follows.
    pub fn logout(&self) -> Result<(), SessionError> {
        self.apply(|client, now| client.logout(now))
    }

    /// The session state, to resume it later with [`Session::resume`]; `None` before login.
    ///
    /// It never runs ahead of the application: messages not yet taken from
    /// [`Session::next_event`] are fetched again by a session resumed from it.
    pub fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        Ok(self.shared.client().save())
    }

    /// The [`revision`](webwx_core::ContactStore::revision) of the session's contacts: save
    /// them again (with [`with_contacts`](Self::with_contacts)) when it moved since the last
    /// write. Contacts are saved apart from [`save`](Self::save)'s session state.
    pub fn contacts_revision(&self) -> Result<u64, SessionError> {
        Ok(self.shared.client().contacts().revision())
    }

    /// Runs `f` on the session's contacts (to save them, or look names up) without copying
    /// them. The session waits meanwhile: keep `f` short.
    pub fn with_contacts<R>(&self, f: impl FnOnce(&ContactStore) -> R) -> Result<R, SessionError> {
        Ok(f(self.shared.client().contacts()))
    }
}

/// A session driven on its own thread: events come out of [`Session::events`] (or
/// [`Session::next_event`]); commands go in through [`Session::handle`]. Dropping it stops the
/// driver.
///
/// Events wait in the core until the application takes them; while
/// [`Config::max_queued_events`] wait, the message loop pauses (commands do not).
#[derive(Debug)]
pub struct Session {
    handle: SessionHandle,
    thread: Option<JoinHandle<()>>,
}

impl Session {
    /// Starts a QR login with the default [`Transport`].
    pub fn start(config: Config) -> Session {
        Session::drive(Client::new(config), Transport::new())
    }

    /// Starts a QR login with `transport`.
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

    /// Drives `client` (not yet started) with `transport` on a new thread.
    pub fn drive(client: Client, transport: Transport) -> Session {
        let (driver, inbox) = mpsc::channel();
        let shared = Arc::new(Shared {
            client: Mutex::new(client),
            transport: transport.clone(),
            events: Condvar::new(),
            stopped: AtomicBool::new(false),
            sources: Mutex::new(HashMap::new()),
        });
        let for_driver = Arc::clone(&shared);
        let inputs = driver.clone();
        let thread = std::thread::Builder::new()
            .name("webwx-ureq".into())
            .spawn(move || run(&for_driver, &transport, &inputs, &inbox))
            .ok();
        if thread.is_none() {
            tracing::warn!("could not start the driver thread");
            shared.stop();
        }
        Session {
            handle: SessionHandle { shared, driver },
            thread,
        }
    }

    /// A handle for commands, usable from any thread.
    pub fn handle(&self) -> SessionHandle {
        self.handle.clone()
    }

    /// The next event, waiting for it; `None` once the session has ended and every event was
    /// read.
    pub fn next_event(&self) -> Option<Event> {
        self.wait_event(None).ok()
    }

    /// The next event, waiting at most `timeout`.
    pub fn next_event_timeout(&self, timeout: Duration) -> Result<Event, mpsc::RecvTimeoutError> {
        self.wait_event(Some(Instant::now() + timeout))
    }

    fn wait_event(&self, until: Option<Instant>) -> Result<Event, mpsc::RecvTimeoutError> {
        let shared = &self.handle.shared;
        let mut client = shared.client();
        loop {
            if let Some(event) = client.poll_event() {
                drop(client);
                // Taking events may let a paused message loop go on.
                let _ = self.handle.driver.send(Input::Wake);
                return Ok(event);
            }
            if shared.ended(&client) {
                return Err(mpsc::RecvTimeoutError::Disconnected);
            }
            client = match until {
                None => shared
                    .events
                    .wait(client)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(until) => {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(mpsc::RecvTimeoutError::Timeout);
                    }
                    shared
                        .events
                        .wait_timeout(client, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    /// Every event until the session ends.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        std::iter::from_fn(|| self.next_event())
    }

    /// See [`SessionHandle::send_text`].
    pub fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        self.handle.send_text(to, text)
    }

    /// See [`SessionHandle::logout`].
    pub fn logout(&self) -> Result<(), SessionError> {
        self.handle.logout()
    }

    /// See [`SessionHandle::save`].
    pub fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        self.handle.save()
    }

    /// See [`SessionHandle::contacts_revision`].
    pub fn contacts_revision(&self) -> Result<u64, SessionError> {
        self.handle.contacts_revision()
    }

    /// See [`SessionHandle::with_contacts`].
    pub fn with_contacts<R>(&self, f: impl FnOnce(&ContactStore) -> R) -> Result<R, SessionError> {
        self.handle.with_contacts(f)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.handle.driver.send(Input::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.handle.shared.stop();
    }
}

/// The driver loop: send what the core asks for (each request on its own thread), feed back
/// answers and timeouts, and wake the application when events may be waiting, until the
/// session ends.
fn run(
    shared: &Shared,
    transport: &Transport,
    inputs: &mpsc::Sender<Input>,
    inbox: &mpsc::Receiver<Input>,
) {
    if shared.client().start(now()).is_err() {
        return shared.stop();
    }
    loop {
        let (timeout, terminal) = {
            let mut client = shared.client();
            while let Some(t) = client.poll_transmit() {
                let transport = transport.clone();
                let done = inputs.clone();
                let id = t.id;
                let spawned = std::thread::Builder::new()
                    .name("webwx-ureq-request".into())
                    .spawn(move || {
                        let result = transport.execute(t.request, t.timeout);
                        let _ = done.send(Input::Done(t.id, result));
                    });
                if let Err(error) = spawned {
                    // Reported at once, so the core retries it after backoff.
                    tracing::warn!(%error, "could not start a request thread");
                    client.handle_transport_error(id, TransportErrorKind::Other, now());
                }
            }
            while let Some(r) = client.poll_chunk_request() {
                let source = shared.sources().get(&r.handle).cloned();
                let done = inputs.clone();
                let spawned = std::thread::Builder::new()
                    .name("webwx-ureq-read".into())
                    .spawn(move || {
                        let bytes = match source {
                            Some(source) => source
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .read_at(r.offset, r.len),
                            None => Err(std::io::Error::other("the file's source is gone")),
                        };
                        let _ = done.send(Input::Chunk(r.handle, r.offset, bytes));
                    });
                if let Err(error) = spawned {
                    client.handle_chunk_error(r.handle, &error.to_string(), now());
                }
            }
            // A send that is over needs its file no more.
            shared.sources().retain(|h, _| client.is_send_pending(*h));
            (client.poll_timeout(), client.state().is_terminal())
        };
        shared.events.notify_all();
        if terminal {
            return shared.stop();
        }
        let input = match timeout {
            Some(at) => match inbox.recv_timeout(at.saturating_since(now())) {
                Ok(input) => input,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    shared.client().handle_timeout(now());
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return shared.stop(),
            },
            None => match inbox.recv() {
                Ok(input) => input,
                Err(_) => return shared.stop(),
            },
        };
        match input {
            Input::Done(id, Ok(response)) => shared.client().handle_response(id, response, now()),
            Input::Done(id, Err(error)) => {
                tracing::debug!(%error, "request failed");
                shared
                    .client()
                    .handle_transport_error(id, error.kind(), now());
            }
            Input::Chunk(handle, offset, Ok(bytes)) => {
                // Refused only when the send ended meanwhile: nothing to do.
                let _ = shared.client().handle_chunk(handle, offset, bytes, now());
            }
            Input::Chunk(handle, _, Err(error)) => {
                shared
                    .client()
                    .handle_chunk_error(handle, &error.to_string(), now());
            }
            Input::Wake => {}
            Input::Stop => return shared.stop(),
        }
    }
}
