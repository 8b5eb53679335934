//! Compressed answers. The official client's browser sends `Accept-Encoding: gzip, deflate, br`
//! and the server compresses what it answers; the core sends the same header, so it decodes
//! `Content-Encoding` itself: every transport (and an embedder's own HTTP stack, which need not
//! decode anything) hands over the body as it came. A stack that decodes on its own removes the
//! header, and the body passes through.
//!
//! Decoding is bounded by [`Limits::max_body_bytes`](crate::Limits::max_body_bytes) on the
//! decoded size too: a small compressed body that would grow past it (a "zip bomb") is refused
//! after at most that many bytes were produced.

use crate::ParseError;
use bytes::Bytes;
use http::HeaderMap;
use http::header::CONTENT_ENCODING;
use std::io::Read;

/// What the core says it accepts, as the browser does.
pub(crate) const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// How many codings one answer may stack (`Content-Encoding: gzip, br`).
const MAX_CODINGS: usize = 4;

/// The body decoded as its `Content-Encoding` says, within `limit` bytes at every step.
pub(crate) fn decode(headers: &HeaderMap, body: Bytes, limit: usize) -> Result<Bytes, ParseError> {
    let mut codings = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let value = value
            .to_str()
            .map_err(|_| ParseError::Encoding("a Content-Encoding that is not text".into()))?;
        for coding in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if codings.len() == MAX_CODINGS {
                return Err(ParseError::Encoding("too many codings".into()));
            }
            codings.push(coding.to_ascii_lowercase());
        }
    }
    // Codings are listed in the order they were applied: undo them last first.
    let mut body = body;
    for coding in codings.iter().rev() {
        body = match coding.as_str() {
            "identity" => body,
            "gzip" | "x-gzip" => read_all(flate2::read::MultiGzDecoder::new(&body[..]), limit)?,
            "deflate" if is_zlib(&body) => {
                read_all(flate2::read::ZlibDecoder::new(&body[..]), limit)?
            }
            // Some servers send raw deflate under this name; browsers read both.
            "deflate" => read_all(flate2::read::DeflateDecoder::new(&body[..]), limit)?,
            "br" => read_all(
                brotli_decompressor::Decompressor::new(&body[..], 4096),
                limit,
            )?,
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(ParseError::Encoding(format!("unknown coding {shown:?}")));
            }
        };
    }
    Ok(body)
}

/// Whether `data` starts with a zlib header (RFC 1950: deflate, and a check value).
fn is_zlib(data: &[u8]) -> bool {
    match data {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Reads `reader` to its end, refusing more than `limit` bytes.
fn read_all(reader: impl Read, limit: usize) -> Result<Bytes, ParseError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| ParseError::Encoding(format!("corrupt data: {e}")))?;
    if out.len() > limit {
        return Err(ParseError::TooLarge {
            len: out.len(),
            limit,
        });
    }
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, value.parse().unwrap());
        h
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn raw_deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    const JSON: &[u8] =
        br#"{"BaseResponse":{"Ret":0,"ErrMsg":""},"MemberCount":0,"MemberList":[],"Seq":0}"#;

    #[test]
    fn every_coding_the_browser_accepts_is_decoded() {
        let cases: [(&str, Vec<u8>); 5] = [
            ("gzip", gzip(JSON)),
            ("deflate", zlib(JSON)),
            ("deflate", raw_deflate(JSON)),
            ("identity", JSON.to_vec()),
            ("gzip, deflate", zlib(&gzip(JSON))),
        ];
        for (coding, body) in cases {
            let out = decode(&headers(coding), Bytes::from(body), 1 << 20).unwrap();
            assert_eq!(&out[..], JSON, "{coding}");
        }
        // Brotli: JSON above as the reference encoder writes it (Python's `brotli.compress`).
        let br = b"\x1b\x4d\x00\xe0\x8d\xd4\x62\xcd\x19\xee\x04\x91\xb7\xd4\x2f\x7f\xf8\x90\x6d\x1a\x85\x68\x82\xf0\x33\x91\xd7\x4c\xe8\xc0\x06\x9c\x6a\xee\xdb\x60\xcb\x82\x03\xd1\xb0\x01\x07\x91\xc5\x8d\xcf\x23\x0c\xb7\x43\xd1\xcf\xa3\xd8\x45\x85\x78\x4e\xf6\x09\x7c\x61\x51\xea\x5a\x14\xa4\xe5\x97\xd6\x53\x6d\x8b\x3f";
        let out = decode(&headers("br"), Bytes::from_static(br), 1 << 20).unwrap();
        assert_eq!(&out[..], JSON, "br");
        let out = decode(&HeaderMap::new(), Bytes::from_static(JSON), 1 << 20).unwrap();
        assert_eq!(&out[..], JSON, "no header: as it came");
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![b'a'; 10 << 20]);
        assert!(bomb.len() < 20_000, "{}", bomb.len());
        let err = decode(&headers("gzip"), Bytes::from(bomb), 1 << 20).unwrap_err();
        assert!(
            matches!(err, ParseError::TooLarge { limit, .. } if limit == 1 << 20),
            "{err}"
        );
    }

    #[test]
    fn unknown_or_corrupt_is_a_typed_error() {
        for (coding, body) in [
            ("zstd", JSON.to_vec()),
            ("gzip", b"not gzip at all".to_vec()),
            ("br", b"\xff\xff\xff\xff".to_vec()),
            ("gzip, gzip, gzip, gzip, gzip", JSON.to_vec()),
        ] {
            let err = decode(&headers(coding), Bytes::from(body), 1 << 20).unwrap_err();
            assert!(matches!(err, ParseError::Encoding(_)), "{coding}: {err}");
        }
    }
}
