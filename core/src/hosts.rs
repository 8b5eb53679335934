//! The host table (protocol §2) and the host policy (documented on [`Hosts`]): the host of the
//! login's `redirect_uri` decides every later host, and a URL the server gave is parsed and
//! checked once, into a [`CheckedUrl`], before anything is sent to it.
//! [`ApiRequest::build`](crate::request::ApiRequest) checks the final URI of every request
//! again, so that nothing appended to a checked URL can move its authority.

use crate::{Endpoint, Error};
use std::fmt;
use url::{Host, Url};

/// The origins (`scheme://host[:port]`) a logged-in session talks to.
///
/// # The host policy
///
/// A URL the server gives (`window.redirect_uri`, the ticket's `<redirecturl>`) is parsed once,
/// by the WHATWG rules of the `url` crate, and every request to it is built by serializing the
/// parsed URL, never from the server's raw string. Before anything is sent:
///
/// - the scheme must be `http` or `https`, and the URL must carry no user info (`user:pass@`);
/// - the host must be a WeChat host — `qq.com`, `wechat.com` or a subdomain, compared in lower
///   case after the parser's IDNA mapping (so `ｗｘ.qq.com` is `wx.qq.com`, and a look-alike with
///   a Cyrillic `с` is a different, foreign host) — or one the embedder allowed
///   ([`Config::allowed_hosts`](crate::Config::allowed_hosts): a host name or IP address such as
///   `127.0.0.1`, `::1` or `[::1]`); any other host is [`Error::ForeignHost`];
/// - a WeChat host is always reached over https on the default port: `http` is upgraded, an
///   explicit port other than 443 is refused ([`Error::Protocol`]). An allowed host keeps the
///   scheme and port it was given (a simulator serves plain http on a port of its own);
/// - a host name with an empty label — a trailing dot (`wx.qq.com.`) or `a..qq.com` — is
///   refused, not normalised: the server never sends one, and `wx.qq.com.` is not `wx.qq.com`
///   to cookies and certificates;
/// - the fragment is dropped (it is never sent);
/// - the ticket's `<redirecturl>` is followed at most 3 times per login; a fourth is a redirect
///   loop and ends the login with [`Error::Protocol`].
///
/// Every request is checked again where it is built: its final URI must still have the host it
/// was composed from, as both the `url` crate and `http::Uri` read it, and (but for the
/// configured login origin) pass the policy above.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct Hosts {
    /// API calls (`webwxinit`, `webwxsync`, ...): the redirect host itself, e.g. `https://wx2.qq.com`.
    pub api: String,
    /// The login host of this family (push login polls, QR logins after a logout).
    pub login: String,
    /// The file host (media upload and download).
    pub file: String,
    /// The push host (`synccheck`).
    pub push: String,
}

/// The WeChat host families, first match wins: (redirect host suffix, login, file, push).
const FAMILIES: &[(&str, &str, &str, &str)] = &[
    (
        "wx2.qq.com",
        "login.wx2.qq.com",
        "file.wx2.qq.com",
        "webpush.wx2.qq.com",
    ),
    (
        "wx8.qq.com",
        "login.wx8.qq.com",
        "file.wx8.qq.com",
        "webpush.wx8.qq.com",
    ),
    (
        "qq.com",
        "login.wx.qq.com",
        "file.wx.qq.com",
        "webpush.wx.qq.com",
    ),
    (
        "web2.wechat.com",
        "login.web2.wechat.com",
        "file.web2.wechat.com",
        "webpush.web2.wechat.com",
    ),
    (
        "wechat.com",
        "login.web.wechat.com",
        "file.web.wechat.com",
        "webpush.web.wechat.com",
    ),
];

/// Whether `host` is `domain` or a subdomain of it.
fn is_within(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Whether `host` belongs to WeChat (`qq.com` or `wechat.com` and their subdomains, in any case).
/// A name with an empty label (a trailing dot, `..`) is not a WeChat host.
///
/// ```
/// use webwx_core::is_wechat_host;
/// assert!(is_wechat_host("WX2.qq.com"));
/// assert!(!is_wechat_host("wx2.qq.com."));
/// assert!(!is_wechat_host("qq.com.evil.example"));
/// ```
pub fn is_wechat_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    !host.split('.').any(str::is_empty)
        && (is_within(&host, "qq.com") || is_within(&host, "wechat.com"))
}

/// Whether `host` is one the embedder allowed: each entry is read as a host name or an IP
/// address (an IPv6 address with or without brackets).
fn is_allowed(host: &Host<&str>, allowed: &[String]) -> bool {
    let host = host.to_owned();
    allowed.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let entry = if entry.contains(':') && !entry.starts_with('[') {
            format!("[{entry}]")
        } else {
            entry
        };
        Host::parse(&entry).is_ok_and(|a| a == host)
    })
}

/// How the policy classes a URL's host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HostClass {
    /// A WeChat host: https on the default port only.
    WeChat,
    /// A host the embedder allowed: scheme and port as given.
    Allowed,
}

