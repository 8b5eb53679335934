//! The login long poll's answer: `window.code=NNN;` and, by code, `window.userAvatar` or
//! `window.redirect_uri`.

use super::{parse_assignments, text_of};
use crate::ParseError;

/// What the login long poll answered.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LoginPoll {
    /// 408: nobody has scanned yet; poll again.
    Waiting,
    /// 201: scanned, waiting for the phone to confirm. `avatar` is the scanner's avatar as a
    /// `data:` URL, when sent.
    Scanned {
        /// `window.userAvatar`.
        avatar: Option<String>,
    },
    /// 200: confirmed; fetch the ticket at `redirect_uri`.
    Confirmed {
        /// `window.redirect_uri`, as sent.
        redirect_uri: String,
    },
    /// 202: cancelled on the phone; start over with a new uuid.
    Cancelled,
    /// 400, 500 or 0: the QR code expired or the server refused; start over with a new uuid.
    Expired {
        /// The code.
        code: i64,
    },
    /// Any other code: not in the protocol; treated as a transient fault.
    Unknown {
        /// The code.
        code: i64,
    },
}

/// Reads a login poll answer.
///
/// ```
/// use webwx_core::parse::{parse_login_poll, LoginPoll};
/// assert_eq!(parse_login_poll(b"window.code=408;").unwrap(), LoginPoll::Waiting);
/// let ok = parse_login_poll(br#"window.code=200;window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=U&lang=zh_CN&scan=1";"#).unwrap();
/// assert!(matches!(ok, LoginPoll::Confirmed { .. }));
/// ```
pub fn parse_login_poll(body: &[u8]) -> Result<LoginPoll, ParseError> {
    let a = parse_assignments(text_of(body)?)?;
    let code = a
        .get("window.code")
        .ok_or(ParseError::Missing("window.code"))?
        .as_int()
        .ok_or(ParseError::Invalid {
            field: "window.code",
        })?;
    Ok(match code {
        408 => LoginPoll::Waiting,
        201 => LoginPoll::Scanned {
            avatar: a
                .get("window.userAvatar")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        },
        200 => {
            let uri = a
                .get("window.redirect_uri")
                .ok_or(ParseError::Missing("window.redirect_uri"))?
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or(ParseError::Invalid {
                    field: "window.redirect_uri",
                })?;
            LoginPoll::Confirmed {
                redirect_uri: uri.to_string(),
            }
        }
        202 => LoginPoll::Cancelled,
        400 | 500 | 0 => LoginPoll::Expired { code },
        code => LoginPoll::Unknown { code },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code() {
        assert_eq!(
            parse_login_poll(b"window.code=201;").unwrap(),
            LoginPoll::Scanned { avatar: None }
        );
        assert_eq!(
            parse_login_poll(
                b"window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/4AAQ';"
            )
            .unwrap(),
            LoginPoll::Scanned {
                avatar: Some("data:img/jpg;base64,/9j/4AAQ".into())
            }
        );
        assert_eq!(
            parse_login_poll(b"window.code=202;").unwrap(),
            LoginPoll::Cancelled
        );
        for code in [400, 500, 0] {
            let body = format!("window.code={code};");
            assert_eq!(
                parse_login_poll(body.as_bytes()).unwrap(),
                LoginPoll::Expired { code }
            );
        }
        assert_eq!(
            parse_login_poll(b"window.code=999;").unwrap(),
            LoginPoll::Unknown { code: 999 }
        );
        assert_eq!(
            parse_login_poll(b"window.code=200;"),
            Err(ParseError::Missing("window.redirect_uri"))
        );
        assert_eq!(
            parse_login_poll(b"window.x=1;"),
            Err(ParseError::Missing("window.code"))
        );
    }
}
