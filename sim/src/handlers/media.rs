//! The media endpoints: a message's image, thumbnail or sticker (`webwxgetmsgimg`), voice
//! (`webwxgetvoice`), video (`webwxgetvideo`), file (`webwxgetmedia`, on the file host), and
//! avatars (`webwxgeticon`, `webwxgetheadimg`).
//!
//! Checked like the real server checks them: the session's cookies (`wxuin`, `wxsid`), the
//! family's host (the API host; the file host for files), the current skey (files: the
//! `webwx_data_ticket` equal to the cookie and `fromuser` the account). A request the server
//! does not take for the session's gets an empty 200; a media the session does not have (or not
//! at this endpoint) a 404. Each request's departures from the official page's request are
//! noted as the session's deviations.

use super::session::Req;
use super::{cookies, host, query};
use crate::ids::mix;
use crate::media::{Blob, Media, MediaKind};
use crate::official::{self, Kind};
use crate::state::{Inner, Session, Shared};
use crate::wire::{self, Answer};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::time::Instant;

/// Which host of the family serves an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Host {
    Api,
    File,
}

/// Which bytes of a media an endpoint serves.
#[derive(Clone, Copy)]
enum Part {
    Full,
    Thumbnail,
}

/// The session a request's cookies name (`wxuin` and its `wxsid`).
fn identified(inner: &Inner, req: &Req<'_>) -> Option<u64> {
    let jar = cookies(req.headers);
    let uin: u64 = jar.get("wxuin")?.parse().ok()?;
    let session = inner.sessions.get(&uin)?;
    (jar.get("wxsid") == Some(&session.sid)).then_some(uin)
}

/// Whether the session is live and the request went to its family's `role` host.
fn live_on(session: &Session, req: &Req<'_>, role: Host) -> bool {
    if session.ended.is_some() {
        return false;
    }
    match session.family.hosts() {
        Some((api, _, file, _)) => host(req.headers) == if role == Host::Api { api } else { file },
        None => true,
    }
}

