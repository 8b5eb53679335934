//! The endpoints of a logged-in session: init, status notify, contacts, synccheck, sync, send,
//! logout, avatars. Every call is checked like the real server checks it.

// `serde_json::Value["key"]` returns `Null` for a missing key or a non-object: it never
// panics, which is all this lint guards against here.
#![allow(clippy::indexing_slicing)]
// A handler's `Err` is the answer it sends (a refusal), built once per request: its size does
// not matter.
#![allow(clippy::result_large_err)]

use super::{cookies, host, query};
use crate::changes::{self, Entry};
use crate::ids::mix;
use crate::media::{Media, MediaKind};
use crate::messages;
use crate::official::{self, Kind, SendCall, note};
use crate::state::{Inner, MediaStore, SentMessage, Session, Shared};
use crate::wire::{self, Answer};
use serde_json::{Value, json};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Messages per sync answer; more waiting sets `ContinueFlag`.
const SYNC_BATCH: usize = 50;
/// Groups per `webwxbatchgetcontact` request.
const BATCH_LIMIT: usize = 50;

/// Which host of its family a call must go to.
#[derive(Clone, Copy)]
pub(crate) enum Role {
    Api,
    Push,
}

/// The parts of a request a check needs.
pub(crate) struct Req<'a> {
    pub(crate) method: &'a http::Method,
    /// The last path segment (`webwxsync`, `synccheck`, ...).
    pub(crate) endpoint: &'a str,
    pub(crate) uri: &'a http::Uri,
    pub(crate) headers: &'a http::HeaderMap,
    pub(crate) body: &'a [u8],
}

/// A fingerprint of a request: a retry of the very same request may repeat its DeviceID.
fn fingerprint(req: &Req<'_>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (req.endpoint, req.uri.query(), req.body).hash(&mut h);
    h.finish()
}

/// The official client's rules for an Angular call of `session` (every JSON call and
/// webwxgetcontact): query parameters, pass_ticket, headers; with a `BaseRequest`, its DeviceID
/// and the type of its Uin. The real server answers either way.
fn check_angular(session: &mut Session, req: &Req<'_>, base: Option<&Value>) {
    let out = &mut session.deviations;
    let w = &mut session.wire;
    w.settle(Instant::now(), out);
    if let Some(p) = official::official_params(req.endpoint) {
        official::params(req.endpoint, req.uri, p, out);
    }
    official::pass_ticket(req.endpoint, req.uri, &session.pass_ticket, out);
    official::headers(Kind::Angular, req.method, req.headers, &w.page, out);
    let Some(base) = base else {
        return;
    };
    let id = base["DeviceID"].as_str().unwrap_or_default();
    if !official::is_device_id(id) {
        // The real server accepts any DeviceID (ItChat sends the pass_ticket).
        note(
            out,
            "device-id: a DeviceID that is not e + 15 digits".into(),
        );
    }
    w.device(id, fingerprint(req), out);
    let text = base["Uin"].is_string();
    let what = match (req.endpoint == "webwxinit", text, session.inited) {
        (true, false, _) => {
            "uin: webwxinit BaseRequest.Uin a number (official: a string, as the ticket gave it)"
        }
        (false, true, true) => {
            "uin: BaseRequest.Uin a string after webwxinit (official: the number of User.Uin)"
        }
        (false, false, false) => {
            "uin: BaseRequest.Uin a number before webwxinit (official: a string)"
        }
        _ => return,
    };
    note(out, what.into());
}

/// Checks the host and cookies of a call to `session` (the real server does not know a session
/// on the wrong host or without its cookies).
fn check_transport(session: &mut Session, uin: u64, req: &Req<'_>, role: Role) -> Result<(), i64> {
    if let Some((api, push, ..)) = session.family.hosts() {
        let expected = match role {
            Role::Api => api,
            Role::Push => push,
        };
        if host(req.headers) != expected {
            // A call to the wrong host of the family: the real server does not know the session.
            return Err(match role {
                Role::Api => 1101,
                Role::Push => 1102,
            });
        }
    }
    let jar = cookies(req.headers);
    if jar.get("wxsid") != Some(&session.sid) || jar.get("wxuin") != Some(&uin.to_string()) {
        return Err(match role {
            Role::Api => 1101,
            Role::Push => 1102,
        });
    }
    Ok(())
}

