//! The endpoints, by area.

pub(crate) mod admin;
pub(crate) mod login;
pub(crate) mod media;
pub(crate) mod ops;
pub(crate) mod session;
pub(crate) mod upload;

use std::collections::HashMap;

/// The query of a request, decoded.
pub(crate) fn query(uri: &http::Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The cookies of a request.
pub(crate) fn cookies(headers: &http::HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

/// The host of the request (`Host` header without port).
pub(crate) fn host(headers: &http::HeaderMap) -> String {
    headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| {
            h.rsplit_once(':')
                .map_or(h, |(host, _)| host)
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}
