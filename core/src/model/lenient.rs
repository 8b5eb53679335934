//! Deserializers that accept what the server really sends: numbers that sometimes arrive as
//! strings (`"FileSize": ""`, `"MsgId": "123"`), and `null` where a value is expected.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrStr {
    I(i64),
    U(u64),
    F(f64),
    S(String),
    B(bool),
}

/// An integer given as a number, a numeric string, a boolean, `null` or `""` (0).
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Option::<NumOrStr>::deserialize(d)? {
        None => 0,
        Some(NumOrStr::I(n)) => n,
        Some(NumOrStr::U(n)) => i64::try_from(n).unwrap_or(i64::MAX),
        Some(NumOrStr::F(f)) => f as i64,
        Some(NumOrStr::B(b)) => i64::from(b),
        Some(NumOrStr::S(s)) => s.trim().parse().unwrap_or(0),
    })
}

/// An unsigned integer given as a number, a numeric string, `null` or `""` (0).
pub(crate) fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match Option::<NumOrStr>::deserialize(d)? {
        None => 0,
        Some(NumOrStr::I(n)) => u64::try_from(n).unwrap_or(0),
        Some(NumOrStr::U(n)) => n,
        Some(NumOrStr::F(f)) => f as u64,
        Some(NumOrStr::B(b)) => u64::from(b),
        Some(NumOrStr::S(s)) => s.trim().parse().unwrap_or(0),
    })
}

/// A string given as a string, a number or `null` (empty).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Option::<NumOrStr>::deserialize(d)? {
        None => String::new(),
        Some(NumOrStr::S(s)) => s,
        Some(NumOrStr::I(n)) => n.to_string(),
        Some(NumOrStr::U(n)) => n.to_string(),
        Some(NumOrStr::F(f)) => f.to_string(),
        Some(NumOrStr::B(b)) => b.to_string(),
    })
}

/// A list that may be `null`.
pub(crate) fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A URL from the server with the value of any `skey=` parameter removed. The server puts the
/// session's skey into `HeadImgUrl`; keeping it there would leak the secret into every `Debug`
/// of a contact, and it goes stale when the skey changes. Requests for avatars add the current
/// skey themselves.
pub(crate) fn url_without_skey<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = string(d)?;
    Ok(strip_skey(&url))
}

pub(crate) fn strip_skey(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query: Vec<&str> = query
        .split('&')
        .map(|pair| {
            if pair.starts_with("skey=") {
                "skey="
            } else {
                pair
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skey_is_stripped_from_urls() {
        assert_eq!(
            strip_skey("/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=@crypt_x"),
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey="
        );
        assert_eq!(strip_skey("/a?skey=s&b=1"), "/a?skey=&b=1");
        assert_eq!(strip_skey("/plain"), "/plain");
    }
}
