//! Session persistence: the whole session state as a versioned serde value, and the client
//! rebuilt from it.

use crate::Contact;
use crate::client::PendingSend;
use crate::contacts::ContactStore;
use crate::credentials::Credentials;
use crate::dedup::SeenIds;
use crate::model::SyncKey;
use crate::{Hosts, Secret};

/// The version of [`SavedSession`] this build writes and reads (2: the contacts are saved
/// apart; version 1 held them).
pub const SAVED_SESSION_VERSION: u32 = 2;

/// What is needed to continue a session after a restart without a new QR scan, but the
/// contacts: credentials, hosts, cookies, SyncKey and SyncCheckKey, the self user, the recent
/// message ids and the pending-send queue — a few kilobytes, cheap to save whenever the cursor
/// moves. Serialize it with any serde format (the CLI writes JSON to a file created with mode
/// 0600); it holds secrets, so treat it like a password. `Debug` redacts them.
///
/// The contacts are saved apart, since they are large (20,000 contacts are megabytes) and
/// rarely change: serialize [`Client::contacts`](crate::Client::contacts) when its
/// [`revision`](crate::ContactStore::revision) moved since the last write, and give them back
/// with [`SavedSession::with_contacts`] before [`Client::resume`](crate::Client::resume). A
/// session resumed without them starts with an empty store, which fills as contacts write and
/// change (the official page fetches them again on a reload, but it also calls `webwxinit`,
/// whose fresh SyncKey would skip what arrived meanwhile: see PROTOCOL.md, "What a reload
/// does").
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SavedSession {
    /// The format version ([`SAVED_SESSION_VERSION`]).
    pub version: u32,
    pub(crate) credentials: Credentials,
    pub(crate) hosts: Hosts,
    pub(crate) cookies: Secret<String>,
    pub(crate) user: Contact,
    /// Not serialized: given with [`SavedSession::with_contacts`].
    #[serde(skip)]
    pub(crate) contacts: ContactStore,
    pub(crate) sync_key: SyncKey,
    pub(crate) sync_check_key: SyncKey,
    pub(crate) seen: SeenIds,
    pub(crate) outbox: Vec<PendingSend>,
    pub(crate) next_send: u64,
}

impl SavedSession {
    /// The account's uin.
    pub fn uin(&self) -> u64 {
        self.credentials.uin
    }

    /// The self user at the time of saving.
    pub fn user(&self) -> &Contact {
        &self.user
    }

    /// The SyncKey the session continues from.
    pub fn sync_key(&self) -> &SyncKey {
        &self.sync_key
    }

    /// The contacts given with [`SavedSession::with_contacts`] (empty otherwise: a saved
    /// session does not hold them).
    pub fn contacts(&self) -> &crate::ContactStore {
        &self.contacts
    }

    /// This saved session with the `contacts` saved apart from it, for
    /// [`Client::resume`](crate::Client::resume).
    pub fn with_contacts(mut self, contacts: ContactStore) -> SavedSession {
        self.contacts = contacts;
        self
    }

    /// The hosts of the session.
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// How many messages were waiting to be sent.
    pub fn pending_sends(&self) -> usize {
        self.outbox.len()
    }
}

/// Why a saved session could not be loaded.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The saved session is of another format version.
    #[error("saved session version {found} is not supported (this build reads {supported})")]
    Version {
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The saved cookies could not be read.
    #[error("the saved cookies are unreadable")]
    Cookies,
    /// The saved session holds more than the configuration's [`Limits`](crate::Limits) allow
    /// (saved under larger limits, or edited): it is refused whole rather than trimmed, since a
    /// trimmed contact store or send queue would silently lose data.
    #[error("the saved session has more {what} than the limit of {limit}")]
    LimitExceeded {
        /// What is over the limit.
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
}