/// Checks a JSON call's `BaseRequest` and transport; returns the uin and the parsed body.
fn auth_json(inner: &mut Inner, req: &Req<'_>) -> Result<(u64, Value), i64> {
    let body: Value = serde_json::from_slice(req.body).map_err(|_| 1101)?;
    let base = body.get("BaseRequest").ok_or(1101)?;
    // The official client sends the ticket's string in webwxinit, a number after it: both work.
    let uin = match &base["Uin"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let uin = uin.ok_or(1101)?;
    let session = inner.sessions.get_mut(&uin).ok_or(1101)?;
    if let Some(code) = session.ended {
        return Err(code);
    }
    if base["Sid"].as_str() != Some(session.sid.as_str()) {
        return Err(1101);
    }
    if base["Skey"].as_str() != Some(session.skey.as_str()) {
        return Err(1100);
    }
    check_transport(session, uin, req, Role::Api)?;
    check_angular(session, req, Some(base));
    Ok((uin, body))
}

/// Checks a GET call authenticated by `skey` in the query and the cookies.
fn auth_query(inner: &mut Inner, req: &Req<'_>) -> Result<u64, i64> {
    let jar = cookies(req.headers);
    let uin: u64 = jar.get("wxuin").and_then(|u| u.parse().ok()).ok_or(1101)?;
    let session = inner.sessions.get_mut(&uin).ok_or(1101)?;
    if let Some(code) = session.ended {
        return Err(code);
    }
    if query(req.uri).get("skey") != Some(&session.skey) {
        return Err(1100);
    }
    check_transport(session, uin, req, Role::Api)?;
    check_angular(session, req, None);
    Ok(uin)
}

/// A call that passed its checks: the state locked, the caller's uin and (for JSON calls) the
/// posted body.
pub(crate) struct Authed<'a> {
    pub(crate) inner: MutexGuard<'a, Inner>,
    pub(crate) uin: u64,
    pub(crate) body: Value,
}

impl Authed<'_> {
    /// The caller's session (1101 if it is gone).
    pub(crate) fn session(&mut self) -> Result<&mut Session, Answer> {
        self.inner
            .sessions
            .get_mut(&self.uin)
            .ok_or_else(|| wire::ret(1101, ""))
    }
}

/// How a forced fault code is answered: the plain `BaseResponse` with the server's message.
pub(crate) fn plain_fault(code: i64) -> Answer {
    wire::ret(code, if code == 1205 { "freq limit" } else { "" })
}

/// The prologue of every JSON call: lock the state, check `BaseRequest` and transport, then
/// apply the fault the scenario forces on this request (answered by `fault`).
pub(crate) fn json_call<'a>(
    shared: &'a Shared,
    req: &Req<'_>,
    forced: Option<i64>,
    fault: fn(i64) -> Answer,
) -> Result<Authed<'a>, Answer> {
    let mut inner = shared.lock();
    let (uin, body) = auth_json(&mut inner, req).map_err(|code| wire::ret(code, ""))?;
    if let Some(code) = forced {
        return Err(fault(code));
    }
    Ok(Authed { inner, uin, body })
}

/// [`json_call`] for a GET call authenticated by `skey` in the query and the cookies.
fn query_call<'a>(
    shared: &'a Shared,
    req: &Req<'_>,
    forced: Option<i64>,
) -> Result<Authed<'a>, Answer> {
    let mut inner = shared.lock();
    let uin = auth_query(&mut inner, req).map_err(|code| wire::ret(code, ""))?;
    if let Some(code) = forced {
        return Err(plain_fault(code));
    }
    Ok(Authed {
        inner,
        uin,
        body: Value::Null,
    })
}

/// Puts the session's skey into every `HeadImgUrl` of `value` that ends with an empty `skey=`,
/// as the real server writes them (the page loads avatars with the URL as it is).
fn with_skey(value: &mut Value, skey: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(url) if k == "HeadImgUrl" => {
                        if url.ends_with("skey=") {
                            url.push_str(skey);
                        }
                    }
                    _ => with_skey(v, skey),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| with_skey(v, skey)),
        _ => {}
    }
}

/// A JSON answer of `session`, its avatars' URLs carrying its skey.
pub(crate) fn answer_of(session: &Session, mut value: Value) -> Answer {
    with_skey(&mut value, &session.skey);
    wire::json(&value)
}

/// The answer of a handler written with `?`: its error is an answer too.
pub(crate) fn respond(handler: impl FnOnce() -> Result<Answer, Answer>) -> Answer {
    handler().unwrap_or_else(|answer| answer)
}

fn sync_key(session: &Session, position: usize, check: bool) -> Value {
    let base = session.key_base;
    let mut list = vec![
        json!({"Key": 1, "Val": base + position as u64}),
        json!({"Key": 2, "Val": base + 17 + position as u64}),
        json!({"Key": 3, "Val": base + 3}),
        json!({"Key": 1000, "Val": 1_763_990_000}),
    ];
    if check {
        list.push(json!({"Key": 1001, "Val": 1_763_990_000 + position as u64}));
    }
    json!({"Count": list.len(), "List": list})
}

/// The log position a SyncKey (Key 1) stands for, if it is one this session issued.
fn position_of(session: &Session, key1: Option<u64>) -> Option<usize> {
    let pos = key1?.checked_sub(session.key_base)?;
    let pos = usize::try_from(pos).ok()?;
    (pos <= session.log.len()).then_some(pos)
}

