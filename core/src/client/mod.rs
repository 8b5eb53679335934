//! The driver: one [`Client`] per account, carrying the login from "I want to log in" to a
//! ready session.

mod calls;
mod commands;
mod feed;
mod forward;
mod group_fetch;
mod lane;
mod login;
mod media;
mod ops;
mod page;
mod resume;
mod scheduler;
mod session;
mod setup;
mod sync;
mod upload;

use crate::Contact;
use crate::cookies::CookieJar;
use crate::model::SyncKey;
use crate::rng::Rng;
use crate::{
    Config, ContactStore, Error, Event, Failure, Hosts, LogoutReason, ParseError, RequestId, State,
    Timestamp, Transmit, TransportErrorKind, UsageError,
};
use bytes::Bytes;
use calls::{Call, Stamp};
pub(crate) use commands::PendingSend;
pub use commands::local_id;
use feed::Feed;
use lane::Lane;
use login::JsLoginCall;
pub use media::MediaRequest;
pub use ops::INVITE_FROM_MEMBERS;
use page::Page;
use scheduler::{InFlight, Scheduler};
use session::Session;
use sync::MessageLoop;

/// What [`Client::stop_requests`] does with the sends still queued.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QueuedSends {
    /// They fail ([`Event::SendFailed`] with [`Error::SessionOver`]).
    Fail,
    /// They stay queued.
    Keep,
}

/// Why a handler could not use an answer.
#[derive(Debug)]
enum Fault {
    /// Try the call again after backoff.
    Retry(Failure),
    /// End the client.
    Fatal(Error),
}

impl From<ParseError> for Fault {
    fn from(e: ParseError) -> Self {
        Fault::Retry(Failure::Parse(e))
    }
}

impl From<Error> for Fault {
    fn from(e: Error) -> Self {
        Fault::Fatal(e)
    }
}

/// The sans-IO Web WeChat client of one account.
///
/// Method classes, as in quinn-proto and str0m:
/// - getters (`&self`): [`state`](Client::state), [`user`](Client::user),
///   [`contacts`](Client::contacts), [`hosts`](Client::hosts), ...;
/// - commands from the application: [`start`](Client::start);
/// - `handle_*` for what comes back from the network or the clock:
///   [`handle_response`](Client::handle_response),
///   [`handle_transport_error`](Client::handle_transport_error),
///   [`handle_timeout`](Client::handle_timeout);
/// - `poll_*` for what the caller must do next: [`poll_transmit`](Client::poll_transmit),
///   [`poll_event`](Client::poll_event), [`poll_timeout`](Client::poll_timeout).
///
/// **The drain rule**: after every command and every `handle_*` call, call `poll_transmit` until it
/// returns `None` (send each request), `poll_event` until it returns `None`, then wait until
/// `poll_timeout` (calling `handle_timeout` then) or until an answer arrives. Several requests
/// may be in flight at once; each answer is routed back by its [`RequestId`].
///
/// The client never reads a clock, a socket or ambient randomness: time is passed in as
/// [`Timestamp`] and randomness comes from [`Config::seed`], so the same seed and inputs give
/// byte-identical requests.
#[derive(Debug)]
pub struct Client {
    config: Config,
    rng: Rng,
    state: State,
    /// The durable part: what a saved session holds.
    session: Session,
    /// Messages to send, one at a time, paced.
    sends: Lane<PendingSend>,
    /// Chats to mark read, one at a time.
    reads: Lane<String>,
    /// Requests in flight, scheduled calls, requests for the transport, the clock.
    scheduler: Scheduler,
    /// Offline or not, paused or not, paced from when.
    message_loop: MessageLoop,
    /// The groups (and contacts) wanted from `webwxbatchgetcontact`.
    groups: group_fetch::GroupQueue,
    /// What the official client's page would hold: when it loaded, how many script calls it
    /// made (the `_` counter).
    page: Page,
    /// The events waiting for the application.
    events: Feed,
    /// The file being uploaded, if the send lane's item in flight is one (boxed: most
    /// sessions upload nothing, and an idle one should not carry its room).
    upload: Option<Box<upload::UploadRun>>,
}

impl std::fmt::Debug for Rng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rng")
    }
}

impl Client {
    /// A client that will log in with `config`. Nothing happens until [`Client::start`].
    pub fn new(config: Config) -> Client {
        let mut rng = Rng::from_seed(config.seed);
        let device_id = rng.device_id();
        Client {
            config,
            rng,
            state: State::Idle,
            session: Session {
                device_id,
                ..Session::default()
            },
            sends: Lane::default(),
            reads: Lane::default(),
            scheduler: Scheduler::default(),
            message_loop: MessageLoop::default(),
            page: Page::default(),
            groups: group_fetch::GroupQueue::default(),
            events: Feed::default(),
            upload: None,
        }
    }

