//! The simulator's state: QR logins in progress, tickets, sessions (one account each, isolated),
//! fault counters. Guarded by one mutex, never held across an `await`.

use crate::account::Account;
use crate::changes::Entry;
use crate::gauge::LoadCounters;
use crate::ids::{hex, mix, uuid};
use crate::media::{Media, Spec};
use crate::official::{Page, Wire};
use crate::scenario::{ContactChange, Family, Fault, Scenario};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use tokio::time::Instant;

/// What the phone will do with one QR code (or push login).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Scan, then confirm.
    Confirm,
    /// Scan, then cancel (202).
    Cancel,
    /// Let it expire (400).
    Expire,
    /// A push login for the account `uin`: confirmed (or, if refused, expires).
    Push { uin: u64, confirm: bool },
}

/// One login uuid.
#[derive(Debug)]
pub(crate) struct LoginUuid {
    pub(crate) created: Instant,
    pub(crate) plan: Plan,
    /// The last code a poll answered with (0: none yet).
    pub(crate) reported: i64,
    /// Set once the login was confirmed and a ticket issued.
    pub(crate) ticket: Option<String>,
    /// What the official client's rules need from the requests before the login, and the
    /// deviations they found (handed to the session the login makes).
    pub(crate) pre: PreLogin,
}

/// The rules' state of one login before its session exists.
#[derive(Debug, Default)]
pub(crate) struct PreLogin {
    /// The page the login runs in (from the jslogin's `Referer` and `lang`).
    pub(crate) page: Page,
    /// The jslogin's `_`.
    pub(crate) jslogin_underscore: Option<i64>,
    /// The `_` of the previous script call of this login (jslogin, then each poll).
    pub(crate) last_underscore: Option<i64>,
    /// Deviations found so far.
    pub(crate) deviations: Vec<String>,
}

/// A ticket waiting to be exchanged.
#[derive(Debug)]
pub(crate) struct Ticket {
    /// The account of a push login; a QR login creates a new account.
    pub(crate) push_uin: Option<u64>,
    /// The login uuid it was issued for.
    pub(crate) uuid: String,
}

/// A message a client sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentMessage {
    /// The server's id.
    pub msg_id: String,
    /// `Msg.Type`.
    pub msg_type: i64,
    /// `FromUserName`.
    pub from: String,
    /// `ToUserName`.
    pub to: String,
    /// `Content`.
    pub content: String,
    /// `LocalID`.
    pub local_id: String,
    /// `ClientMsgId`.
    pub client_msg_id: String,
    /// The `MediaId` of a media sent (webwxsendmsgimg, webwxsendvideomsg, webwxsendemoticon
    /// when it carries one); a file's `attachid` (webwxsendappmsg); a sticker's `EMoticonMd5`
    /// when it has no `MediaId`; empty for text.
    pub media_id: String,
    /// The body's `Scene` (0: sent, 2: forwarded; 0 when absent).
    pub scene: i64,
    /// The MD5 of the media's bytes, 32 lowercase hex digits: an upload's (the MD5 of what was
    /// assembled, kept or not), a received media's (empty above 64 MiB); empty for text.
    pub media_md5: String,
    /// The size of the media's bytes (an upload's `TotalLen`); 0 for text.
    pub media_size: u64,
    /// The media's file name: an upload's `name`, a received file's `FileName`; empty for text
    /// and received images, videos and stickers.
    pub file_name: String,
    /// Whether the account revoked it (webwxrevokemsg).
    pub revoked: bool,
    /// The user names a text's `MsgSource` @-mentions (its `<atusername>`, in order); empty
    /// without a `MsgSource`.
    pub mentions: Vec<String>,
}