/// `POST /webwxinit?r=..&pass_ticket=..`
pub(crate) fn init(shared: &Arc<Shared>, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let uin = call.uin;
        let session = call.session()?;
        let contacts = session.account.init_contacts();
        let chat_set: Vec<String> = contacts
            .iter()
            .filter_map(|c| c["UserName"].as_str().map(str::to_string))
            .collect();
        let w = &mut session.wire;
        w.chat_set
            .extend(chat_set.iter().filter(|n| n.starts_with("@@")).cloned());
        let out = &mut session.deviations;
        official::r_sign("webwxinit", req.uri, true, out);
        if !w.init_seen {
            w.init_seen = true;
            if let Some(j) = w.jslogin_underscore {
                official::init_r(req.uri, j, out);
            }
        }
        let mp = mp_subscriptions(shared.scenario.seed, session);
        let answer = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "Count": contacts.len(),
            "ContactList": contacts,
            "SyncKey": sync_key(session, 0, false),
            "User": session.account.user_json(),
            "ChatSet": chat_set.join(",") + ",",
            "SKey": session.skey,
            "ClientVersion": 654_314_291,
            "SystemTime": 1_764_000_000,
            "GrayScale": 1,
            "InviteStartCount": 40,
            "MPSubscribeMsgCount": mp.len(),
            "MPSubscribeMsgList": mp,
            "ClickReportInterval": 600_000
        });
        if !session.inited {
            session.inited = true;
            start_message_schedule(shared, uin);
        }
        let answer = answer_of(session, answer);
        if call.inner.changes_scheduled.insert(uin) {
            start_change_schedule(shared, uin);
            super::ops::queue_friend_requests(
                &mut call.inner,
                uin,
                shared.scenario.friend_requests,
            );
        }
        Ok(answer)
    })
}

/// webwxinit's `MPSubscribeMsgList`: the account's first official account with its two latest
/// articles (CAP's shape: `{UserName, MPArticleCount, MPArticleList: [{Title, Digest, Cover,
/// Url}], Time, NickName}`, `Cover` ending `|0|0`); empty without official accounts.
fn mp_subscriptions(seed: u64, session: &Session) -> Vec<Value> {
    let account = &session.account;
    let Some(official) = account.contacts.iter().find(|c| {
        // An official account (VerifyFlag & 8) with an `@` name: not `weixin`.
        c["VerifyFlag"].as_i64().is_some_and(|f| f & 8 != 0)
            && c["UserName"].as_str().is_some_and(|n| n.starts_with('@'))
    }) else {
        return Vec::new();
    };
    let time = 1_763_990_000;
    let list: Vec<Value> = messages::articles(seed ^ account.uin, 999, 2, time)
        .into_iter()
        .map(|a| {
            json!({"Title": a.title, "Digest": a.digest, "Cover": format!("{}|0|0", a.cover),
                "Url": a.url.replacen("https://", "http://", 1)})
        })
        .collect();
    vec![json!({
        "UserName": official["UserName"],
        "MPArticleCount": list.len(),
        "MPArticleList": list,
        "Time": time,
        "NickName": official["NickName"]
    })]
}

/// Appends the scenario's messages to the session's log, one every interval.
fn start_message_schedule(shared: &Arc<Shared>, uin: u64) {
    let spec = shared.scenario.messages.clone();
    if spec.count == 0 {
        return;
    }
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(spec.start_after_ms)).await;
        for k in 0..spec.count {
            if k > 0 {
                tokio::time::sleep(Duration::from_millis(spec.interval_ms)).await;
            }
            let mut inner = shared.lock();
            let id = Shared::next_msg_id(&mut inner);
            let Some(session) = inner.sessions.get_mut(&uin) else {
                return;
            };
            if session.ended.is_some() {
                return;
            }
            let created = 1_764_000_000 + k as u64;
            let seed = mix(shared.scenario.seed ^ uin, 0x4D45_4449_0000_0000 + k as u64);
            let (msg, media) = messages::generated(&session.account, k, id, created, seed);
            Inner::expect_request(session, &msg);
            session.log.push(Entry::Message(msg));
            session.notify.notify_waiters();
            if let Some(media) = media {
                inner
                    .media
                    .entry(uin)
                    .or_default()
                    .by_msg
                    .insert(id.to_string(), Arc::new(media));
            }
        }
    });
}

/// Applies the scenario's contact events to the account, each at its time after the account's
/// first `webwxinit`, to whichever session of the account is live then (a push login continues
/// the account's schedule; an event while no session is live is skipped).
fn start_change_schedule(shared: &Arc<Shared>, uin: u64) {
    let mut events = shared.scenario.contact_events.clone();
    if events.is_empty() {
        return;
    }
    events.sort_by_key(|e| e.at_ms);
    let shared = Arc::clone(shared);
    let start = tokio::time::Instant::now();
    tokio::spawn(async move {
        for event in events {
            tokio::time::sleep_until(start + Duration::from_millis(event.at_ms)).await;
            shared.lock().change(uin, &event.change);
        }
    });
}