    /// Starts the QR login (the first request, `jslogin`, is then ready in
    /// [`poll_transmit`](Client::poll_transmit)), or, for a client from [`Client::resume`],
    /// the probe of the saved session.
    pub fn start(&mut self, now: Timestamp) -> Result<(), UsageError> {
        self.observe(now);
        match self.state {
            State::Idle if self.session.credentials.is_some() => {
                self.start_resume(now);
                Ok(())
            }
            State::Idle => {
                self.set_state(State::FetchingUuid);
                self.issue(JsLoginCall { refreshes: 0 }, 0, now);
                Ok(())
            }
            State::Failed(_) => Err(UsageError::Ended),
            _ => Err(UsageError::AlreadyStarted),
        }
    }

    // ----- getters -----

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The self user, once `webwxinit` answered.
    pub fn user(&self) -> Option<&Contact> {
        self.session.user.as_ref()
    }

    /// The account's uin, once logged in.
    pub fn uin(&self) -> Option<u64> {
        self.session.credentials.as_ref().map(|c| c.uin)
    }

    /// The contact store.
    pub fn contacts(&self) -> &ContactStore {
        &self.session.contacts
    }

    /// The hosts of the session, once the login was confirmed.
    pub fn hosts(&self) -> Option<&Hosts> {
        self.session.hosts.as_ref()
    }

    /// The current SyncKey (empty before `webwxinit`): what webwxsync posts.
    pub fn sync_key(&self) -> &SyncKey {
        self.session.cursor.sync_key()
    }

    /// The current SyncCheckKey (empty until a sync answer carried one): what synccheck sends,
    /// falling back to the SyncKey.
    pub fn sync_check_key(&self) -> &SyncKey {
        self.session.cursor.check_key()
    }

    /// The DeviceID drawn for this client when it was created (`e` + 15 digits, from the seed),
    /// kept in a saved session. Requests do not carry it: as the official page does, every
    /// `BaseRequest` and every synccheck carries a DeviceID drawn afresh.
    pub fn device_id(&self) -> &str {
        &self.session.device_id
    }

    /// The cookie jar.
    pub fn cookies(&self) -> &CookieJar {
        &self.session.cookies
    }

    /// How many requests are in flight.
    pub fn in_flight(&self) -> usize {
        self.scheduler.in_flight()
    }

    // ----- poll_* -----