/// Classes the host of `url`: a WeChat host, an allowed one, or refused with
/// [`Error::ForeignHost`].
pub(crate) fn check_host(url: &Url, allowed: &[String]) -> Result<HostClass, Error> {
    let foreign = || Error::ForeignHost {
        host: url.host_str().unwrap_or_default().to_string(),
    };
    match url.host() {
        Some(Host::Domain(name)) if is_wechat_host(name) => Ok(HostClass::WeChat),
        Some(host) if is_allowed(&host, allowed) => Ok(HostClass::Allowed),
        _ => Err(foreign()),
    }
}

/// Checks the whole policy for a URL a request is about to be sent to: an http(s) scheme, no
/// user info, an allowed host, and https on the default port for a WeChat host.
pub(crate) fn check_url(url: &Url, allowed: &[String], endpoint: Endpoint) -> Result<(), Error> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Protocol {
            endpoint,
            detail: "the URL is not an http or https URL",
        });
    }
    let class = check_host(url, allowed)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Protocol {
            endpoint,
            detail: "the URL carries user info",
        });
    }
    if class == HostClass::WeChat && (url.scheme() != "https" || url.port().is_some()) {
        return Err(Error::Protocol {
            endpoint,
            detail: "a WeChat host is reached over https on the default port only",
        });
    }
    Ok(())
}

/// A URL from the server that passed the host policy (see [`Hosts`]): the only thing a
/// request to a server-given URL can be built from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CheckedUrl(Url);

impl CheckedUrl {
    /// Parses and checks `raw`, which the server sent in the answer of `endpoint`. A WeChat host
    /// is upgraded to https; the fragment is dropped.
    pub(crate) fn parse(raw: &str, allowed: &[String], endpoint: Endpoint) -> Result<Self, Error> {
        let mut url = Url::parse(raw).map_err(|_| Error::Protocol {
            endpoint,
            detail: "the redirect is not a URL",
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Protocol {
                endpoint,
                detail: "the redirect is not an http or https URL",
            });
        }
        if check_host(&url, allowed)? == HostClass::WeChat && url.scheme() == "http" {
            // Both are special schemes, so the change cannot fail; `http://h:443` loses the
            // port with it. A refusal here would be caught by `check_url` below all the same.
            let _ = url.set_scheme("https");
        }
        url.set_fragment(None);
        check_url(&url, allowed, endpoint)?;
        Ok(CheckedUrl(url))
    }

    /// The checked URL.
    pub(crate) fn url(&self) -> &Url {
        &self.0
    }
}

// The query holds the login ticket: Debug shows scheme, host, port and path only.
impl fmt::Debug for CheckedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        write!(f, "CheckedUrl({}", url.scheme())?;
        write!(f, "://{}", url.host_str().unwrap_or_default())?;
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        write!(f, "{})", url.path())
    }
}

/// The page a login origin belongs to: its host without the `login.` label
/// (`https://login.wx.qq.com` → `https://wx.qq.com`), or the origin itself (a simulator).
pub(crate) fn page_of_login(login_origin: &str) -> String {
    match login_origin.split_once("://") {
        Some((scheme, rest)) => match rest.strip_prefix("login.") {
            Some(host) => format!("{scheme}://{host}"),
            None => login_origin.to_string(),
        },
        None => login_origin.to_string(),
    }
}

impl Hosts {
    /// The hosts for a login confirmed with `redirect_uri`.
    ///
    /// A WeChat host picks its family's hosts (always over https). A host the embedder allowed
    /// (a simulator) serves every role at the redirect's own origin. Any other host is refused
    /// ([`Error::ForeignHost`]), and so is a URL the host policy does not accept
    /// ([`Error::Protocol`]: not http(s), user info, a port on a WeChat host).
    ///
    /// ```
    /// use webwx_core::Hosts;
    /// let h = Hosts::for_redirect("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t", &[]).unwrap();
    /// assert_eq!(h.api, "https://wx2.qq.com");
    /// assert_eq!(h.push, "https://webpush.wx2.qq.com");
    /// assert!(Hosts::for_redirect("https://evil.example/x", &[]).is_err());
    /// assert!(Hosts::for_redirect("https://wx.qq.com\\@evil.example/x", &[]).is_ok_and(|h| h.api == "https://wx.qq.com"));
    /// ```
    pub fn for_redirect(redirect_uri: &str, allowed: &[String]) -> Result<Hosts, Error> {
        let url = CheckedUrl::parse(redirect_uri, allowed, Endpoint::LoginPoll)?;
        Ok(Hosts::for_checked(&url))
    }