/// `POST /webwxstatusnotify?pass_ticket=..`
pub(crate) fn status_notify(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let id = Shared::next_msg_id(&mut call.inner);
        let to = call.body["ToUserName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let read = call.body["Code"].as_i64() == Some(1);
        let session = call.session()?;
        if read {
            session.read_marks.push(to);
        }
        session.wire.status_notified = Some(Instant::now());
        Ok(wire::json(
            &json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MsgID": id.to_string()}),
        ))
    })
}

/// `GET /webwxgetcontact?pass_ticket=..&r=..&seq=..&skey=..`
pub(crate) fn get_contact(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = query_call(shared, req, forced)?;
        let session = call.session()?;
        let w = &mut session.wire;
        let out = &mut session.deviations;
        official::skey("webwxgetcontact", req.uri, false, out);
        w.contact_page(Instant::now(), out);
        let seq: usize = query(req.uri)
            .get("seq")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let page = shared.scenario.contacts.page_size.max(1);
        let all = &session.account.contacts;
        let members: Vec<&Value> = all.iter().skip(seq).take(page).collect();
        let next = if seq + page < all.len() {
            seq + page
        } else {
            0
        };
        session.wire.contact_answered(next == 0, Instant::now());
        let answer = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "MemberCount": members.len(),
            "MemberList": members,
            "Seq": next
        });
        Ok(answer_of(session, answer))
    })
}

/// `POST /webwxbatchgetcontact?type=ex&r=..&pass_ticket=..`
pub(crate) fn batch_get_contact(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let list = call.body["List"].as_array().cloned().unwrap_or_default();
        let session = call.session()?;
        let out = &mut session.deviations;
        for entry in list.iter().take(BATCH_LIMIT + 1) {
            official::batch_entry(entry, out);
        }
        let groups = list
            .iter()
            .take(BATCH_LIMIT + 1)
            .filter_map(|e| e["UserName"].as_str())
            .filter(|n| n.starts_with("@@"));
        session.wire.batch(groups, out);
        if list.len() > BATCH_LIMIT {
            return Err(wire::ret(1, "too many contacts in one request"));
        }
        let found: Vec<Value> = list
            .iter()
            .filter_map(|e| e["UserName"].as_str())
            .filter_map(|name| {
                session.account.groups.get(name).cloned().or_else(|| {
                    session
                        .account
                        .contacts
                        .iter()
                        .find(|c| c["UserName"] == name)
                        .cloned()
                })
            })
            .collect();
        let answer = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "Count": found.len(),
            "ContactList": found
        });
        Ok(answer_of(session, answer))
    })
}

/// The official client's rules for a synccheck (a jQuery script call) of `session`.
fn check_synccheck(session: &mut Session, req: &Req<'_>) {
    let now = Instant::now();
    let out = &mut session.deviations;
    let w = &mut session.wire;
    let uri = req.uri;
    w.settle(now, out);
    if let Some(p) = official::official_params("synccheck") {
        official::params("synccheck", uri, p, out);
    }
    official::r_sign("synccheck", uri, false, out);
    if let Some(u) = official::underscore("synccheck", uri, out) {
        official::underscore_not_r(uri, u, out);
        official::chain("synccheck", w.synccheck_underscore, u, out);
        w.synccheck_underscore = Some(u);
    }
    official::skey("synccheck", uri, true, out);
    official::synckey(uri, out);
    let id = query(uri).get("deviceid").cloned().unwrap_or_default();
    if !official::is_device_id(&id) {
        note(
            out,
            "device-id: a synccheck deviceid that is not e + 15 digits".into(),
        );
    }
    w.device(&id, fingerprint(req), out);
    official::headers(Kind::Script, req.method, req.headers, &w.page, out);
    w.synccheck(now, out);
}

fn synccheck_answer(retcode: i64, selector: i64) -> Answer {
    wire::script(format!(
        "window.synccheck={{retcode:\"{retcode}\",selector:\"{selector}\"}}"
    ))
}

