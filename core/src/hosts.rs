//! The host table (protocol §2): the host of the login's `redirect_uri` decides every later host.

use crate::Error;
use url::Url;

/// The origins (`scheme://host[:port]`) a logged-in session talks to.
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

/// Whether `host` belongs to WeChat (`qq.com` or `wechat.com` and their subdomains).
pub fn is_wechat_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    is_within(&host, "qq.com") || is_within(&host, "wechat.com")
}

/// Checks that `url` may receive credentials: a WeChat host, or one of `allowed`.
pub(crate) fn check_host(url: &Url, allowed: &[String]) -> Result<(), Error> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let allowed_here = allowed.iter().any(|a| a.eq_ignore_ascii_case(&host));
    if host.is_empty() || !(is_wechat_host(&host) || allowed_here) {
        return Err(Error::ForeignHost { host });
    }
    Ok(())
}

impl Hosts {
    /// The hosts for a login confirmed with `redirect_uri`.
    ///
    /// A WeChat host picks its family's hosts (always over https). A host the embedder allowed
    /// (a simulator) serves every role at the redirect's own origin. Any other host is refused.
    ///
    /// ```
    /// use webwx_core::Hosts;
    /// let h = Hosts::for_redirect("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t", &[]).unwrap();
    /// assert_eq!(h.api, "https://wx2.qq.com");
    /// assert_eq!(h.push, "https://webpush.wx2.qq.com");
    /// assert!(Hosts::for_redirect("https://evil.example/x", &[]).is_err());
    /// ```
    pub fn for_redirect(redirect_uri: &str, allowed: &[String]) -> Result<Hosts, Error> {
        let url = Url::parse(redirect_uri).map_err(|_| Error::Protocol {
            endpoint: crate::Endpoint::LoginPoll,
            detail: "the redirect_uri is not a URL",
        })?;
        check_host(&url, allowed)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if let Some(&(_, login, file, push)) = FAMILIES
            .iter()
            .find(|(suffix, ..)| is_within(&host, suffix))
        {
            let https = |h: &str| format!("https://{h}");
            return Ok(Hosts {
                api: https(&host),
                login: https(login),
                file: https(file),
                push: https(push),
            });
        }
        let origin = url.origin().ascii_serialization();
        Ok(Hosts {
            api: origin.clone(),
            login: origin.clone(),
            file: origin.clone(),
            push: origin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(u: &str) -> Hosts {
        Hosts::for_redirect(u, &["127.0.0.1".into()]).unwrap()
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
    }

    #[test]
    fn allowed_foreign_host_serves_everything() {
        let h = hosts("http://127.0.0.1:8123/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t");
        assert_eq!(h.api, "http://127.0.0.1:8123");
        assert_eq!(h.push, "http://127.0.0.1:8123");
    }

    #[test]
    fn lookalikes_are_refused() {
        for bad in [
            "https://wx2.qq.com.evil.org/x",
            "https://evilqq.com/x",
            "https://127.0.0.2/x",
            "data:text/plain,hi",
        ] {
            assert!(
                matches!(
                    Hosts::for_redirect(bad, &["127.0.0.1".into()]),
                    Err(Error::ForeignHost { .. })
                ),
                "{bad}"
            );
        }
        assert!(Hosts::for_redirect("not a url", &[]).is_err());
    }
}