    /// The hosts for a checked redirect.
    pub(crate) fn for_checked(url: &CheckedUrl) -> Hosts {
        let url = url.url();
        let host = url.host_str().unwrap_or_default();
        if is_wechat_host(host)
            && let Some(&(_, login, file, push)) =
                FAMILIES.iter().find(|(suffix, ..)| is_within(host, suffix))
        {
            let https = |h: &str| format!("https://{h}");
            return Hosts {
                api: https(host),
                login: https(login),
                file: https(file),
                push: https(push),
            };
        }
        let origin = url.origin().ascii_serialization();
        Hosts {
            api: origin.clone(),
            login: origin.clone(),
            file: origin.clone(),
            push: origin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(u: &str) -> Hosts {
        Hosts::for_redirect(u, &["127.0.0.1".into(), "::1".into()]).unwrap()
    }

    fn checked(u: &str, allowed: &[&str]) -> Result<String, Error> {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        CheckedUrl::parse(u, &allowed, Endpoint::Ticket).map(|c| c.url().to_string())
    }

    #[test]
    fn every_family() {
        let h = hosts("https://wx8.qq.com/x");
        assert_eq!(
            (h.login.as_str(), h.file.as_str()),
            ("https://login.wx8.qq.com", "https://file.wx8.qq.com")
        );
        let h = hosts("https://wx.qq.com/x");
        assert_eq!(h.push, "https://webpush.wx.qq.com");
        let h = hosts("https://web2.wechat.com/x");
        assert_eq!(h.push, "https://webpush.web2.wechat.com");
        let h = hosts("https://web.wechat.com/x");
        assert_eq!(
            (h.api.as_str(), h.push.as_str()),
            ("https://web.wechat.com", "https://webpush.web.wechat.com")
        );
        let h = hosts("http://wx2.qq.com/x");
        assert_eq!(h.api, "https://wx2.qq.com", "WeChat hosts are always https");
        let h = hosts("https://WX2.QQ.COM/x");
        assert_eq!(h.api, "https://wx2.qq.com", "hosts are lower case");
    }

    #[test]
    fn allowed_foreign_host_serves_everything() {
        let h = hosts("http://127.0.0.1:8123/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t");
        assert_eq!(h.api, "http://127.0.0.1:8123");
        assert_eq!(h.push, "http://127.0.0.1:8123");
        let h = hosts("http://[::1]:8123/x");
        assert_eq!(h.api, "http://[::1]:8123");
    }

    #[test]
    fn lookalikes_are_refused() {
        for bad in [
            "https://wx2.qq.com.evil.org/x",
            "https://evilqq.com/x",
            "https://127.0.0.2/x",
            "https://wx.qq.com@evil.example/x",
            "https://wx.qq.com%2F@evil.example/x",
            "https://wx.qq.com:443@evil.example/x",
            "https://wx.qq.com./x",
            "https://a..qq.com/x",
            "https://wx.qq.\u{441}om/x",
            "https://[::2]/x",
        ] {
            assert!(
                matches!(
                    Hosts::for_redirect(bad, &["127.0.0.1".into(), "[::1]".into()]),
                    Err(Error::ForeignHost { .. })
                ),
                "{bad}"
            );
        }
        for bad in [
            "not a url",
            "data:text/plain,hi",
            "ftp://wx.qq.com/x",
            "https://evil.example%2F.wx.qq.com/x",
            "https://wx.qq.com%40evil.example/x",
            "https://user@wx.qq.com/x",
            "https://wx.qq.com:8443/x",
            "http://wx.qq.com:8080/x",
        ] {
            assert!(
                matches!(
                    Hosts::for_redirect(bad, &[]),
                    Err(Error::Protocol {
                        endpoint: Endpoint::LoginPoll,
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn checked_urls_are_normalised() {
        for (raw, want) in [
            (
                "https://wx.qq.com\\@evil.example/p?ticket=T",
                "https://wx.qq.com/@evil.example/p?ticket=T",
            ),
            (
                "https://wx.qq.com#@evil.example/p?ticket=T",
                "https://wx.qq.com/",
            ),
            ("http://WX.QQ.COM:443/p?A=B", "https://wx.qq.com/p?A=B"),
            ("http://wx.qq.com:80/p", "https://wx.qq.com/p"),
            (
                "https://\u{ff57}\u{ff58}.qq\u{3002}com/p",
                "https://wx.qq.com/p",
            ),
            ("https://%77x.qq.com/p", "https://wx.qq.com/p"),
            (
                "http://127.0.0.1:8080/p?t=1#f",
                "http://127.0.0.1:8080/p?t=1",
            ),
        ] {
            assert_eq!(checked(raw, &["127.0.0.1"]).as_deref(), Ok(want), "{raw}");
        }
        assert_eq!(
            checked("https://[::1]:9/p", &["::1"]).as_deref(),
            Ok("https://[::1]:9/p")
        );
        assert_eq!(
            checked("http://localhost:9/p", &["LOCALHOST"]).as_deref(),
            Ok("http://localhost:9/p")
        );
    }

    #[test]
    fn debug_hides_the_query() {
        let url = CheckedUrl::parse(
            "https://wx.qq.com/p?ticket=SECRET",
            &[],
            Endpoint::LoginPoll,
        )
        .unwrap();
        assert_eq!(format!("{url:?}"), "CheckedUrl(https://wx.qq.com/p)");
    }
}