/// `GET https://<push>/synccheck?r=..&skey=..&sid=..&uin=..&deviceid=..&synckey=..&_=..`:
/// at once when messages or changes wait (selector 2 for messages, 6 for a contact removed, 4 for
/// other changes), else held until one arrives or the hold time passes.
pub(crate) async fn synccheck(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let q = query(req.uri);
    let uin: u64 = q.get("uin").and_then(|u| u.parse().ok()).unwrap_or(0);
    let key1 = q
        .get("synckey")
        .and_then(|k| k.split('|').find_map(|kv| kv.strip_prefix("1_")))
        .and_then(|v| v.parse().ok());
    let notify = {
        let mut inner = shared.lock();
        let Some(session) = inner.sessions.get_mut(&uin) else {
            return synccheck_answer(1101, 0);
        };
        if q.get("sid") == Some(&session.sid) {
            check_synccheck(session, req);
        }
        if let Some(code) = session.ended {
            session.wire.synccheck_code = Some(code);
            return synccheck_answer(code, 0);
        }
        if q.get("sid") != Some(&session.sid) {
            return synccheck_answer(1101, 0);
        }
        if q.get("skey") != Some(&session.skey) {
            return synccheck_answer(1100, 0);
        }
        if let Err(code) = check_transport(session, uin, req, Role::Push) {
            return synccheck_answer(code, 0);
        }
        if position_of(session, key1).is_none() {
            return synccheck_answer(1102, 0);
        }
        Arc::clone(&session.notify)
    };
    if let Some(code) = forced {
        return synccheck_answer(code, 0);
    }
    let deadline = tokio::time::Instant::now() + shared.scenario.synccheck_hold();
    let _held = shared.load.long_poll();
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut inner = shared.lock();
            let Some(session) = inner.sessions.get_mut(&uin) else {
                return synccheck_answer(1101, 0);
            };
            if let Some(code) = session.ended {
                session.wire.synccheck_code = Some(code);
                return synccheck_answer(code, 0);
            }
            match position_of(session, key1) {
                Some(pos) if pos < session.log.len() => {
                    let waiting = session.log.get(pos..).unwrap_or_default();
                    return synccheck_answer(0, changes::selector(waiting));
                }
                Some(_) => {}
                None => return synccheck_answer(1102, 0),
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => return synccheck_answer(0, 0),
        }
    }
}

/// `POST /webwxsync?sid=..&skey=..&pass_ticket=..`: the messages and changes after the posted
/// SyncKey.
pub(crate) fn sync(shared: &Shared, req: &Req<'_>, forced: Option<i64>, duplicate: bool) -> Answer {
    respond(|| {
        let mut call = json_call(shared, req, forced, plain_fault)?;
        let key1 = call.body["SyncKey"]["List"]
            .as_array()
            .and_then(|l| l.iter().find(|e| e["Key"] == 1))
            .and_then(|e| e["Val"].as_u64());
        let session = call.session()?;
        official::skey("webwxsync", req.uri, false, &mut session.deviations);
        let from = position_of(session, key1).ok_or_else(|| wire::ret(1102, ""))?;
        let to = (from + SYNC_BATCH).min(session.log.len());
        let start = if duplicate {
            session.previous_from.min(from)
        } else {
            from
        };
        let (mut msgs, mut modified, mut deleted, mut rooms) = (vec![], vec![], vec![], vec![]);
        let mut profile = None;
        for entry in session.log.get(start..to).unwrap_or_default() {
            match entry {
                Entry::Message(v) => {
                    session.wire.message_peers(v);
                    msgs.push(v.clone());
                }
                Entry::ModContact(v) => modified.push(v.clone()),
                Entry::DelContact(v) => deleted.push(v.clone()),
                Entry::ModChatRoomMember(v) => rooms.push(v.clone()),
                // One Profile per answer: the latest.
                Entry::Profile(v) => profile = Some(v.clone()),
            }
        }
        session.previous_from = from;
        let answer = json!({
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "AddMsgCount": msgs.len(),
            "AddMsgList": msgs,
            "ModContactCount": modified.len(),
            "ModContactList": modified,
            "DelContactCount": deleted.len(),
            "DelContactList": deleted,
            "ModChatRoomMemberCount": rooms.len(),
            "ModChatRoomMemberList": rooms,
            "Profile": profile.unwrap_or_else(changes::unchanged_profile),
            "ContinueFlag": i32::from(to < session.log.len()),
            "SyncKey": sync_key(session, to, false),
            "SyncCheckKey": sync_key(session, to, true),
            "SKey": ""
        });
        Ok(answer_of(session, answer))
    })
}

/// `POST /webwxsendmsg?lang=..&pass_ticket=..`: records the message.
pub(crate) fn send_msg(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    send(shared, req, forced, None)
}

/// `POST /webwxsendmsgimg?fun=async&f=json&..`, `/webwxsendvideomsg?fun=async&f=json&..`,
/// `/webwxsendemoticon?fun=sys&..`, `/webwxsendappmsg?fun=async&f=json&..`: a media sent (or
/// forwarded) by the `MediaId`, sticker md5 or file `attachid` of a media the account has;
/// records the message, refuses an unknown media with `Ret` 1.
pub(crate) fn send_media(
    shared: &Shared,
    req: &Req<'_>,
    forced: Option<i64>,
    call: official::SendCall,
) -> Answer {
    send(shared, req, forced, Some(call))
}

