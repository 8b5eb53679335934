//! Saving a session and resuming it: first the saved session itself (a webwxsync probe from the
//! saved SyncKey), then a push login (the phone confirms, no QR scan), and only then a QR login.

use super::calls::{Exchange, Stamp};
use super::login::{JsLoginCall, LoginPollCall};
use super::session::Session;
use super::sync::SyncCall;
use super::{Client, Fault, QueuedSends};
use crate::model::PushLoginAnswer;
use crate::request::ApiRequest;
use crate::{
    Config, Endpoint, Event, ResumeError, SAVED_SESSION_VERSION, SavedSession, State, Timestamp,
};

/// `webwxpushloginurl`: ask the phone to confirm a new login (no QR scan).
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct PushLoginCall;

impl Exchange for PushLoginCall {
    const ENDPOINT: Endpoint = Endpoint::PushLogin;
    type Answer = PushLoginAnswer;

    fn request(&self, client: &Client, _: &Stamp) -> Option<ApiRequest> {
        let creds = client.session.credentials.as_ref()?;
        let mut req = ApiRequest::new(Self::ENDPOINT).component("uin", creds.uin);
        if client.config.desktop_mode {
            req = req.raw("mod", "desktop");
        }
        Some(req)
    }

    fn handle(
        &self,
        client: &mut Client,
        answer: PushLoginAnswer,
        _sent_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), Fault> {
        if answer.ret != 0 || answer.uuid.is_empty() {
            // The phone cannot be asked (push login disabled, too long since the last login):
            // fall back to a QR login.
            tracing::debug!(ret = answer.ret, "push login refused; QR login");
            client.set_state(State::FetchingUuid);
            client.issue(JsLoginCall { refreshes: 0 }, 0, now);
            return Ok(());
        }
        let uuid = answer.uuid;
        client
            .events
            .push(Event::PushLoginSent { uuid: uuid.clone() });
        client.set_state(State::WaitingForConfirm { uuid: uuid.clone() });
        client.issue(LoginPollCall::first(uuid, 0), 0, now);
        Ok(())
    }
}

impl Client {
    /// The whole session state, to rebuild the client with [`Client::resume`]. `None` before
    /// the session is set up (no credentials or self user yet).
    ///
    /// It never runs ahead of the application: while messages wait in
    /// [`poll_event`](Client::poll_event)'s queue, the saved SyncKey is the one from before the
    /// answer that brought the oldest of them, and their ids are not saved as seen, so a client
    /// resumed from it fetches them again (the messages taken meanwhile are dropped as
    /// duplicates).
    pub fn save(&self) -> Option<SavedSession> {
        // The send in flight (or waiting for its retry) goes first, then the queue.
        let current = self.scheduler.calls().find_map(|c| c.as_send().cloned());
        let outbox = current
            .into_iter()
            // A file waiting for its upload is not saved: its bytes are the application's.
            .chain(self.sends.waiting().filter(|s| s.upload.is_none()).cloned())
            .collect();
        // Never ahead of the application: messages it has not taken yet are fetched again after
        // a restart (the keys from before their answer, their ids not remembered).
        let cursor = self.events.rewind().unwrap_or(&self.session.cursor);
        let mut seen = self.session.seen.clone();
        for id in self.events.untaken_ids() {
            seen.forget(id);
        }
        self.session.to_saved(cursor, seen, outbox)
    }

    /// A client rebuilt from a saved session. [`Client::start`] then probes the saved session;
    /// if the server says it is over, it asks the phone for a push login, and if that is refused,
    /// falls back to a QR login.
    pub fn resume(config: Config, saved: SavedSession) -> Result<Client, ResumeError> {
        if saved.version != SAVED_SESSION_VERSION {
            return Err(ResumeError::Version {
                found: saved.version,
                supported: SAVED_SESSION_VERSION,
            });
        }
        let limits = &config.limits;
        let over = |what: &'static str, n: usize, limit: usize| {
            (n > limit).then_some(ResumeError::LimitExceeded { what, limit })
        };
        let members = saved
            .contacts
            .iter()
            .map(|c| c.members().len())
            .max()
            .unwrap_or(0);
        let checks = [
            over("contacts", saved.contacts.len(), limits.max_contacts),
            over("members of a contact", members, limits.max_group_members),
            over("pending sends", saved.outbox.len(), limits.max_send_queue),
            over(
                "SyncKey entries",
                saved
                    .sync_key
                    .list
                    .len()
                    .max(saved.sync_check_key.list.len()),
                limits.max_sync_key_entries,
            ),
        ];
        if let Some(error) = checks.into_iter().flatten().next() {
            return Err(error);
        }
        let (session, outbox) = Session::from_saved(saved)?;
        let mut client = Client::new(config);
        client.session = session;
        // A session saved under a larger limit keeps only the newest ids the limit allows.
        client
            .session
            .seen
            .trim_to(client.config.limits.max_remembered_msg_ids);
        for send in outbox {
            client.sends.push(send);
        }
        Ok(client)
    }

    /// Starts a resumed client: the probe.
    pub(super) fn start_resume(&mut self, now: Timestamp) {
        self.set_state(State::Resuming);
        self.issue(SyncCall, 0, now);
    }

    /// The probe answered: the saved session is live. (Its queued sends go out once the
    /// probe's answer has been applied, with the SKey it may carry.)
    pub(super) fn resumed(&mut self) {
        let uin = self.session.credentials.as_ref().map_or(0, |c| c.uin);
        self.set_state(State::Ready);
        self.events.push(Event::Resumed { uin });
    }

    /// The saved session is over: ask the phone to confirm a new login.
    pub(super) fn start_push_login(&mut self, now: Timestamp) {
        tracing::debug!("saved session over; trying a push login");
        self.stop_requests(QueuedSends::Keep);
        self.set_state(State::PushLogin);
        self.issue(PushLoginCall, 0, now);
    }
}