/// One logged-in session of one account.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) account: Account,
    pub(crate) sid: String,
    pub(crate) skey: String,
    /// As sent on the wire (URL-encoded).
    pub(crate) pass_ticket: String,
    pub(crate) data_ticket: String,
    pub(crate) family: Family,
    /// `Some(code)` once the session ended (1101 logged out / elsewhere, 1100 on the phone).
    pub(crate) ended: Option<i64>,
    /// Every message and change for this session, in order; the SyncKey says how far a client
    /// got.
    pub(crate) log: Vec<Entry>,
    /// SyncKey values start here (Key 1 = base + position in the log).
    pub(crate) key_base: u64,
    /// Where the previous sync answer started, for the duplicate-delivery fault.
    pub(crate) previous_from: usize,
    pub(crate) sent: Vec<SentMessage>,
    /// When each of `sent` was sent, by its MsgID (the revoke window counts from it).
    pub(crate) sent_at: HashMap<String, Instant>,
    /// The MsgIds of received messages their senders recalled.
    pub(crate) recalled: Vec<String>,
    pub(crate) read_marks: Vec<String>,
    pub(crate) inited: bool,
    pub(crate) notify: Arc<Notify>,
    /// Ways the client departed from the official client that the real server tolerates
    /// (each noted once): tests of a client that should follow the official client assert that
    /// this stays empty.
    pub(crate) deviations: Vec<String>,
    /// What the official client's wire rules remember about the session.
    pub(crate) wire: Wire,
}

/// Everything, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) uuids_issued: u64,
    pub(crate) tickets_issued: u64,
    pub(crate) accounts_made: u64,
    pub(crate) uuids: HashMap<String, LoginUuid>,
    pub(crate) tickets: HashMap<String, Ticket>,
    /// Sessions by uin (the newest session of each account).
    pub(crate) sessions: HashMap<u64, Session>,
    /// Accounts that logged in before, by uin (for push logins).
    pub(crate) accounts: HashMap<u64, Account>,
    /// Accounts whose scenario contact events are scheduled (once per account).
    pub(crate) changes_scheduled: HashSet<u64>,
    pub(crate) fault_counts: HashMap<String, u64>,
    pub(crate) requests: u64,
    pub(crate) next_msg_id: u64,
    /// The media of each account's messages, by uin (kept across its sessions, as the real
    /// server keeps them).
    pub(crate) media: HashMap<u64, MediaStore>,
    /// Uploads in progress (and finished ones, without their bytes), by uin and
    /// `ClientMediaId`.
    pub(crate) assemblies: HashMap<(u64, String), crate::upload::Assembly>,
    /// Numbers the assemblies in the order they started.
    pub(crate) assembly_seq: u64,
}

/// The media of one account's messages.
#[derive(Debug, Default)]
pub(crate) struct MediaStore {
    /// By `MsgId`.
    pub(crate) by_msg: HashMap<String, Arc<Media>>,
    /// How many were injected (numbers their seeds).
    pub(crate) injected: u64,
    /// Finished uploads, by `MediaId`.
    pub(crate) uploads: HashMap<String, Arc<Media>>,
    /// How many uploads finished (numbers their MediaIds).
    pub(crate) uploaded: u64,
    /// What webwxcheckupload handed out, by `FileMd5` (lowercase).
    pub(crate) grants: HashMap<String, crate::upload::Grant>,
}

impl MediaStore {
    /// The file whose `MediaId` is `media_id`, with its message's id.
    pub(crate) fn file(&self, media_id: &str) -> Option<(&String, &Arc<Media>)> {
        self.by_msg.iter().find(|(_, m)| {
            m.kind == crate::media::MediaKind::File
                && !m.media_id.is_empty()
                && m.media_id == media_id
        })
    }

    /// The media whose `MediaId` is `media_id` (any kind, an upload's too).
    pub(crate) fn by_media_id(&self, media_id: &str) -> Option<&Arc<Media>> {
        self.uploads.get(media_id).or_else(|| {
            self.by_msg
                .values()
                .find(|m| !m.media_id.is_empty() && m.media_id == media_id)
        })
    }

    /// The sticker whose `md5` is `md5`.
    pub(crate) fn sticker(&self, md5: &str) -> Option<&Arc<Media>> {
        self.by_msg
            .values()
            .find(|m| !m.md5.is_empty() && m.md5.eq_ignore_ascii_case(md5))
    }
}