/// A string field as a client may send it (a string or a number).
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The answer to a send the server refuses.
fn send_refusal(code: i64, message: &str) -> Answer {
    wire::json(
        &json!({"BaseResponse": {"Ret": code, "ErrMsg": message}, "MsgID": "", "LocalID": ""}),
    )
}

/// What a media send names: the recorded `media_id` and the media, or the refusal's message
/// when the account has no such media (or none of the call's kind). An uploaded .gif (a
/// sticker) may go as a file too.
fn sent_media(
    store: Option<&MediaStore>,
    call: SendCall,
    msg: &Value,
) -> Result<(String, Arc<Media>), &'static str> {
    let fits = |m: &Media| match call {
        SendCall::Image => m.kind == MediaKind::Image,
        SendCall::Video => matches!(m.kind, MediaKind::Video | MediaKind::ShortVideo),
        SendCall::Emoticon => m.kind == MediaKind::Sticker,
        SendCall::App => {
            m.kind == MediaKind::File || (m.kind == MediaKind::Sticker && m.upload.is_some())
        }
    };
    let by_id = |id: &str| {
        store
            .and_then(|s| s.by_media_id(id))
            .filter(|m| fits(m))
            .cloned()
    };
    match call {
        SendCall::Image | SendCall::Video => {
            let id = text(&msg["MediaId"]);
            by_id(&id).map(|m| (id, m)).ok_or("invalid MediaId")
        }
        SendCall::Emoticon => {
            let (md5, id) = (text(&msg["EMoticonMd5"]), text(&msg["MediaId"]));
            if md5.is_empty() && id.is_empty() {
                return Err("no EMoticonMd5 nor MediaId");
            }
            let sticker = store.and_then(|s| s.sticker(&md5)).cloned();
            if !md5.is_empty() && sticker.is_none() {
                return Err("invalid EMoticonMd5");
            }
            if id.is_empty() {
                return sticker.map(|m| (md5, m)).ok_or("invalid EMoticonMd5");
            }
            by_id(&id).map(|m| (id, m)).ok_or("invalid MediaId")
        }
        SendCall::App => {
            let content = text(&msg["Content"]);
            let id = content
                .split_once("<attachid>")
                .and_then(|(_, rest)| rest.split_once("</attachid>"))
                .map(|(id, _)| id.trim().to_string())
                .unwrap_or_default();
            by_id(&id).map(|m| (id, m)).ok_or("invalid attachid")
        }
    }
}

/// The appmsg the official client posts for an uploaded file (`postAppMessage`): the raw name,
/// the size, the MediaId, the extension with its case kept (`undefined` when there is none).
fn official_appmsg(name: &str, size: u64, media_id: &str, ext: &str) -> String {
    format!(
        "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>{name}</title><des></des><action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach><totallen>{size}</totallen><attachid>{media_id}</attachid><fileext>{ext}</fileext></appattach><extinfo></extinfo></appmsg>"
    )
}

/// The text between `open` and `close` in `s`.
fn inside<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let (_, rest) = s.split_once(open)?;
    rest.split_once(close).map(|(v, _)| v)
}

