//! Media downloads: the requests the page's `<img>`, `<audio>`, `<video>` elements and file links
//! make, built with the session's current skey and cookies. The bytes never pass through the
//! core: a transport streams them to where the application wants them
//! (`webwx_hyper::Transport::download`, `webwx_ureq::Transport::download`), within
//! [`Limits::max_media_bytes`](crate::Limits::max_media_bytes).

use super::Client;
use crate::hosts::CheckedUrl;
use crate::request::ApiRequest;
use crate::{ContactKind, Endpoint, Media, MediaKind, UsageError, Variant};
use std::fmt;

/// A media download, built by the core: the request (URL, cookies, the browser's headers), what
/// it fetches, and the most bytes to accept. Its `Debug` shows the endpoint only (the URL holds
/// the skey and tickets).
#[derive(Clone)]
#[non_exhaustive]
pub struct MediaRequest {
    /// The GET to send (redirects not followed).
    pub request: http::Request<()>,
    /// Which endpoint it goes to.
    pub endpoint: Endpoint,
    /// The most bytes to write: [`Limits::max_media_bytes`](crate::Limits::max_media_bytes).
    pub max_bytes: u64,
    /// A file name to save it under (from the message, or the message id and the kind's
    /// extension).
    pub suggested_name: String,
}

impl fmt::Debug for MediaRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaRequest")
            .field("endpoint", &self.endpoint)
            .field("max_bytes", &self.max_bytes)
            .field("suggested_name", &self.suggested_name)
            .finish_non_exhaustive()
    }
}

impl MediaRequest {
    /// Checks the head of the answer before any byte is written: a status other than 200 or
    /// 206 is [`DownloadError::Status`](crate::DownloadError::Status), a `Content-Length` over
    /// the cap is [`DownloadError::TooLarge`](crate::DownloadError::TooLarge). Returns the
    /// length the server announced, for progress.
    pub fn check_head(
        &self,
        status: u16,
        headers: &http::HeaderMap,
    ) -> Result<Option<u64>, crate::DownloadError> {
        if status != 200 && status != 206 {
            return Err(crate::DownloadError::Status(status));
        }
        let total = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match total {
            Some(total) if total > self.max_bytes => Err(crate::DownloadError::TooLarge {
                limit: self.max_bytes,
                written: 0,
            }),
            _ => Ok(total),
        }
    }

    /// Checks, once the body ended, that the answer was the whole media: a `206` whose
    /// `Content-Range` (`bytes a-b/total`) stops before `total` is
    /// [`DownloadError::Incomplete`](crate::DownloadError::Incomplete). Transports call it after
    /// writing `written` bytes.
    pub fn check_complete(
        &self,
        status: u16,
        headers: &http::HeaderMap,
        written: u64,
    ) -> Result<(), crate::DownloadError> {
        if status != 206 {
            return Ok(());
        }
        let range = headers
            .get(http::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().strip_prefix("bytes "));
        let Some((span, total)) = range.and_then(|r| r.split_once('/')) else {
            return Ok(());
        };
        let end = span
            .split_once('-')
            .and_then(|(_, end)| end.trim().parse::<u64>().ok());
        match (end, total.trim().parse::<u64>()) {
            (Some(end), Ok(total)) if end.saturating_add(1) < total => {
                Err(crate::DownloadError::Incomplete { written, total })
            }
            _ => Ok(()),
        }
    }
}

impl Client {
    /// The request that fetches `variant` of `media` (from [`Message::media`](crate::Message::media)),
    /// as the official page makes it: images, thumbnails and stickers as an `<img>`, voices and
    /// videos as an `<audio>`/`<video>` range request, files as a link to the file host.
    /// `UsageError::Unavailable` for a paid sticker, a variant the kind does not have, or a file
    /// without its ids; `UsageError::NotLoggedIn` without a session.
    pub fn media_request(
        &self,
        media: &Media,
        variant: Variant,
    ) -> Result<MediaRequest, UsageError> {
        if media.paid {
            return Err(UsageError::Unavailable(
                "a paid sticker: the server does not hand it out",
            ));
        }
        if !media.has(variant) {
            return Err(UsageError::Unavailable("this media has no such variant"));
        }
        let creds = self
            .session
            .credentials
            .as_ref()
            .ok_or(UsageError::NotLoggedIn)?;
        let skey = creds.skey.expose();
        let msg_img = |kind: Option<&str>| {
            let req = ApiRequest::new(Endpoint::GetMsgImg)
                .empty()
                .raw("MsgID", &media.msg_id)
                .component("skey", skey);
            match kind {
                Some(kind) => req.raw("type", kind),
                None => req,
            }
        };
        let req = match (media.kind, variant) {
            (MediaKind::Image | MediaKind::Video, Variant::Thumbnail) => msg_img(Some("slave")),
            (MediaKind::Image, Variant::Full) => msg_img(None),
            (MediaKind::Sticker, _) => msg_img(Some("big")),
            (MediaKind::Voice, _) => ApiRequest::new(Endpoint::GetVoice)
                .raw("msgid", &media.msg_id)
                .raw("skey", skey),
            (MediaKind::Video, Variant::Full) => ApiRequest::new(Endpoint::GetVideo)
                .raw("msgid", &media.msg_id)
                .component("skey", skey),
            (MediaKind::File, _) => {
                if media.media_id.is_empty() {
                    return Err(UsageError::Unavailable("a file without its MediaId"));
                }
                let ticket = self.data_ticket().unwrap_or_default();
                ApiRequest::new(Endpoint::GetMedia)
                    .raw("sender", &media.sender)
                    .raw("mediaid", &media.media_id)
                    .raw("encryfilename", &media.encry_file_name)
                    .raw("fromuser", creds.uin)
                    .component("pass_ticket", creds.pass_ticket.expose())
                    .component("webwx_data_ticket", ticket)
            }
        };
        let suggested_name = media.suggested_name();
        self.media_of(req, suggested_name)
    }