/// The state shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) scenario: Scenario,
    /// `http://127.0.0.1:PORT`.
    pub(crate) origin: String,
    /// The load run's counters and the long-poll gauge.
    pub(crate) load: LoadCounters,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn new(scenario: Scenario, origin: String) -> Shared {
        Shared {
            scenario,
            origin,
            load: LoadCounters::default(),
            inner: Mutex::new(Inner {
                next_msg_id: 1_000_000_000_000_000_000,
                ..Inner::default()
            }),
        }
    }

    /// The state, locked. A poisoned lock (a panicking handler) is recovered: the state is
    /// plain data.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a request that no fault applies to (a CORS preflight).
    pub(crate) fn count_request(&self) {
        self.lock().requests += 1;
    }

    /// Counts a request to `endpoint` and returns the fault scheduled for it, if any.
    pub(crate) fn fault_for(&self, endpoint: &str) -> Option<Fault> {
        let mut inner = self.lock();
        inner.requests += 1;
        let count = inner.fault_counts.entry(endpoint.to_string()).or_insert(0);
        *count += 1;
        let n = *count;
        self.scenario
            .faults
            .iter()
            .find(|r| r.endpoint == endpoint && r.nth == n)
            .map(|r| r.fault.clone())
    }

    /// A new login uuid with the phone's plan for it, and what the rules learnt from the request
    /// that asked for it.
    pub(crate) fn new_uuid(&self, push: Option<(u64, bool)>, pre: PreLogin) -> String {
        let mut inner = self.lock();
        let n = inner.uuids_issued;
        inner.uuids_issued += 1;
        let phone = &self.scenario.phone;
        let plan = match push {
            Some((uin, confirm)) => Plan::Push { uin, confirm },
            None if n < u64::from(phone.expire_first) => Plan::Expire,
            None if n < u64::from(phone.expire_first) + u64::from(phone.cancel_first) => {
                Plan::Cancel
            }
            None => Plan::Confirm,
        };
        let id = uuid(self.scenario.seed, n);
        inner.uuids.insert(
            id.clone(),
            LoginUuid {
                created: Instant::now(),
                plan,
                reported: 0,
                ticket: None,
                pre,
            },
        );
        id
    }

    /// The origin of the page a session's official client runs in: the family's API host, or
    /// the simulator's own origin.
    pub(crate) fn page_origin(&self) -> String {
        match self.scenario.family.hosts() {
            Some((api, ..)) => format!("https://{api}"),
            None => self.origin.clone(),
        }
    }

    /// Creates the session of a confirmed login: a new account, or the same account again for a
    /// push login. `pre` is what the rules learnt before the login.
    pub(crate) fn new_session(&self, push_uin: Option<u64>, pre: PreLogin) -> u64 {
        let mut inner = self.lock();
        let account = match push_uin.and_then(|uin| inner.accounts.get(&uin).cloned()) {
            Some(a) => a,
            None => {
                let n = inner.accounts_made;
                inner.accounts_made += 1;
                let mut a = Account::generate(self.scenario.seed, n, &self.scenario.contacts);
                if self.scenario.contact_detail == crate::detail::ContactDetail::Full {
                    crate::detail::fill(&mut a, self.scenario.seed);
                }
                a
            }
        };
        let uin = account.uin;
        // A push login's page does not say its lang again: the account's last one holds.
        let lang = pre.page.lang.or_else(|| {
            inner
                .sessions
                .get(&uin)
                .and_then(|s| s.wire.page.lang.clone())
        });
        let salt = mix(self.scenario.seed ^ uin, inner.requests);
        // A pass_ticket with the characters that must stay encoded (%2B, %2F, %3D).
        let pass_ticket = format!(
            "{}%2B{}%2F{}%3D",
            hex(salt, 1, 20),
            hex(salt, 2, 12),
            hex(salt, 3, 8)
        );
        inner.accounts.insert(uin, account.clone());
        if let Some(old) = inner.sessions.get_mut(&uin) {
            old.ended = Some(1101);
            old.notify.notify_waiters();
        }
        inner.sessions.insert(
            uin,
            Session {
                account,
                sid: hex(salt, 4, 16),
                skey: format!("@crypt_{}_{}", hex(salt, 5, 8), hex(salt, 6, 32)),
                pass_ticket,
                // Base64-like, with the `+` and `/` that a URL must encode.
                data_ticket: format!(
                    "gS{}+{}/{}",
                    hex(salt, 7, 10),
                    hex(salt, 9, 6),
                    hex(salt, 10, 6)
                ),
                family: self.scenario.family,
                ended: None,
                log: Vec::new(),
                key_base: 700_000_000 + mix(salt, 8) % 100_000_000,
                previous_from: 0,
                sent: Vec::new(),
                sent_at: HashMap::new(),
                recalled: Vec::new(),
                read_marks: Vec::new(),
                inited: false,
                notify: Arc::new(Notify::new()),
                deviations: pre.deviations,
                wire: Wire {
                    page: Page {
                        origin: Some(self.page_origin()),
                        lang,
                    },
                    jslogin_underscore: pre.jslogin_underscore,
                    ..Wire::default()
                },
            },
        );
        uin
    }

    /// The next message id.
    pub(crate) fn next_msg_id(inner: &mut Inner) -> u64 {
        inner.next_msg_id += 1;
        inner.next_msg_id
    }
}