    /// The next request to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.scheduler.poll_transmit()
    }

    /// The next event for the application, if any.
    ///
    /// Taking events is what lets the session go on: while [`Config::max_queued_events`] events
    /// wait here, the message loop pauses (commands do not), and [`Client::save`] never saves a
    /// SyncKey past a message that is still waiting here. After taking events, check
    /// [`poll_timeout`](Client::poll_timeout) again: a paused loop is then due at once.
    pub fn poll_event(&mut self) -> Option<Event> {
        let next = self.events.pop();
        if self.message_loop.paused.is_some()
            && self.events.len() < self.config.max_queued_events
            && let Some(call) = self.message_loop.paused.take()
        {
            // Due at once: the driver calls handle_timeout on its next turn.
            let at = self.scheduler.last_now();
            self.scheduler.schedule(at, *call, 0);
        }
        next
    }

    /// Whether [`poll_event`](Client::poll_event) has an event to give now: a driver that
    /// hands events to another task wakes it only then.
    pub fn has_event(&self) -> bool {
        self.events.has_next()
    }

    /// When [`handle_timeout`](Client::handle_timeout) must be called next, if ever: the
    /// earliest of the scheduled calls (retries, paced polls) and of the deadlines of the
    /// requests in flight (a request whose transport never reports is given up as timed out).
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.scheduler.poll_timeout()
    }

    // ----- handle_* -----

    /// Time has passed: sends every call whose time has come.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.observe(now);
        if self.state.is_terminal() {
            return;
        }
        for id in self.scheduler.overdue(now) {
            tracing::debug!(id = id.0, "no answer from the transport by the deadline");
            self.handle_transport_error(id, TransportErrorKind::Timeout, now);
        }
        for s in self.scheduler.due(now) {
            self.issue(s.call, s.attempt, now);
        }
    }

    /// The transport could not complete request `id`. Every kind is transient: the call is
    /// retried with backoff until [`RetryPolicy::max_attempts`](crate::RetryPolicy) is used up.
    pub fn handle_transport_error(
        &mut self,
        id: RequestId,
        kind: TransportErrorKind,
        now: Timestamp,
    ) {
        self.observe(now);
        let Some(flight) = self.take_in_flight(id) else {
            return;
        };
        tracing::debug!(endpoint = %flight.call.endpoint(), %kind, "transport error");
        let failure = Failure::Transport(kind);
        flight.call.failed(self, failure, flight.attempt, now);
    }

    /// The answer to request `id` arrived.
    pub fn handle_response(
        &mut self,
        id: RequestId,
        response: http::Response<Bytes>,
        now: Timestamp,
    ) {
        self.observe(now);
        let Some(flight) = self.take_in_flight(id) else {
            return;
        };
        if response.headers().contains_key(http::header::SET_COOKIE) {
            // Parsed again only for an answer that sets cookies (the login's, mostly): a request
            // in flight keeps its URI, not a second, parsed copy of its URL.
            match url::Url::parse(&flight.uri.to_string()) {
                Ok(url) => self.session.cookies.store_from(&url, response.headers()),
                Err(_) => tracing::debug!("cookies of an answer to an unreadable URI dropped"),
            }
        }
        let status = response.status();
        let redirect_ok = flight.call.endpoint().redirect_is_answer() && status.is_redirection();
        let limit = self.config.limits.max_body_bytes;
        let (parts, body) = response.into_parts();
        let outcome = if !(status.is_success() || redirect_ok) {
            Err(Fault::Retry(Failure::Status(status.as_u16())))
        } else if body.len() > limit {
            Err(Fault::Retry(Failure::Parse(ParseError::TooLarge {
                len: body.len(),
                limit,
            })))
        } else {
            match crate::content_encoding::decode(&parts.headers, body, limit) {
                Ok(body) => flight.call.dispatch(self, &body, flight.sent_at, now),
                Err(e) => Err(Fault::Retry(Failure::Parse(e))),
            }
        };
        match outcome {
            Ok(()) => {
                if self.message_loop.offline && flight.call.is_message_loop() {
                    self.message_loop.offline = false;
                    tracing::info!("online again");
                    self.events.push(Event::Online);
                }
            }
            Err(Fault::Retry(failure)) => flight.call.failed(self, failure, flight.attempt, now),
            Err(Fault::Fatal(Error::SessionEnded { .. })) if self.state == State::Resuming => {
                self.start_push_login(now)
            }
            Err(Fault::Fatal(error)) => self.fail(error),
        }
    }

    // ----- internals shared by the handlers -----

    fn take_in_flight(&mut self, id: RequestId) -> Option<InFlight> {
        if self.state.is_terminal() {
            self.scheduler.clear();
            return None;
        }
        let flight = self.scheduler.take(id);
        if flight.is_none() {
            tracing::debug!(id = id.0, "answer to an unknown request ignored");
        }
        flight
    }

    fn set_state(&mut self, state: State) {
        tracing::debug!(from = ?std::mem::discriminant(&self.state), "state change");
        self.state = state;
    }

    /// Takes the time passed in. A time before the latest one is a step of the clock backwards
    /// (NTP, suspend): every timer and deadline moves back by the step, so that nothing waits
    /// for the clock to catch up.
    fn observe(&mut self, now: Timestamp) {
        if let Some(step) = self.scheduler.observe(now) {
            tracing::debug!(?step, "the clock went backwards; timers moved back");
            self.sends.shift_back(step);
            let last = &mut self.message_loop.last_synccheck_at;
            *last = last.map(|t| t.before(step));
        }
    }

    /// The one teardown of logout, failure, the end of a session and the switch to a push
    /// login: every request in flight, scheduled, waiting for the transport or paused is
    /// forgotten, read marks are dropped, and the queued sends fail (or, for a push login, wait
    /// for the login to decide).
    fn stop_requests(&mut self, sends: QueuedSends) {
        if sends == QueuedSends::Fail {
            self.fail_pending_sends();
        }
        self.reads.drain();
        self.groups.clear();
        self.scheduler.clear();
        self.message_loop.paused = None;
    }

    /// Builds and queues the request of `call`.
    fn issue(&mut self, call: impl Into<Call>, attempt: u32, now: Timestamp) {
        let call = call.into();
        if call.is_message_loop()
            && self.state.is_logged_in()
            && self.events.len() >= self.config.max_queued_events
        {
            // Back-pressure: the application has not taken what it was given yet.
            tracing::debug!(queued = self.events.len(), "message loop paused");
            self.message_loop.paused = Some(Box::new(call));
            return;
        }
        if matches!(call, Call::SyncCheck(_)) {
            self.message_loop.last_synccheck_at = Some(now);
        }
        let endpoint = call.endpoint();
        let page_loaded_at = *self.page.loaded_at.get_or_insert(now);
        let stamp = Stamp {
            now,
            device_id: self.rng.device_id(),
            nonce: page_loaded_at
                .as_unix_millis()
                .saturating_add(self.page.script_calls),
            page_loaded_at,
            page_origin: self.page_origin(),
            boundary: (endpoint.loader() == crate::Loader::Upload).then(|| self.rng.bytes16()),
        };
        if endpoint.is_script() {
            self.page.script_calls += 1;
        }
        let Some(req) = call.request(self, &stamp) else {
            self.fail(Error::Protocol {
                endpoint,
                detail: "the call needs session state the client does not have",
            });
            return;
        };
        let request = match self.build(req) {
            Ok(built) => built,
            Err(e) => return self.fail(e),
        };
        let id = self.scheduler.next_id();
        let timeout = self.timeout_of(&call);
        tracing::debug!(id = id.0, %endpoint, "request");
        let transmit = Transmit {
            id,
            endpoint,
            request,
            timeout,
        };
        self.scheduler.send(call, attempt, now, transmit);
    }

    /// Builds `req` with the session's hosts, cookies, pass_ticket and page.
    fn build(&self, req: crate::request::ApiRequest) -> Result<http::Request<Bytes>, Error> {
        let page_origin = self.page_origin();
        let ctx = crate::request::Context {
            config: &self.config,
            hosts: self.session.hosts.as_ref(),
            jar: &self.session.cookies,
            pass_ticket: self
                .session
                .credentials
                .as_ref()
                .map(|c| c.pass_ticket.expose().as_str()),
            page_origin: &page_origin,
        };
        req.build(&ctx)
    }

    /// The origin of the official page this client stands for: the session's API host once
    /// logged in (the ticket fetched), before that the page the login origin serves
    /// (`https://login.wx.qq.com` → `https://wx.qq.com`).
    fn page_origin(&self) -> String {
        match (&self.session.hosts, &self.session.credentials) {
            (Some(hosts), Some(_)) => hosts.api.clone(),
            _ => crate::hosts::page_of_login(&self.config.login_origin),
        }
    }

    /// Sends `call` at `at`, or now if that time has come.
    fn issue_at(&mut self, call: impl Into<Call>, at: Timestamp, now: Timestamp) {
        if at <= now {
            self.issue(call, 0, now);
        } else {
            self.scheduler.schedule(at, call.into(), 0);
        }
    }

    /// Schedules another try of `call` after backoff, or fails when the budget is used up.
    fn retry(&mut self, call: Call, attempt: u32, cause: Failure, now: Timestamp) {
        let failures = attempt.saturating_add(1);
        let endpoint = call.endpoint();
        // A ready session's message loop never gives up: an outage of any length is waited out
        // at the capped backoff; only the server's session-ending codes end a session.
        let endless = self.state.is_logged_in() && call.is_message_loop();
        if endless
            && failures >= self.config.retry.offline_after.max(1)
            && !self.message_loop.offline
        {
            self.message_loop.offline = true;
            tracing::info!(%cause, "offline; retrying without limit");
            self.events.push(Event::Offline {
                cause: cause.clone(),
            });
        }
        if !endless && failures >= self.config.retry.max_attempts {
            let error = Error::RetriesExhausted {
                endpoint,
                attempts: failures,
                last: cause,
            };
            return call.give_up(self, error, now);
        }
        let ceiling = self.config.retry.ceiling(failures);
        let delay = ceiling / 2 + self.rng.up_to(ceiling / 2);
        tracing::debug!(%endpoint, failures, ?delay, %cause, "retrying");
        self.events.push(Event::Retrying {
            endpoint,
            attempt: failures,
            delay,
            cause,
        });
        self.scheduler.schedule(now.after(delay), call, failures);
    }

    /// Ends the client with `error`. A session-ending code once the session is ready is a
    /// logout ([`State::LoggedOut`]), not a failure.
    fn fail(&mut self, error: Error) {
        if let (
            Error::SessionEnded { code, .. },
            State::Ready
            | State::LoadingContacts { .. }
            | State::LoadingGroupMembers { .. }
            | State::LoggingOut,
        ) = (&error, &self.state)
            && let Some(reason) = LogoutReason::from_code(*code)
        {
            return self.end_session(reason);
        }
        tracing::debug!(%error, "failed");
        self.stop_requests(QueuedSends::Fail);
        self.events.push(Event::Failed(error.clone()));
        self.set_state(State::Failed(error));
    }
}
