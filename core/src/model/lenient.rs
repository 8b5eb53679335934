//! Deserializers that accept what the server really sends: numbers that sometimes arrive as
//! strings (`"FileSize": ""`, `"MsgId": "123"`), and `null` where a value is expected.

use super::caps;
use crate::Secret;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// Reads an integer from whatever the server sent, without buffering (no untagged enum):
/// numbers, numeric strings (`"1101"`), booleans, `null` and `""` (0).
struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a numeric string or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        Ok(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        Ok(v as i64)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<i64, E> {
        Ok(i64::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        Ok(v.trim().parse().unwrap_or(0))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i64, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// An integer given as a number, a numeric string, a boolean, `null` or `""` (0).
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// A flag given as a boolean or as an integer (non-zero is true), a numeric string, `null` or
/// `""` (false).
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(int(d)? != 0)
}

/// An unsigned integer given as a number, a numeric string, `null` or `""` (0); negative
/// values read as 0.
pub(crate) fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct UintVisitor;
    impl<'de> Visitor<'de> for UintVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an unsigned integer, a numeric string or null")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            Ok(u64::try_from(v).unwrap_or(0))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            Ok(v as u64)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
            Ok(u64::from(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            Ok(v.trim().parse().unwrap_or(0))
        }
        fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
            Ok(0)
        }
        fn visit_none<E: de::Error>(self) -> Result<u64, E> {
            Ok(0)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
            d.deserialize_any(UintVisitor)
        }
    }
    d.deserialize_any(UintVisitor)
}

/// [`string`] kept as a [`Secret`](crate::Secret) from the moment it is read (the `SKey` of
/// init and sync answers), so that no `Debug` of an answer shows it.
pub(crate) fn secret_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<crate::Secret<String>, D::Error> {
    string(d).map(crate::Secret::new)
}

/// A string given as a string, a number, a boolean or `null` (empty). During a parse, one longer
/// than `Limits::max_string_bytes` is cut at a character boundary (see [`caps`]).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct StringVisitor;
    impl<'de> Visitor<'de> for StringVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(caps::cut(v, caps::max_string_bytes()).to_string())
        }
        fn visit_string<E: de::Error>(self, mut v: String) -> Result<String, E> {
            let keep = caps::cut(&v, caps::max_string_bytes()).len();
            if keep < v.len() {
                v.truncate(keep);
                v.shrink_to_fit();
            }
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(StringVisitor)
        }
    }
    d.deserialize_any(StringVisitor)
}

/// A secret string (a ticket), read as [`string`] reads it.
pub(crate) fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret<String>, D::Error> {
    string(d).map(Secret::new)
}

/// An entry of a list in an answer.
pub(crate) trait Entry {
    /// Whether it is an `AddMsgList` message (counted against `max_messages_per_answer` too).
    const IS_MESSAGE: bool = false;
    /// Whether the client has any use for it; entries without are dropped as they are read.
    fn is_kept(&self) -> bool;
}

/// A list that may be `null`. Entries the client has no use for ([`Entry::is_kept`]) are dropped
/// as they are read; during a parse, every kept entry counts against the caps of the answer
/// (see [`caps`]), and the answer is refused at the first one past a cap, before the rest of the
/// list is read.
pub(crate) fn list<'de, D: Deserializer<'de>, T: Deserialize<'de> + Entry>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    list_into::<D, T, T>(d)
}

/// [`list`], each entry turned into a `T` as soon as it is read: the wire form of one entry
/// lives only while it is converted, so a page of 5,000 contacts never holds 5,000 wire
/// contacts (and the allocator reuses one entry's room for the next, instead of leaving the
/// whole page's strings as holes between the converted entries).
pub(crate) fn list_into<'de, D: Deserializer<'de>, R: Deserialize<'de> + Entry, T: From<R>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    struct ListVisitor<R, T>(PhantomData<(R, T)>);
    impl<'de, R: Deserialize<'de> + Entry, T: From<R>> Visitor<'de> for ListVisitor<R, T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = seq.next_element::<R>()? {
                if !entry.is_kept() {
                    continue;
                }
                caps::count_entry(R::IS_MESSAGE).map_err(|(what, limit)| {
                    de::Error::custom(format_args!("{what}: more than the limit of {limit}"))
                })?;
                out.push(T::from(entry));
            }
            Ok(out)
        }
    }
    d.deserialize_option(ListVisitor::<R, T>(PhantomData))
}

/// A URL from the server with the value of any `skey=` parameter removed. The server puts the
/// session's skey into `HeadImgUrl`; keeping it there would leak the secret into every `Debug`
/// of a contact, and it goes stale when the skey changes. Requests for avatars add the current
/// skey themselves.
pub(crate) fn url_without_skey<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = string(d)?;
    Ok(strip_skey(&url))
}