/// `send` and `upload`: the send of an uploaded media against the official client's
/// (upload.md §5): image and video `Content: ""`; a sticker's `EmojiFlag` 2; a file's appmsg
/// exactly the official template, and its `Signature` (`grant`: what webwxcheckupload handed
/// out for it) first in `Msg`, required after a webwxcheckupload (`Err`: the refusal's
/// message) and absent otherwise; the upload's `ToUserName` the send's.
fn check_upload_send(
    call: SendCall,
    msg: &Value,
    keys: Option<&[String]>,
    media: &Media,
    grant: Option<&crate::upload::Grant>,
    out: &mut Vec<String>,
) -> Result<(), &'static str> {
    let Some(u) = media.upload.as_ref() else {
        return Ok(());
    };
    let endpoint = call.endpoint();
    let has = |key: &str| keys.is_some_and(|k| k.iter().any(|s| s == key));
    match call {
        SendCall::Image | SendCall::Video => {
            if !has("Content") {
                note(
                    out,
                    format!(
                        "send: {endpoint} Msg without Content for an upload (official: Content \"\")"
                    ),
                );
            } else if msg["Content"] != "" {
                note(
                    out,
                    format!("send: {endpoint} Content not empty for an upload (official: \"\")"),
                );
            }
        }
        SendCall::Emoticon => {
            if msg["EmojiFlag"].as_i64() != Some(2) {
                note(
                    out,
                    "send: webwxsendemoticon EmojiFlag not 2 for an uploaded gif (official: 2, EMOJI_FLAG_GIF)"
                        .into(),
                );
            }
        }
        SendCall::App => {
            let signature = msg.get("Signature").map(text);
            match (grant, signature) {
                (Some(_), None) => {
                    return Err("Signature required: the file went through webwxcheckupload");
                }
                (Some(g), Some(s)) if s != g.signature => {
                    return Err("Signature is not the one webwxcheckupload gave for this file");
                }
                (None, Some(_)) => note(
                    out,
                    "send: webwxsendappmsg with a Signature for a file that went through no webwxcheckupload (official: none)"
                        .into(),
                ),
                _ => {}
            }
            if media.kind == MediaKind::Sticker {
                note(
                    out,
                    "send: webwxsendappmsg an uploaded .gif sent as a file (official: webwxsendemoticon with EmojiFlag 2)"
                        .into(),
                );
            }
            let ext = crate::media::extension(&media.file_name);
            let ext = if ext.is_empty() { "undefined" } else { ext };
            let content = text(&msg["Content"]);
            let official = official_appmsg(&media.file_name, u.size, &media.media_id, ext);
            if content != official {
                let size = u.size.to_string();
                let what = if inside(&content, "<title>", "</title>") != Some(&media.file_name) {
                    "title not the uploaded file's name as it is (official: the raw name, not escaped)"
                } else if inside(&content, "<totallen>", "</totallen>") != Some(size.as_str()) {
                    "totallen not the uploaded file's size (official: its size in bytes)"
                } else if ext == "undefined"
                    && inside(&content, "<fileext>", "</fileext>") == Some("")
                {
                    "fileext empty for a name without extension (official: undefined)"
                } else if inside(&content, "<fileext>", "</fileext>") != Some(ext) {
                    "fileext not the name's extension (official: its case kept, undefined when none)"
                } else {
                    "Content not the official appmsg template (official: <appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>..</title><des></des>..</appmsg>)"
                };
                note(out, format!("send: webwxsendappmsg {what}"));
            }
        }
    }
    if text(&msg["ToUserName"]) != u.to {
        note(
            out,
            "upload: uploadmediarequest ToUserName not the send's ToUserName (official: the chat the file goes to)"
                .into(),
        );
    }
    Ok(())
}

/// webwxsendmsg (`call` `None`) and the media sends: records the message once per LocalID.
fn send(shared: &Shared, req: &Req<'_>, forced: Option<i64>, call: Option<SendCall>) -> Answer {
    respond(|| {
        let mut call_state = json_call(shared, req, forced, |code| send_refusal(code, ""))?;
        let uin = call_state.uin;
        let keys = official::msg_keys(req.body);
        let mut found = Vec::new();
        match call {
            Some(c) => {
                official::send_media(c, req.uri, &call_state.body, keys.as_deref(), &mut found);
            }
            None => official::ops::text_keys(keys.as_deref(), &mut found),
        }
        let session = call_state.session()?;
        for d in found {
            note(&mut session.deviations, d);
        }
        let scene = call_state.body["Scene"].as_i64().unwrap_or(0);
        let msg = call_state
            .body
            .get_mut("Msg")
            .map(Value::take)
            .unwrap_or_default();
        let (to, content, local_id) = (
            text(&msg["ToUserName"]),
            text(&msg["Content"]),
            text(&msg["LocalID"]),
        );
        let session = call_state.session()?;
        official::local_id(&msg, &mut session.deviations);
        session.wire.message_peers(&msg);
        if to.is_empty() || local_id.is_empty() {
            return Err(wire::ret(1, "bad message"));
        }
        let mentions = match msg.get("MsgSource").filter(|_| call.is_none()) {
            Some(source) => {
                let members = super::ops::mentionable(session, &to);
                official::ops::mentions(
                    source,
                    &to,
                    &content,
                    members.as_deref(),
                    &mut session.deviations,
                )
            }
            None => Vec::new(),
        };
        let sent = match call {
            None => None,
            Some(c) => {
                let store = call_state.inner.media.get(&uin);
                let (id, media) = sent_media(store, c, &msg).map_err(|why| send_refusal(1, why))?;
                let grant = media
                    .upload
                    .as_ref()
                    .and_then(|u| store?.grants.get(&u.md5).filter(|g| g.size == u.size))
                    .cloned();
                let mut found = Vec::new();
                let checked =
                    check_upload_send(c, &msg, keys.as_deref(), &media, grant.as_ref(), &mut found);
                let session = call_state.session()?;
                for d in found {
                    note(&mut session.deviations, d);
                }
                checked.map_err(|why| send_refusal(1, why))?;
                Some((id, media))
            }
        };
        let id = Shared::next_msg_id(&mut call_state.inner);
        let session = call_state.session()?;
        // A retry with the same LocalID is the same message.
        let msg_id = match session
            .sent
            .iter()
            .find(|m| m.local_id == local_id && m.to == to)
        {
            Some(m) => m.msg_id.clone(),
            None => {
                let (media_id, media_md5, media_size, file_name) = match &sent {
                    None => (String::new(), String::new(), 0, String::new()),
                    Some((id, m)) => (id.clone(), m.md5_hex(), m.size(), m.file_name.clone()),
                };
                let record = SentMessage {
                    msg_id: id.to_string(),
                    msg_type: msg["Type"].as_i64().unwrap_or(0),
                    from: text(&msg["FromUserName"]),
                    to,
                    content,
                    local_id: local_id.clone(),
                    client_msg_id: text(&msg["ClientMsgId"]),
                    media_id,
                    scene,
                    media_md5,
                    media_size,
                    file_name,
                    revoked: false,
                    mentions,
                };
                session.sent.push(record);
                super::ops::sent_now(session, &id.to_string());
                // The account's own message with an uploaded media: served by its MsgID, as
                // the page shows what it sent.
                if let Some((_, m)) = sent.filter(|(_, m)| m.upload.is_some()) {
                    call_state
                        .inner
                        .media
                        .entry(uin)
                        .or_default()
                        .by_msg
                        .insert(id.to_string(), m);
                }
                id.to_string()
            }
        };
        Ok(wire::json(
            &json!({"BaseResponse": {"Ret": 0, "ErrMsg": ""}, "MsgID": msg_id, "LocalID": local_id}),
        ))
    })
}

