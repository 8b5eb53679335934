//! A whole session driven in one tokio task.

use crate::{Transport, TransportError};
use bytes::Bytes;
use std::time::SystemTime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
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
    Command(Command, oneshot::Sender<Result<CommandOutcome, UsageError>>),
    Save(oneshot::Sender<Option<SavedSession>>),
}

/// Commands to a running [`Session`], from any task.
#[derive(Clone)]
pub struct SessionHandle {
    // Channel items are boxed: a tokio channel allocates room for 32 items at once, so with
    // thousands of sessions the size of an item is paid 32 times per session.
    inputs: mpsc::UnboundedSender<Box<Input>>,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle").finish_non_exhaustive()
    }
}

impl SessionHandle {
    async fn command(&self, command: Command) -> Result<CommandOutcome, SessionError> {
        let (reply, answer) = oneshot::channel();
        self.inputs
            .send(Box::new(Input::Command(command, reply)))
            .map_err(|_| SessionError::Stopped)?;
        Ok(answer.await.map_err(|_| SessionError::Stopped)??)
    }

    /// Queues a text message; its outcome arrives as [`Event::Sent`] or [`Event::SendFailed`].
    pub async fn send_text(&self, to: &str, text: &str) -> Result<SendHandle, SessionError> {
        match self
            .command(Command::SendText {
                to: to.to_string(),
                text: text.to_string(),
            })
            .await?
        {
            CommandOutcome::Queued(handle) => Ok(handle),
            _ => Err(SessionError::Stopped),
        }
    }

    /// Marks a chat read on the phone.
    pub async fn mark_read(&self, chat: &str) -> Result<(), SessionError> {
        self.command(Command::MarkRead {
            chat: chat.to_string(),
        })
        .await
        .map(|_| ())
    }

    /// Logs out; [`Event::LoggedOut`] follows.
    pub async fn logout(&self) -> Result<(), SessionError> {
        self.command(Command::Logout).await.map(|_| ())
    }

    /// The session state, to resume it later with [`Session::resume`]; `None` before login.
    pub async fn save(&self) -> Result<Option<SavedSession>, SessionError> {
        let (reply, answer) = oneshot::channel();
        self.inputs
            .send(Box::new(Input::Save(reply)))
            .map_err(|_| SessionError::Stopped)?;
        answer.await.map_err(|_| SessionError::Stopped)
    }
}

/// A session driven in its own task: events from [`Session::next_event`], commands through
/// [`Session::handle`]. Dropping it stops the task (requests in flight are abandoned).
#[derive(Debug)]
pub struct Session {
    handle: SessionHandle,
    events: mpsc::Receiver<Box<Event>>,
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
        let (inputs, inbox) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::channel(EVENT_BUFFER);
        // Boxed: an async fn keeps its arguments and the locals they move into side by side, so
        // an unboxed client would take its room in the task twice.
        let task = tokio::spawn(run(Box::new(client), transport, inbox, events_tx));
        Session {
            handle: SessionHandle { inputs },
            events,
            task,
        }
    }

    /// A handle for commands, usable from any task.
    pub fn handle(&self) -> SessionHandle {
        self.handle.clone()
    }

    /// The next event; `None` once the session has ended and every event was read.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await.map(|e| *e)
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
        self.task.abort();
    }
}

/// The driver: send what the core asks for (all in flight at once), hand events to the
/// application, feed back answers, commands and timeouts, until the session ends.
async fn run(
    mut client: Box<Client>,
    transport: Transport,
    mut inbox: mpsc::UnboundedReceiver<Box<Input>>,
    events: mpsc::Sender<Box<Event>>,
) {
    if client.start(now()).is_err() {
        return;
    }
    let mut in_flight: JoinSet<(RequestId, Result<http::Response<Bytes>, TransportError>)> =
        JoinSet::new();
    loop {
        while let Some(t) = client.poll_transmit() {
            let transport = transport.clone();
            in_flight.spawn(async move { (t.id, transport.execute(t.request, t.timeout).await) });
        }
        while let Some(event) = client.poll_event() {
            if events.send(Box::new(event)).await.is_err() {
                return; // nobody listens any more
            }
        }
        if client.state().is_terminal() {
            return;
        }
        let sleep = client
            .poll_timeout()
            .map(|at| tokio::time::sleep(at.saturating_since(now())));
        tokio::select! {
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => match done {
                Ok((id, Ok(response))) => client.handle_response(id, response, now()),
                Ok((id, Err(error))) => {
                    tracing::debug!(%error, "request failed");
                    client.handle_transport_error(id, error.kind(), now());
                }
                Err(join_error) => tracing::warn!(%join_error, "a request task failed"),
            },
            input = inbox.recv() => match input.map(|i| *i) {
                Some(Input::Command(command, reply)) => {
                    let _ = reply.send(client.command(command, now()));
                }
                Some(Input::Save(reply)) => {
                    let _ = reply.send(client.save());
                }
                None => return,
            },
            () = async { if let Some(s) = sleep { s.await } else { std::future::pending().await } } => {
                client.handle_timeout(now());
            }
        }
    }
}
