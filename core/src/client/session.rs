//! The durable part of a client: everything a [`SavedSession`] holds (and the contacts, saved
//! apart), in one place, so that saving and resuming are one conversion each way.

use super::commands::PendingSend;
use crate::Contact;
use crate::cookies::CookieJar;
use crate::credentials::Credentials;
use crate::cursor::SyncCursor;
use crate::dedup::SeenIds;
use crate::{ContactStore, Hosts, ResumeError, SAVED_SESSION_VERSION, SavedSession, Secret};

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Session {
    /// This client's DeviceID (also in the credentials once logged in).
    pub(super) device_id: String,
    pub(super) credentials: Option<Credentials>,
    pub(super) hosts: Option<Hosts>,
    pub(super) cookies: CookieJar,
    /// The self user, once `webwxinit` answered.
    pub(super) user: Option<Contact>,
    pub(super) contacts: ContactStore,
    /// SyncKey and SyncCheckKey, with their rules.
    pub(super) cursor: SyncCursor,
    /// Recent message ids, to drop duplicates.
    pub(super) seen: SeenIds,
    /// The handle of the next send.
    pub(super) next_send: u64,
}

impl Session {
    /// The saved form, with the `cursor` and `seen` ids to store (a save never runs ahead of the
    /// application, so they may be older than the session's) and the sends still to make.
    /// `None` before the session is set up.
    pub(super) fn to_saved(
        &self,
        cursor: &SyncCursor,
        seen: SeenIds,
        outbox: Vec<PendingSend>,
    ) -> Option<SavedSession> {
        Some(SavedSession {
            version: SAVED_SESSION_VERSION,
            credentials: self.credentials.clone()?,
            hosts: self.hosts.clone()?,
            cookies: Secret::new(self.cookies.to_json()),
            user: self.user.clone()?,
            contacts: ContactStore::default(),
            sync_key: cursor.sync_key().clone(),
            sync_check_key: cursor.check_key().clone(),
            seen,
            outbox,
            next_send: self.next_send,
        })
    }

    /// The session of `saved`, and the sends it still had to make.
    pub(super) fn from_saved(
        saved: SavedSession,
    ) -> Result<(Session, Vec<PendingSend>), ResumeError> {
        let cookies = CookieJar::from_json(saved.cookies.expose()).ok_or(ResumeError::Cookies)?;
        let session = Session {
            device_id: saved.credentials.device_id.clone(),
            credentials: Some(saved.credentials),
            hosts: Some(saved.hosts),
            cookies,
            user: Some(saved.user),
            contacts: saved.contacts,
            cursor: SyncCursor::at(saved.sync_key, saved.sync_check_key),
            seen: saved.seen,
            next_send: saved.next_send,
        };
        Ok((session, saved.outbox))
    }

    /// A new login replaces a saved session: user names are session-scoped, so the old store,
    /// keys and self user are stale (the cookies, hosts and device are kept).
    pub(super) fn forget_account_state(&mut self) {
        self.contacts = ContactStore::default();
        self.cursor = SyncCursor::default();
        self.user = None;
    }
}
