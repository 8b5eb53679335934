//! `multipart/form-data` as Chrome writes a `FormData` (RFC 7578, with the HTML standard's
//! escaping of names): text fields in order, then one file part.
//!
//! No crate of the ecosystem fits a sans-IO core: the encoders there are streams on an async
//! runtime or tied to an HTTP client. The form here is small and fully in memory (an upload
//! chunk of at most 512 KiB), so it is written by hand and tested; the simulator parses it with
//! an independent parser (`multer`).

use bytes::{BufMut, Bytes, BytesMut};

/// The characters of Chrome's boundary suffix (`----WebKitFormBoundary` + 16 of them).
const BOUNDARY_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB";

/// Chrome's boundary for 16 random values (each taken modulo 64, as Blink's
/// `FormDataEncoder::GenerateUniqueBoundaryString` does with its alphanumeric table).
pub(crate) fn boundary(random: [u8; 16]) -> String {
    let mut b = String::with_capacity(22 + 16);
    b.push_str("----WebKitFormBoundary");
    for r in random {
        let c = BOUNDARY_ALPHABET
            .get(usize::from(r % 64))
            .copied()
            .unwrap_or(b'A');
        b.push(char::from(c));
    }
    b
}

/// The file part: its field name, file name, content type and bytes.
#[derive(Clone, Debug)]
pub(crate) struct FilePart {
    pub(crate) field: &'static str,
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
}

/// A form: text fields in order, then the file.
#[derive(Clone, Debug)]
pub(crate) struct Form {
    pub(crate) boundary: String,
    pub(crate) fields: Vec<(&'static str, String)>,
    pub(crate) file: FilePart,
}

/// A name or file name in a `Content-Disposition` header, escaped as the HTML standard says
/// (and Chrome does): `"` → `%22`, CR → `%0D`, LF → `%0A`; everything else as UTF-8.
fn escape_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

impl Form {
    /// The `Content-Type` header's value.
    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The body.
    pub(crate) fn encode(&self) -> Bytes {
        let text: usize = self
            .fields
            .iter()
            .map(|(n, v)| n.len() + v.len() + self.boundary.len() + 64)
            .sum();
        let mut out = BytesMut::with_capacity(
            text + self.file.data.len() + self.file.file_name.len() + 2 * self.boundary.len() + 160,
        );
        for (name, value) in &self.fields {
            out.put_slice(b"--");
            out.put_slice(self.boundary.as_bytes());
            out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.put_slice(escape_name(name).as_bytes());
            out.put_slice(b"\"\r\n\r\n");
            // Chrome normalizes line breaks in text values to CRLF.
            out.put_slice(normalize_newlines(value).as_bytes());
            out.put_slice(b"\r\n");
        }
        let file = &self.file;
        out.put_slice(b"--");
        out.put_slice(self.boundary.as_bytes());
        out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
        out.put_slice(escape_name(file.field).as_bytes());
        out.put_slice(b"\"; filename=\"");
        out.put_slice(escape_name(&file.file_name).as_bytes());
        out.put_slice(b"\"\r\nContent-Type: ");
        out.put_slice(file.content_type.as_bytes());
        out.put_slice(b"\r\n\r\n");
        out.put_slice(&file.data);
        out.put_slice(b"\r\n--");
        out.put_slice(self.boundary.as_bytes());
        out.put_slice(b"--\r\n");
        out.freeze()
    }
}

/// Lone CR and LF become CRLF.
fn normalize_newlines(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains(['\r', '\n']) {
        return value.into();
    }
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, data: &'static [u8]) -> Form {
        Form {
            boundary: boundary([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 62, 63, 64, 255]),
            fields: vec![("id", "WU_FILE_0".into()), ("size", "3".into())],
            file: FilePart {
                field: "filename",
                file_name: name.into(),
                content_type: "image/png".into(),
                data: Bytes::from_static(data),
            },
        }
    }

    #[test]
    fn chrome_framing() {
        let f = form("a.png", b"\x89PN");
        assert_eq!(f.boundary, "----WebKitFormBoundaryABCDEFGHIJKLABAB");
        let body = f.encode();
        let expected = "------WebKitFormBoundaryABCDEFGHIJKLABAB\r\n\
            Content-Disposition: form-data; name=\"id\"\r\n\r\nWU_FILE_0\r\n\
            ------WebKitFormBoundaryABCDEFGHIJKLABAB\r\n\
            Content-Disposition: form-data; name=\"size\"\r\n\r\n3\r\n\
            ------WebKitFormBoundaryABCDEFGHIJKLABAB\r\n\
            Content-Disposition: form-data; name=\"filename\"; filename=\"a.png\"\r\n\
            Content-Type: image/png\r\n\r\n";
        assert!(body.starts_with(expected.as_bytes()));
        assert!(body.ends_with(b"\x89PN\r\n------WebKitFormBoundaryABCDEFGHIJKLABAB--\r\n"));
        assert_eq!(
            f.content_type(),
            "multipart/form-data; boundary=----WebKitFormBoundaryABCDEFGHIJKLABAB"
        );
    }

    #[test]
    fn names_are_escaped_and_newlines_normalized() {
        let mut f = form("a\"b\r\nc 照片.png", b"");
        f.fields = vec![("x", "1\n2\r3\r\n4".into())];
        let body = String::from_utf8(f.encode().to_vec()).unwrap();
        assert!(body.contains("filename=\"a%22b%0D%0Ac 照片.png\""));
        assert!(body.contains("\r\n\r\n1\r\n2\r\n3\r\n4\r\n--"));
    }
}