/// A query parameter by name, in any case (`MsgID`, `msgid`: the real server takes both).
fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a String> {
    q.get(name).or_else(|| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn not_found() -> Answer {
    wire::html(http::StatusCode::NOT_FOUND, "")
}

/// Which part of a media an endpoint serves for a `type`, with its `Content-Type` (`None`: the
/// endpoint does not serve that kind).
type Serve = fn(&Media, Option<&str>) -> Option<(Part, &'static str)>;

/// A message's media by its `MsgID`/`msgid`, served as `serve` picks it (`None`: a 404).
fn message_media(
    shared: &Shared,
    req: &Req<'_>,
    forced: Option<i64>,
    loader: Kind,
    serve: Serve,
) -> Answer {
    let q = query(req.uri);
    let id = param(&q, "msgid").cloned().unwrap_or_default();
    let ty = q.get("type").map(String::as_str);
    let media = {
        let mut inner = shared.lock();
        let Some(uin) = identified(&inner, req) else {
            return wire::empty();
        };
        let media = inner.media_of(uin, &id);
        let Some(session) = inner.sessions.get_mut(&uin) else {
            return wire::empty();
        };
        let out = &mut session.deviations;
        session.wire.settle(Instant::now(), out);
        official::media_params(req.endpoint, req.uri, out);
        official::headers(loader, req.method, req.headers, &session.wire.page, out);
        if let Some(m) = media.as_ref().filter(|_| req.endpoint == "webwxgetmsgimg") {
            official::msg_img_type(m.kind, ty, out);
        }
        if !live_on(session, req, Host::Api)
            || q.get("skey") != Some(&session.skey)
            || forced.is_some()
        {
            return wire::empty();
        }
        media
    };
    let Some(media) = media.filter(|m| m.servable()) else {
        return not_found();
    };
    let Some((part, content_type)) = serve(&media, ty) else {
        return not_found();
    };
    let blob = match part {
        Part::Full => &media.full,
        Part::Thumbnail => match &media.thumb {
            Some(t) => t,
            None => return not_found(),
        },
    };
    wire::media(content_type, blob, req.headers, None)
}

/// `GET /webwxgetmsgimg?&MsgID=<id>&skey=<skey>[&type=slave|big]`: an image (its thumbnail with
/// `type=slave`), a sticker's GIF, a video's thumbnail.
pub(crate) fn msg_img(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    message_media(shared, req, forced, Kind::Image, |m, ty| match m.kind {
        MediaKind::Image if ty == Some("slave") => Some((Part::Thumbnail, "image/jpeg")),
        MediaKind::Image => Some((Part::Full, "image/jpeg")),
        MediaKind::Video | MediaKind::ShortVideo => Some((Part::Thumbnail, "image/jpeg")),
        MediaKind::Sticker => Some((Part::Full, "image/gif")),
        MediaKind::Voice | MediaKind::File => None,
    })
}

/// `GET /webwxgetvoice?msgid=<id>&skey=<skey>`: a voice's MP3.
pub(crate) fn voice(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    message_media(shared, req, forced, Kind::Audio, |m, _| {
        (m.kind == MediaKind::Voice).then_some((Part::Full, "audio/mpeg"))
    })
}

/// `GET /webwxgetvideo?msgid=<id>&skey=<skey>`: a video's (or short video's) MP4.
pub(crate) fn video(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    message_media(shared, req, forced, Kind::Video, |m, _| {
        matches!(m.kind, MediaKind::Video | MediaKind::ShortVideo)
            .then_some((Part::Full, "video/mp4"))
    })
}

/// `Content-Disposition` of a file: its name in ASCII (others as `_`) and in UTF-8.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        official::encode_uri_component(name)
    )
}

/// `GET https://<file host>/webwxgetmedia?sender=..&mediaid=..&encryfilename=..&fromuser=..&pass_ticket=..&webwx_data_ticket=..`:
/// a file. The 2017 page's `filename=<encodeURIComponent(FileName)>` instead of `encryfilename`
/// is taken too.
pub(crate) fn file(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let q = query(req.uri);
    let media = {
        let mut inner = shared.lock();
        let Some(uin) = identified(&inner, req) else {
            return wire::empty();
        };
        let found = inner
            .media
            .get(&uin)
            .and_then(|s| s.file(q.get("mediaid").map_or("", String::as_str)))
            .map(|(_, m)| Arc::clone(m));
        let Some(session) = inner.sessions.get_mut(&uin) else {
            return wire::empty();
        };
        let jar = cookies(req.headers);
        let cookie = jar.get("webwx_data_ticket");
        let out = &mut session.deviations;
        session.wire.settle(Instant::now(), out);
        official::file_params(
            req.uri,
            &session.pass_ticket,
            cookie.map(String::as_str),
            found.as_ref().map(|m| m.encry_file_name.as_str()),
            out,
        );
        official::headers(Kind::Link, req.method, req.headers, &session.wire.page, out);
        let ticket = q
            .get("webwx_data_ticket")
            .is_some_and(|t| Some(t) == cookie && *t == session.data_ticket);
        if !live_on(session, req, Host::File)
            || !ticket
            || q.get("fromuser") != Some(&uin.to_string())
            || forced.is_some()
        {
            return wire::empty();
        }
        found
    };
    let Some(media) = media.filter(|m| m.servable()) else {
        return not_found();
    };
    // The name as the message carried it: decoded once (the official link) or not at all.
    let name = match (q.get("encryfilename"), q.get("filename")) {
        (Some(e), _) => *e == media.file_name || *e == media.encry_file_name,
        (None, Some(f)) => *f == media.file_name,
        (None, None) => false,
    };
    if q.get("sender") != Some(&media.sender) || !name {
        return not_found();
    }
    wire::media(
        MediaKind::File.content_type(),
        &media.full,
        req.headers,
        Some(disposition(&media.file_name)),
    )
}

/// The side of an avatar: 132 pixels, 640 with `type=big`.
const AVATAR: u16 = 132;
const AVATAR_BIG: u16 = 640;

/// `GET /webwxgeticon?seq=..&username=..&skey=..` and `/webwxgetheadimg?...`: a JPEG avatar
/// made from the user name.
pub(crate) fn avatar(shared: &Shared, req: &Req<'_>, forced: Option<i64>) -> Answer {
    let q = query(req.uri);
    {
        let mut inner = shared.lock();
        let Some(uin) = identified(&inner, req) else {
            return wire::empty();
        };
        let Some(session) = inner.sessions.get_mut(&uin) else {
            return wire::empty();
        };
        let out = &mut session.deviations;
        session.wire.settle(Instant::now(), out);
        official::avatar_params(req.endpoint, req.uri, out);
        official::headers(
            Kind::Image,
            req.method,
            req.headers,
            &session.wire.page,
            out,
        );
        if !live_on(session, req, Host::Api)
            || q.get("skey") != Some(&session.skey)
            || forced.is_some()
        {
            return wire::empty();
        }
    }
    let user = q.get("username").map_or("", String::as_str);
    let seed = user.bytes().fold(0xA7A7_u64, |h, b| mix(h, u64::from(b)));
    let side = if q.get("type").is_some_and(|t| t == "big") {
        AVATAR_BIG
    } else {
        AVATAR
    };
    let jpeg = crate::media::jpeg(side, side, seed);
    wire::media("image/jpeg", &Blob::Whole(jpeg.into()), req.headers, None)
}