    /// The request that fetches the avatar of `user_name` (a contact, a group, or the self
    /// user): the `HeadImgUrl` the server gave, with the current skey, as an `<img>`; built as
    /// the page builds it when the server gave none. `big` asks for the large one (`&type=big`).
    pub fn avatar_request(&self, user_name: &str, big: bool) -> Result<MediaRequest, UsageError> {
        let creds = self
            .session
            .credentials
            .as_ref()
            .ok_or(UsageError::NotLoggedIn)?;
        let skey = creds.skey.expose();
        let contact = self.session.contacts.get(user_name).or(self
            .session
            .user
            .as_ref()
            .filter(|u| u.user_name() == user_name));
        let group =
            user_name.starts_with("@@") || contact.is_some_and(|c| c.kind() == ContactKind::Group);
        let endpoint = if group {
            Endpoint::GetHeadImg
        } else {
            Endpoint::GetIcon
        };
        let given = contact
            .map(|c| c.head_img_url())
            .filter(|u| u.starts_with("/cgi-bin/mmwebwx-bin/webwxget"));
        let req = match given {
            Some(path) => {
                // The server's URL, with the skey it carried (removed as it was read) put back.
                let mut url = format!("{}{}", self.page_origin(), with_skey(&path, skey));
                if big {
                    url.push_str("&type=big");
                }
                let endpoint = if path.starts_with(Endpoint::GetHeadImg.path()) {
                    Endpoint::GetHeadImg
                } else {
                    Endpoint::GetIcon
                };
                let checked = CheckedUrl::parse(&url, &self.config.allowed_hosts, endpoint)
                    .map_err(|_| UsageError::Unavailable("the avatar's URL is not a WeChat URL"))?;
                ApiRequest::at(endpoint, checked)
            }
            None => {
                let req = ApiRequest::new(endpoint)
                    .raw("seq", 0)
                    .raw("username", user_name)
                    .raw("skey", skey);
                if big { req.raw("type", "big") } else { req }
            }
        };
        let name: String = user_name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        self.media_of(req, format!("{name}.jpg"))
    }

    /// The value of the `webwx_data_ticket` cookie of the file host.
    pub(super) fn data_ticket(&self) -> Option<String> {
        let file = self.session.hosts.as_ref()?.file.clone();
        let url = url::Url::parse(&format!("{file}/cgi-bin/mmwebwx-bin/webwxgetmedia")).ok()?;
        self.session
            .cookies
            .value_for(&url, "webwx_data_ticket")
            .map(str::to_string)
    }

    fn media_of(
        &self,
        req: ApiRequest,
        suggested_name: String,
    ) -> Result<MediaRequest, UsageError> {
        let endpoint = req.endpoint;
        let request = self
            .build(req)
            .map_err(|_| UsageError::Unavailable("the session's hosts do not make a valid URL"))?;
        Ok(MediaRequest {
            request: request.map(|_| ()),
            endpoint,
            max_bytes: self.config.limits.max_media_bytes,
            suggested_name,
        })
    }
}

/// `path` (a `HeadImgUrl` whose skey value was removed as it was read) with `skey` put back,
/// or added when it had none.
fn with_skey(path: &str, skey: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut found = false;
    let parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p == "skey=" || p.starts_with("skey=") {
                found = true;
                format!("skey={skey}")
            } else {
                p.to_string()
            }
        })
        .collect();
    let mut out = format!("{base}?{}", parts.join("&"));
    if !found {
        out.push_str(&format!("&skey={skey}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_skey;

    #[test]
    fn the_skey_goes_back_where_it_was() {
        assert_eq!(
            with_skey(
                "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=",
                "@crypt_1"
            ),
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=@crypt_1"
        );
        assert_eq!(
            with_skey(
                "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=1&username=@@g",
                "@crypt_1"
            ),
            "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=1&username=@@g&skey=@crypt_1"
        );
    }
}