impl Inner {
    /// Queues a message for `uin` from `from` (default: the first friend), with the state
    /// locked; `false` if `uin` has no session or it ended.
    pub(crate) fn inject(
        &mut self,
        uin: u64,
        from: Option<&str>,
        msg_type: i64,
        content: &str,
    ) -> bool {
        let id = Shared::next_msg_id(self);
        let Some(session) = self.sessions.get_mut(&uin) else {
            return false;
        };
        if session.ended.is_some() {
            return false;
        }
        let from = from
            .or_else(|| session.account.friends.first().map(String::as_str))
            .unwrap_or("filehelper");
        let created = 1_764_000_000 + session.log.len() as u64;
        let msg = crate::messages::message(
            id,
            from,
            &session.account.user_name,
            msg_type,
            content,
            created,
        );
        session.log.push(Entry::Message(msg));
        session.notify.notify_waiters();
        true
    }

    /// Queues a media message of `spec` for `uin` from `from` (default: the first friend), with
    /// the state locked, and stores its media; its bytes come from `seed` and the account's
    /// count of injected media. Returns the message id and the media; `None` if `uin` has no
    /// live session.
    pub(crate) fn inject_media(
        &mut self,
        seed: u64,
        uin: u64,
        from: Option<&str>,
        spec: &Spec,
    ) -> Option<(String, Arc<Media>)> {
        let session = self.sessions.get(&uin)?;
        if session.ended.is_some() {
            return None;
        }
        let from = from
            .or_else(|| session.account.friends.first().map(String::as_str))
            .unwrap_or("filehelper")
            .to_string();
        let store = self.media.entry(uin).or_default();
        store.injected += 1;
        let media_seed = mix(seed ^ uin, 0x4D45_4449_4100_0000 + store.injected);
        let media = Arc::new(Media::make(spec, media_seed, &from));
        let id = Shared::next_msg_id(self);
        let session = self.sessions.get_mut(&uin)?;
        let created = 1_764_000_000 + session.log.len() as u64;
        let msg =
            crate::messages::media_message(id, &from, &session.account.user_name, created, &media);
        session.log.push(Entry::Message(msg));
        session.notify.notify_waiters();
        let msg_id = id.to_string();
        self.media
            .entry(uin)
            .or_default()
            .by_msg
            .insert(msg_id.clone(), Arc::clone(&media));
        Some((msg_id, media))
    }

    /// The media of message `msg_id` of `uin`'s account.
    pub(crate) fn media_of(&self, uin: u64, msg_id: &str) -> Option<Arc<Media>> {
        self.media.get(&uin)?.by_msg.get(msg_id).cloned()
    }

    /// Applies `change` to `uin`'s account, with the state locked, and queues it for the
    /// session's next sync. Returns the user name it changed; `None` for an unknown uin, an ended
    /// session or a contact that does not exist.
    pub(crate) fn change(&mut self, uin: u64, change: &ContactChange) -> Option<String> {
        let session = self.sessions.get_mut(&uin)?;
        if session.ended.is_some() {
            return None;
        }
        let (name, entry) = session.account.apply(change)?;
        session.log.push(entry);
        session.notify.notify_waiters();
        let account = session.account.clone();
        self.accounts.insert(uin, account);
        Some(name)
    }
}