/// `GET|POST /webwxlogout?redirect=1&type=..&skey=..`: ends the session.
pub(crate) fn logout(shared: &Shared, req: &Req<'_>) -> Answer {
    let mut inner = shared.lock();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(req.body).into_owned().collect();
    let jar = cookies(req.headers);
    let uin: Option<u64> = form
        .get("uin")
        .or(jar.get("wxuin"))
        .and_then(|u| u.parse().ok());
    let q = query(req.uri);
    if let Some(session) = uin.and_then(|u| inner.sessions.get_mut(&u))
        && q.get("skey") == Some(&session.skey)
    {
        check_logout(session, req, q.get("type"));
        if session.ended.is_none() {
            session.ended = Some(1101);
            session.notify.notify_waiters();
        }
    }
    // The real server redirects to its home page; this one to its own (a client that follows
    // redirects must stay on loopback).
    let mut answer = wire::html(http::StatusCode::FOUND, "<html><body>logout</body></html>");
    if let Ok(v) = http::HeaderValue::from_str(&format!("{}/", shared.origin)) {
        answer.headers_mut().insert(http::header::LOCATION, v);
    }
    answer
}

/// The official client's rules for a webwxlogout (a form posted by navigation): its query, and
/// its `type` after a synccheck code (0 after 1100, 1 after 1101 and 1102).
fn check_logout(session: &mut Session, req: &Req<'_>, kind: Option<&String>) {
    let out = &mut session.deviations;
    let w = &mut session.wire;
    w.settle(Instant::now(), out);
    if let Some(p) = official::official_params("webwxlogout") {
        official::params("webwxlogout", req.uri, p, out);
    }
    official::skey("webwxlogout", req.uri, true, out);
    official::headers(Kind::Form, req.method, req.headers, &w.page, out);
    let Some(kind) = kind.and_then(|t| t.parse::<u8>().ok()) else {
        note(out, "logout: without a type of 0 or 1".into());
        return;
    };
    w.logouts.push(kind);
    if let Some(code) = w.synccheck_code {
        let official = u8::from(code != 1100);
        if kind != official {
            note(
                out,
                format!("logout: type={kind} after synccheck {code} (official: type={official})"),
            );
        }
    }
}

/// `POST /webwxstatreport?fun=new&lang=..&pass_ticket=..`: the official client's reports (one
/// after each contact page); counted and checked, answered `Ret` 0. Its `BaseRequest` has no
/// `Skey`.
pub(crate) fn stat_report(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let mut inner = shared.lock();
    let Ok(body) = serde_json::from_slice::<Value>(req.body) else {
        return wire::ret(1101, "");
    };
    let base = &body["BaseRequest"];
    let uin = match &base["Uin"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let Some(session) = uin.and_then(|u| inner.sessions.get_mut(&u)) else {
        return wire::ret(1101, "");
    };
    if let Some(code) = session.ended {
        return wire::ret(code, "");
    }
    if base["Sid"].as_str() != Some(session.sid.as_str()) {
        return wire::ret(1101, "");
    }
    if let Err(code) = check_transport(session, uin.unwrap_or_default(), req, Role::Api) {
        return wire::ret(code, "");
    }
    check_angular(session, req, Some(base));
    let timing = official::stat_report(&body, &mut session.deviations);
    session
        .wire
        .reports(timing, Instant::now(), &mut session.deviations);
    if let Some(code) = forced {
        return plain_fault(code);
    }
    wire::ret(0, "")
}
