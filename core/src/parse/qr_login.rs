//! The `jslogin` answer: `window.QRLogin.code = 200; window.QRLogin.uuid = "...";`.

use super::{parse_assignments, text_of};
use crate::ParseError;

/// What `jslogin` answered.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QrLogin {
    /// `window.QRLogin.code`: 200 when a uuid was issued.
    pub code: i64,
    /// `window.QRLogin.uuid`, when present and non-empty.
    pub uuid: Option<String>,
}

/// Reads a `jslogin` answer.
///
/// ```
/// use webwx_core::parse::parse_qr_login;
/// let qr = parse_qr_login(br#"window.QRLogin.code = 200; window.QRLogin.uuid = "4dcaWx3uBw==";"#).unwrap();
/// assert_eq!(qr.code, 200);
/// assert_eq!(qr.uuid.as_deref(), Some("4dcaWx3uBw=="));
/// ```
pub fn parse_qr_login(body: &[u8]) -> Result<QrLogin, ParseError> {
    let a = parse_assignments(text_of(body)?)?;
    let code = a
        .get("window.QRLogin.code")
        .ok_or(ParseError::Missing("window.QRLogin.code"))?
        .as_int()
        .ok_or(ParseError::Invalid {
            field: "window.QRLogin.code",
        })?;
    let uuid = match a.get("window.QRLogin.uuid") {
        None => None,
        Some(v) => {
            let s = v.as_str().ok_or(ParseError::Invalid {
                field: "window.QRLogin.uuid",
            })?;
            if !is_uuid(s) {
                return Err(ParseError::Invalid {
                    field: "window.QRLogin.uuid",
                });
            }
            (!s.is_empty()).then(|| s.to_string())
        }
    };
    if code == 200 && uuid.is_none() {
        return Err(ParseError::Missing("window.QRLogin.uuid"));
    }
    Ok(QrLogin { code, uuid })
}

/// A uuid goes into URLs and the QR code: base64-like characters only, and short.
fn is_uuid(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'=' | b'-' | b'_' | b'+' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_without_uuid() {
        let qr = parse_qr_login(b"window.QRLogin.code = 400;").unwrap();
        assert_eq!(
            qr,
            QrLogin {
                code: 400,
                uuid: None
            }
        );
        assert_eq!(
            parse_qr_login(b"window.QRLogin.code = 200;"),
            Err(ParseError::Missing("window.QRLogin.uuid"))
        );
        assert_eq!(
            parse_qr_login(br#"window.QRLogin.code = 200; window.QRLogin.uuid = "a b";"#),
            Err(ParseError::Invalid {
                field: "window.QRLogin.uuid"
            })
        );
    }
}
