//! A whole session on a driver thread.

use crate::Transport;
use bytes::Bytes;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::SystemTime;
use webwx_core::{
    Client, Command, CommandOutcome, Config, Event, RequestId, ResumeError, SavedSession,
    SendHandle, Timestamp, UsageError,
};

/// How many events may wait for the application before the driver waits for it.
const EVENT_BUFFER: usize = 1024;

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// A command could not be carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The core refused it (for example a send before login, or after the session ended).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The session's driver has stopped.
    #[error("the session has stopped")]
    Stopped,
}

enum Input {
    Done(
        RequestId,
        Result<http::Response<Bytes>, crate::TransportError>,
    ),
    Command(
        Command,
        mpsc::SyncSender<Result<CommandOutcome, UsageError>>,
    ),
    Save(mpsc::SyncSender<Option<SavedSession>>),
    Stop,
}

/// Commands to a running [`Session`], from any thread.
#[derive(Clone, Debug)]
pub struct SessionHandle {
    inputs: mpsc::Sender<Input>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Input")
    }
}

impl SessionHandle {
    fn command(&self, command: Command) -> Result<CommandOutcome, SessionError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.inputs
            .send(Input::Command(command, reply))
            .map_err(|_| SessionError::Stopped)?;
        Ok(answer.recv().map_err(|_| SessionError::Stopped)??)
    }

    /// Queues a text message; its outcome arrives as [`Event::Sent`] or [`Event::SendFailed`].
    pub fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        match self.command(Command::SendText {
            to: to.to_string(),
            text: text.to_string(),
        })? {
            CommandOutcome::Queued(handle) => Ok(handle),
            _ => Err(SessionError::Stopped),
        }
    }

    /// Marks a chat read on the phone.
    pub fn mark_read(&self, chat: &str) -> Result<(), SessionError> {
        self.command(Command::MarkRead {
            chat: chat.to_string(),
        })
        .map(|_| ())
    }

    /// Logs out; [`Event::LoggedOut`] follows.
    pub fn logout(&self) -> Result<(), SessionError> {
        self.command(Command::Logout).map(|_| ())
    }

    /// The session state, to resume it later with [`Session::resume`]; `None` before login.
    pub fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.inputs
            .send(Input::Save(reply))
            .map_err(|_| SessionError::Stopped)?;
        answer.recv().map_err(|_| SessionError::Stopped)
    }
}

/// A session driven on its own thread: events come out of [`Session::events`] (or
/// [`Session::next_event`]); commands go in through [`Session::handle`]. Dropping it stops the
/// driver.
#[derive(Debug)]
pub struct Session {
    handle: SessionHandle,
    events: mpsc::Receiver<Event>,
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
    pub fn drive(mut client: Client, transport: Transport) -> Session {
        let (inputs, inbox) = mpsc::channel();
        let (events_tx, events) = mpsc::sync_channel(EVENT_BUFFER);
        let for_driver = inputs.clone();
        let thread = std::thread::Builder::new()
            .name("webwx-ureq".into())
            .spawn(move || {
                if client.start(now()).is_ok() {
                    run(&mut client, &transport, &for_driver, &inbox, &events_tx);
                }
            })
            .ok();
        Session {
            handle: SessionHandle { inputs },
            events,
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
        self.events.recv().ok()
    }

    /// The next event, waiting at most `timeout`.
    pub fn next_event_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> Result<Event, mpsc::RecvTimeoutError> {
        self.events.recv_timeout(timeout)
    }

    /// Every event until the session ends.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.events.iter()
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
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.handle.inputs.send(Input::Stop);
        if let Some(thread) = self.thread.take() {
            // Drain events until the driver has stopped (it may be waiting to hand one over).
            while self.events.recv().is_ok() {}
            let _ = thread.join();
        }
    }
}

/// The driver loop: send what the core asks for (each request on its own thread), hand events
/// to the application, feed back answers, commands and timeouts, until the session ends.
fn run(
    client: &mut Client,
    transport: &Transport,
    inputs: &mpsc::Sender<Input>,
    inbox: &mpsc::Receiver<Input>,
    events: &mpsc::SyncSender<Event>,
) {
    loop {
        while let Some(t) = client.poll_transmit() {
            let transport = transport.clone();
            let done = inputs.clone();
            let spawned = std::thread::Builder::new()
                .name("webwx-ureq-request".into())
                .spawn(move || {
                    let result = transport.execute(t.request, t.timeout);
                    let _ = done.send(Input::Done(t.id, result));
                });
            if spawned.is_err() {
                tracing::warn!("could not start a request thread");
            }
        }
        while let Some(event) = client.poll_event() {
            if events.send(event).is_err() {
                return; // nobody listens any more
            }
        }
        if client.state().is_terminal() {
            return;
        }
        let input = match client.poll_timeout() {
            Some(at) => match inbox.recv_timeout(at.saturating_since(now())) {
                Ok(input) => input,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    client.handle_timeout(now());
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            },
            None => match inbox.recv() {
                Ok(input) => input,
                Err(_) => return,
            },
        };
        match input {
            Input::Done(id, Ok(response)) => client.handle_response(id, response, now()),
            Input::Done(id, Err(error)) => {
                tracing::debug!(%error, "request failed");
                client.handle_transport_error(id, error.kind(), now());
            }
            Input::Command(command, reply) => {
                let _ = reply.send(client.command(command, now()));
            }
            Input::Save(reply) => {
                let _ = reply.send(client.save());
            }
            Input::Stop => return,
        }
    }
}