/// `url` with the value of every `skey` parameter removed (`skey=` stays, empty).
///
/// A parameter is any piece of `url` between the separators `?`, `&`, `;` and `#` (so the
/// fragment and `&amp;`-escaped queries count too). It is an `skey` parameter when, decoded
/// once as a server decodes it (`%XY` escapes, `+` as a space), its name before the first `=`,
/// trimmed, is `skey` in any case: `skey=`, `SKey=`, `sk%65y=`, `skey%3D`, `+skey=`.
/// Every other piece is kept byte for byte.
pub(crate) fn strip_skey(url: &str) -> String {
    let is_separator = |c: char| matches!(c, '?' | '&' | ';' | '#');
    let mut out = String::with_capacity(url.len());
    for chunk in url.split_inclusive(is_separator) {
        let (piece, separator) = match chunk.strip_suffix(is_separator) {
            Some(piece) => (piece, chunk.get(piece.len()..).unwrap_or_default()),
            None => (chunk, ""),
        };
        out.push_str(if is_skey_with_value(piece) {
            "skey="
        } else {
            piece
        });
        out.push_str(separator);
    }
    out
}

/// Whether `piece`, decoded once, is `skey=` (any case, trimmed name) with a non-empty value.
fn is_skey_with_value(piece: &str) -> bool {
    // Cheap test first: the name holds `k`, `K` or an escape that may decode to one.
    if !piece.bytes().any(|b| matches!(b, b'k' | b'K' | b'%')) {
        return false;
    }
    let decoded = decode_once(piece);
    decoded
        .split_once('=')
        .is_some_and(|(name, value)| name.trim().eq_ignore_ascii_case("skey") && !value.is_empty())
}

/// Percent-decodes `piece` once, reading `+` as a space; an invalid escape stays as it is.
fn decode_once(piece: &str) -> String {
    let bytes = piece.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape = (b == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match (b, escape) {
            (_, Some((hi, lo))) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "int")]
        i: i64,
        #[serde(deserialize_with = "uint")]
        u: u64,
        #[serde(deserialize_with = "string")]
        s: String,
    }

    #[test]
    fn every_form_the_server_sends() {
        let read = |json: &str| {
            let p: Probe = serde_json::from_str(json).unwrap();
            (p.i, p.u, p.s)
        };
        assert_eq!(read(r#"{"i":-3,"u":7,"s":"x"}"#), (-3, 7, "x".into()));
        assert_eq!(
            read(r#"{"i":"1101","u":"18446744073709551615","s":42}"#),
            (1101, u64::MAX, "42".into())
        );
        assert_eq!(
            read(r#"{"i":null,"u":null,"s":null}"#),
            (0, 0, String::new())
        );
        assert_eq!(read(r#"{"i":"","u":-5,"s":true}"#), (0, 0, "true".into()));
        assert_eq!(read(r#"{"i":2.9,"u":true,"s":1.5}"#), (2, 1, "1.5".into()));
        assert!(serde_json::from_str::<Probe>(r#"{"i":[1],"u":1,"s":""}"#).is_err());
    }

    #[test]
    fn skey_is_stripped_from_urls() {
        assert_eq!(
            strip_skey("/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey=@crypt_x"),
            "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=@a&skey="
        );
        assert_eq!(strip_skey("/a?skey=s&b=1"), "/a?skey=&b=1");
        assert_eq!(strip_skey("/plain"), "/plain");
        assert_eq!(strip_skey(""), "");
        for (url, want) in [
            ("/a?SKEY=s", "/a?skey="),
            ("/a?b=1&SKey=s&c=2", "/a?b=1&skey=&c=2"),
            ("/a?sk%65y=s", "/a?skey="),
            ("/a?sk%45Y=s", "/a?skey="),
            ("/a?skey%3Ds", "/a?skey="),
            ("/a?%73%6B%65%79%3D%40crypt", "/a?skey="),
            ("/a?+skey+=s", "/a?skey="),
            ("/a?b=1;skey=s", "/a?b=1;skey="),
            ("/a?b=1&amp;skey=s&amp;c=2", "/a?b=1&amp;skey=&amp;c=2"),
            ("/a?b=1?skey=s", "/a?b=1?skey="),
            ("/a#skey=s", "/a#skey="),
            ("skey=s", "skey="),
            ("/a?skey=", "/a?skey="),
            ("/a?skey", "/a?skey"),
            (
                "/a?xskey=s&skeyx=s&sk%2565y=s",
                "/a?xskey=s&skeyx=s&sk%2565y=s",
            ),
            (
                "/a?b=%zz&c=%E4%B8%AD&d=\u{4e2d}",
                "/a?b=%zz&c=%E4%B8%AD&d=\u{4e2d}",
            ),
        ] {
            assert_eq!(strip_skey(url), want, "{url}");
            assert_eq!(strip_skey(want), want, "{want} stays");
        }
    }
}
