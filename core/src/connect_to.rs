//! Routing for transports, like curl's `--connect-to`: the requests for a host are sent to
//! another origin (a simulator of a host family, a proxy), with the real host in their `Host`
//! header. The core's requests always carry the protocol's own URL; a transport applies the
//! routes just before it sends, so cookies, host checks and snapshots never see them.

use http::uri::{Authority, Scheme};

/// An origin given to [`ConnectTo::route`] is not `scheme://host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an origin (scheme://host[:port]): {0}")]
pub struct InvalidOrigin(pub String);

/// Routes from hosts to origins. Empty by default (every request goes where its URL says).
///
/// ```
/// use webwx_core::ConnectTo;
/// use webwx_core::http::Request;
/// let routes = ConnectTo::default().route("wx2.qq.com", "http://127.0.0.1:9000").unwrap();
/// let mut request = Request::get("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit?r=1").body(()).unwrap();
/// routes.apply(&mut request);
/// assert_eq!(request.uri(), "http://127.0.0.1:9000/cgi-bin/mmwebwx-bin/webwxinit?r=1");
/// assert_eq!(request.headers()["host"], "wx2.qq.com");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectTo {
    routes: Vec<(String, Scheme, Authority)>,
}

impl ConnectTo {
    /// Sends the requests for `host` (a host name or IP address, without port) to `origin`
    /// (`scheme://host[:port]`, an optional trailing `/`).
    pub fn route(mut self, host: &str, origin: &str) -> Result<ConnectTo, InvalidOrigin> {
        let invalid = || InvalidOrigin(origin.to_string());
        let uri: http::Uri = origin.parse().map_err(|_| invalid())?;
        let path_is_empty = matches!(uri.path(), "" | "/") && uri.query().is_none();
        match (
            uri.scheme().cloned(),
            uri.authority().cloned(),
            path_is_empty,
        ) {
            (Some(scheme), Some(authority), true) if !authority.as_str().contains('@') => {
                self.routes
                    .push((host.to_ascii_lowercase(), scheme, authority));
                Ok(self)
            }
            _ => Err(invalid()),
        }
    }

    /// Whether no route is set.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Rewrites `request` to its host's origin, if it has a route: scheme and authority replaced,
    /// path and query kept, the real authority in the `Host` header.
    pub fn apply<B>(&self, request: &mut http::Request<B>) {
        let Some(host) = request.uri().host() else {
            return;
        };
        let Some((_, scheme, authority)) = self
            .routes
            .iter()
            .find(|(h, ..)| h.eq_ignore_ascii_case(host))
        else {
            return;
        };
        let mut parts = request.uri().clone().into_parts();
        let real = parts.authority.take();
        parts.scheme = Some(scheme.clone());
        parts.authority = Some(authority.clone());
        let Ok(uri) = http::Uri::from_parts(parts) else {
            return;
        };
        if let Some(real) = real
            && let Ok(value) = http::HeaderValue::from_str(real.as_str())
        {
            request
                .headers_mut()
                .entry(http::header::HOST)
                .or_insert(value);
        }
        *request.uri_mut() = uri;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_routed_hosts_are_rewritten() {
        let routes = ConnectTo::default()
            .route("webpush.wx2.qq.com", "http://127.0.0.1:9000/")
            .unwrap();
        let mut other = http::Request::get("https://login.weixin.qq.com/jslogin?a=1")
            .body(())
            .unwrap();
        routes.apply(&mut other);
        assert_eq!(other.uri(), "https://login.weixin.qq.com/jslogin?a=1");
        assert!(other.headers().get("host").is_none());
        let mut check =
            http::Request::get("https://WebPush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1")
                .body(())
                .unwrap();
        routes.apply(&mut check);
        assert_eq!(
            check.uri(),
            "http://127.0.0.1:9000/cgi-bin/mmwebwx-bin/synccheck?r=1"
        );
        assert_eq!(check.headers()["host"], "WebPush.wx2.qq.com");
    }

    #[test]
    fn origins_are_checked() {
        for bad in [
            "127.0.0.1:9000@x",
            "http://127.0.0.1:9000/path",
            "http://u@h",
            "nope",
            "",
        ] {
            assert!(
                ConnectTo::default().route("wx2.qq.com", bad).is_err(),
                "{bad}"
            );
        }
    }
}
